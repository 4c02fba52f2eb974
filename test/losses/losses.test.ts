import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import {
  BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, binaryCrossEntropyWithLogits, crossEntropy, l1, l2Penalty, mse, nllLoss,
} from "../../src/losses/index.js";
import { BatchNorm1d, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import * as nnF from "../../src/nn/functional.js";
import { add, logSoftmax, matmul, relu, sigmoid, softmax } from "../../src/ops/functions.js";
import { tensor } from "../../src/tensor/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { expectClose, expectGradcheck, rnd } from "../nn/helpers.js";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("mse and l1", () => {
  const a = rnd([3, 4], 1), b = rnd([3, 4], 2);
  const d = Array.from(a.data, (v, i) => v - b.data[i]);

  it("match their formulas under each reduction", () => {
    expect(mse(a, b).item()).toBeCloseTo(mean(d.map((v) => v * v)), 14);
    expect(mse(a, b, { reduction: "sum" }).item()).toBeCloseTo(d.reduce((s, v) => s + v * v, 0), 13);
    expectClose(l1(a, b, { reduction: "none" }).data, d.map(Math.abs), 1e-15);
    expect(l1(a, b).item()).toBeCloseTo(mean(d.map(Math.abs)), 14);
    expect(new MSELoss().call(a, b).item()).toBe(mse(a, b).item());
    expect(new L1Loss({ reduction: "sum" }).call(a, b).item()).toBe(l1(a, b, { reduction: "sum" }).item());
  });

  it("pass gradcheck with respect to input and target", () => {
    expectGradcheck((x, y) => mse(x, y), [a, b]);
    expectGradcheck((x, y) => l1(x, y, { reduction: "sum" }), [a, b]);
  });

  it("refuse to broadcast [N] against [N, 1]", () => {
    expect(() => mse(rnd([4], 1), rnd([4, 1], 2))).toThrow(new ShapeError("mse: input [4] and target [4, 1] differ in shape"));
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  const x = rnd([2, 3], 3);
  const y = tensor([[1, 0, 0.3], [0, 1, 1]], { dtype: "float64" });
  const naive = (xv: number, yv: number, p = 1) => -(p * yv * Math.log(1 / (1 + Math.exp(-xv))) + (1 - yv) * Math.log(1 - 1 / (1 + Math.exp(-xv))));

  it("matches −[y log σ(x) + (1 − y) log(1 − σ(x))], with a positive weight too", () => {
    expectClose(binaryCrossEntropyWithLogits(x, y, { reduction: "none" }).data, Array.from(x.data, (v, i) => naive(v, y.data[i])), 1e-13);
    expect(binaryCrossEntropyWithLogits(x, y, { posWeight: 3 }).item()).toBeCloseTo(mean(Array.from(x.data, (v, i) => naive(v, y.data[i], 3))), 13);
    const pw = tensor([1, 2, 0.5], { dtype: "float64" });
    expectClose(
      binaryCrossEntropyWithLogits(x, y, { posWeight: pw, reduction: "none" }).data,
      Array.from(x.data, (v, i) => naive(v, y.data[i], pw.data[i % 3])),
      1e-13,
    );
  });

  it("is stable for large logits", () => {
    const big = tensor([100, -100, 100, -100], { dtype: "float64" });
    expectClose(binaryCrossEntropyWithLogits(big, tensor([1, 0, 0, 1], { dtype: "float64" }), { reduction: "none" }).data, [0, 0, 100, 100], 1e-12);
  });

  it("passes gradcheck with respect to logits and targets", () => {
    expectGradcheck((t, u) => binaryCrossEntropyWithLogits(t, u), [x, y]);
    expectGradcheck((t, u, p) => binaryCrossEntropyWithLogits(t, u, { posWeight: p, reduction: "sum" }), [x, y, rnd([3], 4).abs()]);
    expect(new BCEWithLogitsLoss({ posWeight: 2 }).call(x, y).item()).toBe(binaryCrossEntropyWithLogits(x, y, { posWeight: 2 }).item());
  });

  it("is stable for ±1e4 logits in float32: matches float64, finite gradient σ(x) − y", () => {
    const xs = [1e4, -1e4, 1e4, -1e4, 1e4, -1e4], ys = [1, 0, 0, 1, 0.25, 0.75];
    const want = xs.map((v, i) => Math.max(v, 0) - v * ys[i] + Math.log1p(Math.exp(-Math.abs(v))));
    const t = tensor(xs, { requiresGrad: true });
    const loss = binaryCrossEntropyWithLogits(t, tensor(ys), { reduction: "none" });
    expect(loss.dtype).toBe("float32");
    expectClose(loss.data, want, 1e-7);
    loss.sum().backward();
    expectClose(t.grad!.data, xs.map((v, i) => (v > 0 ? 1 : 0) - ys[i]), 1e-7);
    const wantP = xs.map((v, i) => (1 - ys[i]) * v + (1 + 2 * ys[i]) * (Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v)))));
    expectClose(binaryCrossEntropyWithLogits(tensor(xs), tensor(ys), { posWeight: 3, reduction: "none" }).data, wantP, 1e-7);
  });

  it("scales each element's loss by weight (PyTorch's weight, broadcast)", () => {
    const wt = tensor([[2], [0.5]], { dtype: "float64" });
    const plain = binaryCrossEntropyWithLogits(x, y, { reduction: "none" }).data;
    expectClose(binaryCrossEntropyWithLogits(x, y, { weight: wt, reduction: "none" }).data, Array.from(plain, (v, i) => v * (i < 3 ? 2 : 0.5)), 1e-15);
    expectGradcheck((t) => binaryCrossEntropyWithLogits(t, y, { weight: wt, posWeight: 2 }), [x]);
  });

  it("has a gradient σ(x) − y", () => {
    const t = x.detach().requiresGrad_();
    binaryCrossEntropyWithLogits(t, y, { reduction: "sum" }).backward();
    expectClose(t.grad!.data, Array.from(x.data, (v, i) => 1 / (1 + Math.exp(-v)) - y.data[i]), 1e-14);
    expectClose(sigmoid(x).data, Array.from(x.data, (v) => 1 / (1 + Math.exp(-v))), 1e-15);
  });
});

