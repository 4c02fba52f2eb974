import { describe, expect, it } from "vitest";
import { gradients } from "../../src/autograd/engine.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { CrossEntropyLoss, NLLLoss, crossEntropy, nllLoss, softmaxCrossEntropy } from "../../src/losses/index.js";
import { OPS } from "../../src/ops/index.js";
import { logSoftmax, softmax } from "../../src/ops/functions.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { expectClose, expectGradcheck, rnd } from "../nn/helpers.js";

const labels = (xs: number[]) => tensor(xs, { dtype: "int32" });

/** Softmax of each row, in plain JS (max-shifted). */
function softmaxRows(h: Tensor): number[][] {
  const [n, c] = h.shape;
  return Array.from({ length: n }, (_, i) => {
    const row = Array.from(h.data.slice(i * c, i * c + c));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

describe("crossEntropy with class indices", () => {
  const h = rnd([5, 4], 1);
  const y = labels([0, 3, 1, 1, 2]);

  it("equals −mean(logSoftmax(h)[y]) and uses the fused primitive", () => {
    const ls = logSoftmax(h, 1);
    const want = -[0, 1, 2, 3, 4].reduce((s, i) => s + ls.data[i * 4 + y.data[i]], 0) / 5;
    expect(crossEntropy(h, y).item()).toBeCloseTo(want, 14);
    const perRow = crossEntropy(h.detach().requiresGrad_(), y, { reduction: "none" });
    expect(perRow.shape).toEqual([5]);
    expect(perRow.op).toBe("softmaxCrossEntropy");
    expect(crossEntropy(h, y, { reduction: "sum" }).item()).toBeCloseTo(want * 5, 13);
  });

  it("P4: the gradient with respect to the logits is (softmax(h) − onehot(y))/N", () => {
    const x = h.detach().requiresGrad_();
    crossEntropy(x, y).backward();
    const p = softmaxRows(h);
    const want = p.flatMap((row, i) => row.map((v, j) => (v - (j === y.data[i] ? 1 : 0)) / 5));
    expectClose(x.grad!.data, want, 1e-14);
    const [gs] = gradients(crossEntropy(x, y, { reduction: "sum" }), [x]);
    expectClose(gs.data, want.map((v) => v * 5), 1e-14);
  });

  it("registers the rule and its formula text", () => {
    expect(OPS.softmaxCrossEntropy.formula).toBe("∂h = ḡ · (softmax(h) − y)");
  });

  it("passes gradcheck for every reduction and with label smoothing, and twice (double grad)", () => {
    for (const reduction of ["mean", "sum", "none"] as const) expectGradcheck((t) => crossEntropy(t, y, { reduction }), [h]);
    expectGradcheck((t) => crossEntropy(t, y, { labelSmoothing: 0.2 }), [h]);
    expectGradcheck((t) => gradients(crossEntropy(t, y), [t], { createGraph: true })[0], [h]);
  });

  it("smooths labels as (1 − ε)·onehot + ε/C", () => {
    const eps = 0.1, c = 4;
    const p = softmaxRows(h);
    const want = p.reduce((s, row, i) => s + row.reduce((a, v, j) => a - ((j === y.data[i] ? 1 - eps : 0) + eps / c) * Math.log(v), 0), 0) / 5;
    expect(crossEntropy(h, y, { labelSmoothing: eps }).item()).toBeCloseTo(want, 13);
    const x = h.detach().requiresGrad_();
    crossEntropy(x, y, { labelSmoothing: eps }).backward();
    expectClose(x.grad!.data, p.flatMap((row, i) => row.map((v, j) => (v - (j === y.data[i] ? 1 - eps : 0) - eps / c) / 5)), 1e-14);
  });

  it("stays finite for huge logits, where a naive log(softmax) overflows", () => {
    const big = tensor([[1000, 0, -1000], [-1000, 1000, 999]], { dtype: "float64", requiresGrad: true });
    const loss = crossEntropy(big, labels([2, 2]), { reduction: "none" });
    expectClose(loss.data, [2000, 1 + Math.log1p(Math.exp(-1))], 1e-12);
    loss.sum().backward();
    expect(Array.from(big.grad!.data).every(Number.isFinite)).toBe(true);
    expectClose(big.grad!.data, [1, 0, -1, 0, 1 / (1 + Math.exp(-1)) , 1 / (1 + Math.exp(1)) - 1], 1e-12);
  });

  it("accepts an unbatched [C] input with a 0-d label", () => {
    const row = h.select(0, 1);
    const l = crossEntropy(row, tensor(3, { dtype: "int32" }), { reduction: "none" });
    expect(l.shape).toEqual([]);
    expect(l.item()).toBeCloseTo(crossEntropy(h, y, { reduction: "none" }).data[1], 14);
  });

  it("names shapes and labels in its errors", () => {
    const f32 = zeros([32, 10]);
    expect(() => crossEntropy(f32, labels(new Array(31).fill(0)))).toThrow(new ShapeError("crossEntropy: logits [32, 10] and target [31] differ in batch size"));
    expect(() => crossEntropy(zeros([2, 10]), labels([3, 10]))).toThrow(new ValueError("crossEntropy: label 10 at index 1 is out of range for 10 classes"));
    expect(() => crossEntropy(zeros([2, 10]), labels([-1, 0]))).toThrow(/label -1 at index 0/);
    expect(() => crossEntropy(zeros([2, 10]), tensor([1, 2]))).toThrow(DTypeError);
    expect(() => crossEntropy(zeros([2, 3, 4]), labels([1, 2]))).toThrow(ShapeError);
    expect(() => crossEntropy(zeros([2, 3]), labels([1, 2]), { labelSmoothing: 1.5 })).toThrow(ValueError);
    expect(() => crossEntropy(zeros([2, 3]), labels([1, 2]), { reduction: "avg" as any })).toThrow(/unknown reduction/);
  });
});

describe("crossEntropy with probability targets", () => {
  const h = rnd([3, 4], 2);
  const q = softmax(rnd([3, 4], 3), 1);

  it("equals −Σ q log softmax(h) with gradient (softmax(h) − q)/N", () => {
    const p = softmaxRows(h);
    const want = p.reduce((s, row, i) => s - row.reduce((a, v, j) => a + q.data[i * 4 + j] * Math.log(v), 0), 0) / 3;
    const x = h.detach().requiresGrad_();
    const loss = crossEntropy(x, q);
    expect(loss.item()).toBeCloseTo(want, 14);
    loss.backward();
    expectClose(x.grad!.data, p.flat().map((v, k) => (v - q.data[k]) / 3), 1e-14);
  });

  it("passes gradcheck with respect to logits and targets (with and without smoothing)", () => {
    expectGradcheck((t, u) => crossEntropy(t, u), [h, q]);
    expectGradcheck((t, u) => crossEntropy(t, u, { labelSmoothing: 0.3, reduction: "sum" }), [h, q]);
    expectGradcheck((t, z) => crossEntropy(t, softmax(z, 1)), [h, rnd([3, 4], 4)]);
  });

  it("rejects targets that are not distributions or do not match the logits", () => {
    expect(() => crossEntropy(h, q.mul(2))).toThrow(/target row 0 sums to 2/);
    expect(() => crossEntropy(h, zeros([3, 5], { dtype: "float64" }))).toThrow("crossEntropy: logits [3, 4] and target probabilities [3, 5] differ in the number of classes");
    expect(() => crossEntropy(h, zeros([2, 4], { dtype: "float64" }))).toThrow(/differ in batch size/);
    expect(() => softmaxCrossEntropy(h, zeros([4, 3], { dtype: "float64" }))).toThrow(ShapeError);
  });
});

describe("nllLoss", () => {
  it("is −logProbs[n, y[n]], equals crossEntropy on logSoftmax, and passes gradcheck", () => {
    const h = rnd([4, 3], 5);
    const y = labels([2, 0, 1, 2]);
    const lp = logSoftmax(h, 1);
    expectClose(nllLoss(lp, y, { reduction: "none" }).data, [0, 1, 2, 3].map((i) => -lp.data[i * 3 + y.data[i]]), 1e-15);
    expect(nllLoss(lp, y).item()).toBeCloseTo(crossEntropy(h, y).item(), 14);
    expectGradcheck((t) => nllLoss(t, y), [h]);
    expectGradcheck((t) => nllLoss(logSoftmax(t, 1), y, { reduction: "sum" }), [h]);
    expect(() => nllLoss(h, labels([0, 3, 0, 0]))).toThrow("nllLoss: label 3 at index 1 is out of range for 3 classes");
  });
});

describe("loss modules", () => {
  it("CrossEntropyLoss and NLLLoss call the functions with their options", () => {
    const h = rnd([4, 3], 6), y = labels([0, 1, 2, 0]);
    expect(new CrossEntropyLoss({ labelSmoothing: 0.1 }).call(h, y).item()).toBe(crossEntropy(h, y, { labelSmoothing: 0.1 }).item());
    expect(new NLLLoss({ reduction: "sum" }).call(logSoftmax(h, 1), y).item()).toBeCloseTo(crossEntropy(h, y, { reduction: "sum" }).item(), 13);
    expect(String(new CrossEntropyLoss({ reduction: "sum" }))).toBe("CrossEntropyLoss(reduction=sum)");
    expect(new CrossEntropyLoss().parameters()).toEqual([]);
  });
});
