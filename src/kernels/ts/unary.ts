import type { TypedArray as Arr } from "../backend.js";

/**
 * erf to about 1 ulp: fdlibm's rational approximations (s_erf.c, Sun Microsystems 1993) on |x| < 0.84375,
 * < 1.25, < 1/0.35 and < 6 (erfc there as exp(−x² − 0.5625 + R/S)/x), ±1 beyond; no loop per element.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 0.84375) {
    const z = x * x;
    const r = 1.28379167095512558561e-1 + z * (-3.25042107247001499370e-1 + z * (-2.84817495755985104766e-2 + z * (-5.77027029648944159157e-3 + z * -2.37630166566501626084e-5)));
    const s = 1 + z * (3.97917223959155352819e-1 + z * (6.50222499887672944485e-2 + z * (5.08130628187576562776e-3 + z * (1.32494738004321644526e-4 + z * -3.96022827877536812320e-6))));
    return x + x * (r / s);
  }
  if (a < 1.25) {
    const s = a - 1;
    const p = -2.36211856075265944077e-3 + s * (4.14856118683748331666e-1 + s * (-3.72207876035701323847e-1 + s * (3.18346619901161753674e-1 + s * (-1.10894694282396677476e-1 + s * (3.54783043256182359371e-2 + s * -2.16637559486879084300e-3)))));
    const q = 1 + s * (1.06420880400844228286e-1 + s * (5.40397917702171048937e-1 + s * (7.18286544141962662868e-2 + s * (1.26171219808761642112e-1 + s * (1.36370839120290507362e-2 + s * 1.19844998467991074170e-2)))));
    return x < 0 ? -8.45062911510467529297e-1 - p / q : 8.45062911510467529297e-1 + p / q;
  }
  if (a >= 6) return x < 0 ? -1 : 1;
  const s = 1 / (a * a);
  let r: number, q: number;
  if (a < 1 / 0.35) {
    r = -9.86494403484714822705e-3 + s * (-6.93858572707181764372e-1 + s * (-1.05586262253232909814e1 + s * (-6.23753324503260060396e1 + s * (-1.62396669462573470355e2 + s * (-1.84605092906711035994e2 + s * (-8.12874355063065934246e1 + s * -9.81432934416914548592))))));
    q = 1 + s * (1.96512716674392571292e1 + s * (1.37657754143519042600e2 + s * (4.34565877475229228821e2 + s * (6.45387271733267880336e2 + s * (4.29008140027567833386e2 + s * (1.08635005541779435134e2 + s * (6.57024977031928170135 + s * -6.04244152148580987438e-2)))))));
  } else {
    r = -9.86494292470009928597e-3 + s * (-7.99283237680523006574e-1 + s * (-1.77579549177547519889e1 + s * (-1.60636384855821916062e2 + s * (-6.37566443368389627722e2 + s * (-1.02509513161107724954e3 + s * -4.83519191608651397019e2)))));
    q = 1 + s * (3.03380607434824582924e1 + s * (3.25792512996573918826e2 + s * (1.53672958608443695994e3 + s * (3.19985821950859553908e3 + s * (2.55305040643316442583e3 + s * (4.74528541206955367215e2 + s * -2.24409524465858183362e1))))));
  }
  const erfc = Math.exp(-a * a - 0.5625 + r / q) / a;
  return x < 0 ? erfc - 1 : 1 - erfc;
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
  gelu: (x, out, n) => { for (let i = 0; i < n; i++) { const v = x[i]; out[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)); } },
  geluGrad: (x, out, n) => { for (let i = 0; i < n; i++) { const v = x[i]; out[i] = 0.5 * (1 + erf(v * Math.SQRT1_2)) + v * Math.exp(-0.5 * v * v) * 0.3989422804014327; } },
  sin: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]); },
  cos: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]); },
  isfinite: (x, out, n) => { for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]) ? 1 : 0; },
} satisfies Record<string, Loop>;
