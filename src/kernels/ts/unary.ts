import type { TypedArray as Arr } from "../backend.js";

/** erf to about 1e-15: Taylor series near 0, continued fraction for erfc in the tails. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

type Loop = (x: Arr, out: Arr, n: number, p: number) => void;

/**
 * The unary kernels of the reference backend, one loop each (`p` is leakyRelu's slope). The names
 * of the backend's unary kernels (`UnaryOp`) are read off this table: a new one is one row here.
 */
export const UNARY = {
  neg: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = -x[i]; },
  exp: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); },
  log: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); },
  sqrt: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); },
  abs: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); },
  sign: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]); },
  relu: (x, out, n) => { for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v !== v ? v : 0; } },
  leakyRelu: (x, out, n, p) => { for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v * p; } },
  sigmoid: (x, out, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); out[i] = e / (1 + e); }
    }
  },
  tanh: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); },
  softplus: (x, out, n) => { for (let i = 0; i < n; i++) { const v = x[i]; out[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); } },
  erf: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = erf(x[i]); },
  sin: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]); },
  cos: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]); },
  isfinite: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]) ? 1 : 0; },
} satisfies Record<string, Loop>;
