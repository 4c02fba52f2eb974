import { describe, expect, it } from "vitest";
import { kernels } from "../../src/kernels/index.js";

type A = Float32Array | Float64Array;

// The optimizers' loops as they were written in src/optim before the updates moved into kernels.
function sgdOld(p: A, g: A, buf: A, lr: number, mu: number, dampening: number, nesterov: boolean, wd: number, fresh: boolean) {
  const damp = 1 - dampening;
  for (let i = 0; i < p.length; i++) {
    let gi = g[i];
    if (wd !== 0) gi += wd * p[i];
    if (mu !== 0) {
      const b = (buf[i] = fresh ? gi : mu * buf[i] + damp * gi);
      gi = nesterov ? gi + mu * b : b;
    }
    p[i] -= lr * gi;
  }
}
function adamOld(p: A, g: A, m: A, v: A, vmax: A | null, t: number, lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean) {
  const stepSize = lr / (1 - b1 ** t), bc2Sqrt = Math.sqrt(1 - b2 ** t);
  const l2 = decoupled ? 0 : wd, shrink = decoupled ? 1 - lr * wd : 1;
  for (let i = 0; i < p.length; i++) {
    let gi = g[i];
    if (l2 !== 0) gi += l2 * p[i];
    if (shrink !== 1) p[i] *= shrink;
    const mi = (m[i] += (1 - b1) * (gi - m[i]));
    let vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
    if (vmax) vi = vmax[i] = Math.max(vmax[i], vi);
    p[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}
function rmspropOld(p: A, g: A, sq: A, buf: A | null, ga: A | null, lr: number, alpha: number, eps: number, wd: number, mu: number) {
  for (let i = 0; i < p.length; i++) {
    let gi = g[i];
    if (wd !== 0) gi += wd * p[i];
    const sqi = (sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi);
    let avg: number;
    if (ga) {
      const gai = (ga[i] += (1 - alpha) * (gi - ga[i]));
      avg = Math.sqrt(sqi - gai * gai) + eps;
    } else avg = Math.sqrt(sqi) + eps;
    if (buf) p[i] -= lr * (buf[i] = mu * buf[i] + gi / avg);
    else p[i] -= (lr * gi) / avg;
  }
}

const SIZES = [0, 1, 7, 33];
const make = (C: typeof Float32Array | typeof Float64Array, n: number, seed: number): A => (C as typeof Float64Array).from({ length: n }, (_, i) => (i === 5 ? NaN : Math.sin(i * 1.3 + seed)));
const pair = (C: typeof Float32Array | typeof Float64Array, n: number, seed: number): [A, A] => [make(C, n, seed), make(C, n, seed)];

describe.each([["float32", Float32Array], ["float64", Float64Array]] as const)("the optimizer step kernels (%s) are bit-identical to the loops they replaced", (d, C) => {
  it.each(SIZES)("sgdStep, n = %i: plain, momentum (fresh and not), dampening, nesterov, weight decay", (n) => {
    for (const [mu, damp, nest, wd] of [[0, 0, false, 0], [0.9, 0, false, 0], [0.9, 0.1, false, 1e-2], [0.9, 0, true, 1e-3]] as const) {
      const [p1, p2] = pair(C, n, 1), g = make(C, n, 2), [b1, b2] = pair(C, n, 3);
      for (const fresh of [true, false, false]) {
        sgdOld(p1, g, b1, 0.1, mu, damp, nest, wd, fresh);
        kernels(d).sgdStep(p2, g, b2, 0.1, mu, damp, nest, wd, fresh);
      }
      expect(p2).toEqual(p1);
      expect(b2).toEqual(b1);
    }
  });

  it.each(SIZES)("adamStep, n = %i: Adam, AdamW, amsgrad", (n) => {
    for (const [wd, decoupled, ams] of [[0, false, false], [1e-2, false, true], [1e-2, true, false], [0.05, true, true]] as const) {
      const [p1, p2] = pair(C, n, 1), g = make(C, n, 2), [m1, m2] = pair(C, n, 3), [v1, v2] = [new C(n), new C(n)];
      const [x1, x2] = ams ? [new C(n), new C(n)] : [null, null];
      for (let t = 1; t <= 3; t++) {
        adamOld(p1, g, m1, v1, x1, t, 1e-3, 0.9, 0.999, 1e-8, wd, decoupled);
        kernels(d).adamStep(p2, g, m2, v2, x2, 1e-3 / (1 - 0.9 ** t), Math.sqrt(1 - 0.999 ** t), 0.9, 0.999, 1e-8, decoupled ? 0 : wd, decoupled ? 1 - 1e-3 * wd : 1);
      }
      expect([p2, m2, v2, x2]).toEqual([p1, m1, v1, x1]);
    }
  });

  it.each(SIZES)("rmspropStep, n = %i: plain, centered, momentum, weight decay", (n) => {
    for (const [centered, mu, wd] of [[false, 0, 0], [true, 0, 1e-2], [false, 0.9, 0], [true, 0.9, 1e-3]] as const) {
      const [p1, p2] = pair(C, n, 1), g = make(C, n, 2), [s1, s2] = [new C(n), new C(n)];
      const [b1, b2] = mu > 0 ? [new C(n), new C(n)] : [null, null], [a1, a2] = centered ? [new C(n), new C(n)] : [null, null];
      for (let t = 0; t < 3; t++) {
        rmspropOld(p1, g, s1, b1, a1, 1e-2, 0.99, 1e-8, wd, mu);
        kernels(d).rmspropStep(p2, g, s2, b2, a2, 1e-2, 0.99, 1e-8, wd, mu);
      }
      expect([p2, s2, b2, a2]).toEqual([p1, s1, b1, a1]);
    }
  });
});
