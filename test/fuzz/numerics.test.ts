// Numerics at the edges: crossEntropy, logSoftmax, softmax, sigmoid and binaryCrossEntropyWithLogits
// stay finite and accurate in float32 for random logits up to ±1e4 (against float64 references, with
// their gradients); anomaly mode names the first op that made NaN or Inf, at a random place in a
// random chain, in the forward pass and in the backward pass. (Fixed cases live in
// test/core/pytorch-agreement.test.ts and test/losses; these are the random ones.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnomalyError } from "../../src/errors.js";
import { type Tensor, binaryCrossEntropyWithLogits, crossEntropy, detectAnomaly, div, logSoftmax, sigmoid, softmax, tensor } from "../../src/index.js";
import { SEED, runs } from "./harness.js";

const EPS32 = 2 ** -23;
/** Logits rows: some spread over ±1e4, some tight around a large offset (where a naive softmax overflows). */
const rows = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 6 }), fc.oneof(fc.constant(1e4), fc.constant(100), fc.double({ min: 1, max: 1e4, noNaN: true })), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.nat())
  .map(([n, c, spread, offset, seed]) => {
    let s = seed || 1;
    const r = () => ((s = (Math.imul(s, 48271) + 11) >>> 0) / 2 ** 32) * 2 - 1;
    const x = Array.from({ length: n * c }, () => Math.fround(Math.max(-1e4, Math.min(1e4, offset * (spread < 1e4 ? 1 : 0) + spread * r()))));
    const y = Array.from({ length: n }, () => Math.floor(((r() + 1) / 2) * c) % c);
    return { n, c, x, y };
  });

/** log-softmax of one row in float64. */
function refLogSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}
const rowsOf = (x: number[], c: number) => Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));
const finite = (t: Tensor) => Array.from(t.data as Float32Array).every(Number.isFinite);

