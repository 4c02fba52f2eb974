import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import { BatchNorm1d, LayerNorm, functionalCall } from "../../src/nn/index.js";
import { batchNorm, layerNorm } from "../../src/nn/functional.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { expectClose, expectGradcheck, rnd } from "./helpers.js";

/** Per-channel mean and biased variance of x [N, C] or [N, C, L], in plain JS. */
function stats(x: Tensor): { mean: number[]; biased: number[]; count: number } {
  const [n, c] = x.shape;
  const l = x.ndim === 3 ? x.shape[2] : 1;
  const mean = new Array(c).fill(0), biased = new Array(c).fill(0);
  const at = (i: number, ch: number, j: number) => x.data[(i * c + ch) * l + j];
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) mean[ch] += at(i, ch, j) / (n * l);
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) biased[ch] += (at(i, ch, j) - mean[ch]) ** 2 / (n * l);
  }
  return { mean, biased, count: n * l };
}

function affineBn(x: Tensor, mean: number[], variance: number[], gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number): number[] {
  const c = x.shape[1], l = x.ndim === 3 ? x.shape[2] : 1;
  return Array.from(x.data, (v, k) => {
    const ch = Math.floor(k / l) % c;
    return ((v - mean[ch]) / Math.sqrt(variance[ch] + eps)) * gamma[ch] + beta[ch];
  });
}

describe("BatchNorm1d", () => {
  it("normalizes with batch statistics (biased variance) in training and updates running stats (unbiased) like PyTorch", () => {
    const bn = new BatchNorm1d(3, { momentum: 0.2 }).to("float64");
    bn.loadStateDict({ ...bn.stateDict(), weight: rnd([3], 1), bias: rnd([3], 2) });
    const x = rnd([6, 3], 3).mul(2).add(1);
    const { mean, biased, count } = stats(x);
    expectClose(bn.call(x).data, affineBn(x, mean, biased, bn.weight!.data, bn.bias!.data, 1e-5), 1e-12);
    expectClose(bn.runningMean!.data, mean.map((m) => 0.8 * 0 + 0.2 * m), 1e-14);
    expectClose(bn.runningVar!.data, biased.map((v) => 0.8 * 1 + (0.2 * v * count) / (count - 1)), 1e-14);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.call(x);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    expectClose(bn.runningMean!.data, mean.map((m) => 0.8 * 0.2 * m + 0.2 * m), 1e-14);
  });

  it("uses the running statistics in eval mode and leaves them alone", () => {
    const bn = new BatchNorm1d(4).to("float64");
    bn.call(rnd([8, 4], 4));
    bn.eval();
    const rm = Array.from(bn.runningMean!.data), rv = Array.from(bn.runningVar!.data);
    const x = rnd([5, 4], 5);
    expectClose(bn.call(x).data, affineBn(x, rm, rv, bn.weight!.data, bn.bias!.data, 1e-5), 1e-12);
    expect(Array.from(bn.runningMean!.data)).toEqual(rm);
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });

  it("handles [N, C, L] inputs over N and L, and a cumulative average when momentum is null", () => {
    const bn = new BatchNorm1d(2, { momentum: null, eps: 1e-3 }).to("float64");
    const x1 = rnd([3, 2, 4], 6), x2 = rnd([3, 2, 4], 7).add(3);
    const s1 = stats(x1), s2 = stats(x2);
    expectClose(bn.call(x1).data, affineBn(x1, s1.mean, s1.biased, [1, 1], [0, 0], 1e-3), 1e-12);
    bn.call(x2);
    expectClose(bn.runningMean!.data, s1.mean.map((m, i) => (m + s2.mean[i]) / 2), 1e-13);
  });

  it("passes gradcheck in training mode with respect to the input, weight and bias", () => {
    const bn = new BatchNorm1d(3).to("float64");
    const f = (x: Tensor, w: Tensor, b: Tensor) => functionalCall(bn, { weight: w, bias: b }, x);
    expectGradcheck(f, [rnd([5, 3], 1), rnd([3], 2), rnd([3], 3)]);
    expectGradcheck(f, [rnd([3, 3, 2], 4), rnd([3], 5), rnd([3], 6)]);
  });

  it("passes gradcheck in eval mode with respect to the input, weight and bias", () => {
    const bn = new BatchNorm1d(3).to("float64");
    bn.call(rnd([6, 3], 7));
    bn.eval();
    expectGradcheck((x, w, b) => functionalCall(bn, { weight: w, bias: b }, x), [rnd([4, 3], 8), rnd([3], 9), rnd([3], 10)]);
  });

  it("without affine or running stats has no parameters or buffers and always uses batch statistics", () => {
    const bn = new BatchNorm1d(2, { affine: false, trackRunningStats: false }).to("float64").eval();
    expect(Object.keys(bn.stateDict())).toEqual([]);
    const x = rnd([4, 2], 11);
    const s = stats(x);
    expectClose(bn.call(x).data, affineBn(x, s.mean, s.biased, [1, 1], [0, 0], 1e-5), 1e-12);
    expectGradcheck((t) => bn.call(t), [x]);
  });

  it("names shapes in errors and needs more than one value per channel to train", () => {
    const bn = new BatchNorm1d(4);
    expect(() => bn.call(rnd([2, 3], 1).float())).toThrow("BatchNorm1d: expected an input [N, 4] or [N, 4, L], found [2, 3]");
    expect(() => bn.call(rnd([1, 4], 1).float())).toThrow(ValueError);
    expect(() => batchNorm(rnd([2, 4], 1), rnd([3], 1), rnd([3], 1))).toThrow(ShapeError);
  });
});

describe("LayerNorm", () => {
  it("normalizes over the trailing axes", () => {
    const ln = new LayerNorm([2, 3], { eps: 1e-5 }).to("float64");
    ln.loadStateDict({ weight: rnd([2, 3], 1), bias: rnd([2, 3], 2) });
    const x = rnd([4, 2, 3], 3);
    const y = ln.call(x);
    for (let r = 0; r < 4; r++) {
      const row = Array.from(x.data.slice(r * 6, r * 6 + 6));
      const m = row.reduce((s, v) => s + v, 0) / 6;
      const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / 6;
      expectClose(y.data.slice(r * 6, r * 6 + 6), row.map((u, i) => ((u - m) / Math.sqrt(v + 1e-5)) * ln.weight!.data[i] + ln.bias!.data[i]), 1e-12);
    }
  });

  it("passes gradcheck with respect to the input, weight and bias", () => {
    const ln = new LayerNorm(4).to("float64");
    expectGradcheck((x, w, b) => functionalCall(ln, { weight: w, bias: b }, x), [rnd([3, 4], 4), rnd([4], 5), rnd([4], 6)]);
    expectGradcheck((x) => layerNorm(x, [2, 3]), [rnd([2, 2, 3], 7)]);
  });

  it("rejects inputs that do not end with the normalized shape", () => {
    expect(() => new LayerNorm(5).call(rnd([2, 4], 1).float())).toThrow("layerNorm: input [2, 4] does not end with the normalized shape [5]");
    expect(new LayerNorm(3, { elementwiseAffine: false }).parameters()).toEqual([]);
  });
});