describe("l2Penalty", () => {
  it("is λ/2 · Σ w² over weights, leaving biases out unless asked", () => {
    const w = tensor([[1, 2], [3, 4]]), b = tensor([5, 6]);
    expect(l2Penalty([w, b], 0.1).item()).toBeCloseTo(0.05 * 30, 6);
    expect(l2Penalty([w, b], 0.1, { includeBiases: true }).item()).toBeCloseTo(0.05 * 91, 6);
    expect(l2Penalty([], 1).item()).toBe(0);
  });

  it("takes a module's weights by name: `…bias` and rank-1 parameters (BatchNorm γ) are biases", () => {
    const m = new Sequential(new Linear(3, 2), new BatchNorm1d(2), new ReLU(), new Linear(2, 1)).to("float64");
    const sq = (t: Tensor) => Array.from(t.data).reduce((s, v) => s + v * v, 0);
    const [l0, , , l3] = [...m] as Linear[];
    expect(l2Penalty(m, 0.5).item()).toBeCloseTo(0.25 * (sq(l0.weight) + sq(l3.weight)), 14);
    const all = m.parameters().reduce((s, p) => s + sq(p), 0);
    expect(l2Penalty(m, 0.5, { includeBiases: true }).item()).toBeCloseTo(0.25 * all, 14);
    expectGradcheck((w) => l2Penalty([w], 0.3), [rnd([2, 3], 5)]);
  });

  it("P5: dL/dW2 = ReLU(X W1 + b1)ᵀ (P − Y)/N + λ W2 for CE plus the penalty", () => {
    const [n, dIn, h, c, lambda] = [5, 4, 3, 3, 0.01];
    const X = rnd([n, dIn], 6), W1 = rnd([dIn, h], 7).requiresGrad_(), b1 = rnd([h], 8).requiresGrad_();
    const W2 = rnd([h, c], 9).requiresGrad_(), b2 = rnd([c], 10).requiresGrad_();
    const y = tensor([0, 2, 1, 1, 0], { dtype: "int32" });
    const hidden = relu(add(matmul(X, W1), b1));
    const scores = add(matmul(hidden, W2), b2);
    add(crossEntropy(scores, y), l2Penalty([W1, b1, W2, b2], lambda)).backward();
    const p = nnF.crossEntropy(scores.detach().requiresGrad_(), y, { reduction: "none" });
    expect(p.shape).toEqual([n]);
    const dScores: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = Array.from(scores.data.slice(i * c, i * c + c));
      const m = Math.max(...row), e = row.map((v) => Math.exp(v - m)), s = e.reduce((a, v) => a + v, 0);
      dScores.push(e.map((v, j) => (v / s - (j === y.data[i] ? 1 : 0)) / n));
    }
    const want: number[] = [];
    for (let k = 0; k < h; k++)
      for (let j = 0; j < c; j++) want.push(dScores.reduce((s, row, i) => s + hidden.data[i * h + k] * row[j], 0) + lambda * W2.data[k * c + j]);
    expectClose(W2.grad!.data, want, 1e-13);
    expectClose(b2.grad!.data, [0, 1, 2].map((j) => dScores.reduce((s, row) => s + row[j], 0)), 1e-13);
  });
});