describe("losses and activations for float32 logits up to ±1e4", () => {
  it("logSoftmax and softmax: finite, within float32 rounding of the float64 values", () => {
    fc.assert(
      fc.property(rows, ({ n, c, x }) => {
        const t = tensor(x, { shape: [n, c] });
        const ls = logSoftmax(t, 1), p = softmax(t, 1);
        expect(ls.dtype).toBe("float32");
        expect(finite(ls) && finite(p)).toBe(true);
        const want = rowsOf(x, c).flatMap(refLogSoftmax);
        const scale = Math.max(1, ...x.map(Math.abs));
        want.forEach((w, i) => {
          expect(Math.abs(ls.data[i] - w), `logSoftmax at ${i}`).toBeLessThanOrEqual(4 * EPS32 * scale + 1e-6);
          expect(Math.abs(p.data[i] - Math.exp(w)), `softmax at ${i}`).toBeLessThanOrEqual(1e-6 + 8 * EPS32 * scale * Math.exp(w));
        });
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  });

  it("crossEntropy: finite loss and gradient (softmax − onehot)/N, within float32 rounding of float64", () => {
    fc.assert(
      fc.property(rows, ({ n, c, x, y }) => {
        const h = tensor(x, { shape: [n, c], requiresGrad: true });
        const loss = crossEntropy(h, tensor(y, { dtype: "int32" }));
        loss.backward();
        const ref = rowsOf(x, c).map(refLogSoftmax);
        const want = -ref.reduce((a, row, i) => a + row[y[i]], 0) / n;
        const scale = Math.max(1, ...x.map(Math.abs));
        expect(Number.isFinite(loss.item())).toBe(true);
        expect(Math.abs(loss.item() - want)).toBeLessThanOrEqual(8 * EPS32 * scale + 1e-6 * Math.abs(want));
        expect(finite(h.grad!)).toBe(true);
        ref.forEach((row, i) => row.forEach((l, j) => expect(Math.abs(h.grad!.data[i * c + j] - (Math.exp(l) - +(j === y[i])) / n)).toBeLessThanOrEqual(1e-6 + 8 * EPS32 * scale * Math.exp(l))));
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  });

  const logits = fc.array(fc.oneof(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.constantFrom(1e4, -1e4, 0, 88.8, -88.8, 104, -104, 1e-30)), { minLength: 1, maxLength: 12 }).map((a) => a.map(Math.fround));

  it("sigmoid: finite, in [0, 1], within 1 float32 ulp-ish of float64", () => {
    fc.assert(
      fc.property(logits, (x) => {
        const s = sigmoid(tensor(x));
        expect(finite(s)).toBe(true);
        x.forEach((v, i) => {
          const want = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
          expect(s.data[i]).toBeGreaterThanOrEqual(0);
          expect(s.data[i]).toBeLessThanOrEqual(1);
          expect(Math.abs(s.data[i] - want), `sigmoid(${v})`).toBeLessThanOrEqual(2 * EPS32 * want + 1e-45);
        });
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  });

  it("binaryCrossEntropyWithLogits: finite loss and gradient (σ(x) − y)/N, within float32 rounding of float64", () => {
    fc.assert(
      fc.property(logits, fc.nat(), (x, seed) => {
        const y = x.map((_, i) => [0, 1, 0.25, 0.75][(seed + i) % 4]);
        const h = tensor(x, { requiresGrad: true });
        const loss = binaryCrossEntropyWithLogits(h, tensor(y));
        loss.backward();
        const per = x.map((v, i) => Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v))));
        const want = per.reduce((a, b) => a + b, 0) / x.length;
        const scale = Math.max(1, ...x.map(Math.abs));
        expect(Number.isFinite(loss.item())).toBe(true);
        expect(Math.abs(loss.item() - want), `loss of ${JSON.stringify(x)}`).toBeLessThanOrEqual(8 * EPS32 * scale + 1e-6);
        expect(finite(h.grad!)).toBe(true);
        x.forEach((v, i) => {
          const sig = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
          expect(Math.abs(h.grad!.data[i] - (sig - y[i]) / x.length)).toBeLessThanOrEqual(1e-6);
        });
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  });
});

/** Ops that keep finite values finite (and zeros zero, for the backward case). */
const SAFE: [string, (t: Tensor) => Tensor][] = [
  ["mul", (t) => t.mul(2)], ["relu", (t) => t.relu()], ["tanh", (t) => t.tanh()], ["neg", (t) => t.neg()], ["mul", (t) => t.mul(t)],
];
/** Ops that turn finite positive inputs into NaN or Inf in their forward pass, and the op named. */
const FORWARD_POISON: [string, (t: Tensor) => Tensor][] = [
  ["log", (t) => t.abs().add(1).neg().log()],
  ["div", (t) => div(t.abs().add(1), t.sub(t))],
  ["sqrt", (t) => t.abs().add(1).neg().sqrt()],
  ["exp", (t) => t.abs().add(1e4).exp()],
  ["mul", (t) => Array.from({ length: 11 }).reduce<Tensor>((u) => u.mul(1e30), t.abs().add(1))], // overflows float32 at the 2nd, float64 at the 11th
];

describe("anomaly mode names the first op that made NaN or Inf", () => {
  const chain = fc.tuple(fc.array(fc.nat(SAFE.length - 1), { maxLength: 6 }), fc.array(fc.nat(SAFE.length - 1), { maxLength: 6 }), fc.nat(FORWARD_POISON.length - 1), fc.constantFrom("float32", "float64"));

  it("in the forward pass, wherever it is in the chain", () => {
    fc.assert(
      fc.property(chain, ([before, after, p, dtype]) => {
        detectAnomaly(true);
        try {
          const x = tensor([0.5, 1, 2], { dtype: dtype as "float32", requiresGrad: true });
          let t: Tensor = x;
          for (const i of before) t = SAFE[i][1](t);
          const [name, poison] = FORWARD_POISON[p];
          let err: unknown;
          try {
            t = poison(t);
            for (const i of after) t = SAFE[i][1](t);
            t.sum().backward();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(AnomalyError);
          expect((err as Error).message).toMatch(new RegExp(`^${name}: forward produced (NaN|-?Infinity)`));
        } finally {
          detectAnomaly(false);
        }
      }),
      { seed: SEED, numRuns: runs(60) },
    );
  });

  it("in the backward pass: sqrt at 0 (∂ = 1/(2√0) = ∞) after any chain of safe ops", () => {
    fc.assert(
      fc.property(chain, ([before, after, , dtype]) => {
        detectAnomaly(true);
        try {
          const x = tensor([0, 0.25, 1], { dtype: dtype as "float32", requiresGrad: true });
          let t: Tensor = x;
          for (const i of before) t = SAFE[i][1](t); // zeros stay zero: 2·0, relu(0), tanh(0), −0, 0·0
          t = t.abs().sqrt();
          for (const i of after) t = SAFE[i][1](t);
          let err: unknown;
          try {
            t.sum().backward();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(AnomalyError);
          expect((err as Error).message).toMatch(/^sqrt: backward produced (NaN|-?Infinity)/);
        } finally {
          detectAnomaly(false);
        }
      }),
      { seed: SEED, numRuns: runs(60) },
    );
  });
});