describe("loss options are checked", () => {
  const a = rnd([2, 3], 1), b = rnd([2, 3], 2), y = tensor([0, 2], { dtype: "int32" });
  it("reject unknown keys with a did-you-mean, in the functions and at module construction", () => {
    expect(() => crossEntropy(a, y, { labelSmothing: 0.1 } as any)).toThrow(new ValueError('crossEntropy: unknown option "labelSmothing" (did you mean "labelSmoothing"?); expected one of reduction, weight, ignoreIndex, labelSmoothing'));
    expect(() => crossEntropy(a, y, { ignore_index: 1 } as any)).toThrow(/unknown option "ignore_index"/);
    expect(() => nllLoss(a, y, { weights: b } as any)).toThrow(/nllLoss: unknown option "weights" \(did you mean "weight"\?\)/);
    expect(() => mse(a, b, { reductio: "sum" } as any)).toThrow(/mse: unknown option "reductio"/);
    expect(() => l1(a, b, { reduce: "sum" } as any)).toThrow(/l1: unknown option "reduce"/);
    expect(() => binaryCrossEntropyWithLogits(a, b, { pos_weight: 2 } as any)).toThrow(/binaryCrossEntropyWithLogits: unknown option "pos_weight"/);
    expect(() => l2Penalty([a], 0.1, { includeBias: true } as any)).toThrow(/l2Penalty: unknown option "includeBias" \(did you mean "includeBiases"\?\)/);
    expect(() => new CrossEntropyLoss({ labelSmothing: 0.1 } as any)).toThrow(/CrossEntropyLoss: unknown option "labelSmothing"/);
    expect(() => new NLLLoss({ ignoreIdx: 1 } as any)).toThrow(/NLLLoss: unknown option "ignoreIdx"/);
    expect(() => new MSELoss({ x: 1 } as any)).toThrow(/MSELoss: unknown option "x"/);
    expect(() => new L1Loss("sum" as any)).toThrow(/L1Loss: expected an options object, found string/);
    expect(() => new BCEWithLogitsLoss({ posweight: 2 } as any)).toThrow(/did you mean "posWeight"/);
  });

  it("accept every documented key", () => {
    const wt = tensor([1, 2, 3], { dtype: "float64" });
    expect(() => crossEntropy(a, y, { reduction: "sum", weight: wt, ignoreIndex: 1, labelSmoothing: 0.1 })).not.toThrow();
    expect(() => nllLoss(a, y, { reduction: "none", weight: wt, ignoreIndex: 2 })).not.toThrow();
    expect(() => binaryCrossEntropyWithLogits(a, sigmoid(b), { reduction: "sum", posWeight: 2, weight: 0.5 })).not.toThrow();
    expect(new NLLLoss({ weight: wt, ignoreIndex: 0 }).call(logSoftmax(a, 1), y).item()).toBe(nllLoss(logSoftmax(a, 1), y, { weight: wt, ignoreIndex: 0 }).item());
  });
});

describe("loss modules", () => {
  it("pass gradcheck with respect to their inputs (and float targets)", () => {
    const h = rnd([4, 3], 11), t = rnd([4, 3], 12), y = tensor([2, 0, 1, 2], { dtype: "int32" });
    expectGradcheck((x) => new CrossEntropyLoss({ labelSmoothing: 0.1 }).call(x, y), [h]);
    expectGradcheck((x, z) => new CrossEntropyLoss({ reduction: "sum" }).call(x, softmax(z, 1)), [h, t]);
    expectGradcheck((x) => new NLLLoss().call(logSoftmax(x, 1), y), [h]);
    expectGradcheck((x, u) => new MSELoss().call(x, u), [h, t]);
    expectGradcheck((x, u) => new L1Loss().call(x, u), [h, t]);
    expectGradcheck((x, u) => new BCEWithLogitsLoss({ posWeight: 2 }).call(x, sigmoid(u)), [h, t]);
  });
});
