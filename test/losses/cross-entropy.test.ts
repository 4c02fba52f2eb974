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
    expect(OPS.softmaxCrossEntropy.formula).toEqual({ h: "ḡ · (softmax(h)·Σⱼ y − y)", y: "−ḡ · logSoftmax(h)" });
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

  it("accepts targets that do not sum to 1, as PyTorch: loss −Σ y log softmax(h), gradient (softmax(h)·Σy − y)/N", () => {
    const y = tensor([[0.5, 0.2, 0, 0.4], [2, 0, 1, 0], [0.1, 0.1, 0.1, 0.1]], { dtype: "float64" });
    const p = softmaxRows(h);
    const want = p.reduce((s, row, i) => s - row.reduce((a, v, j) => a + y.data[i * 4 + j] * Math.log(v), 0), 0) / 3;
    const x = h.detach().requiresGrad_();
    const loss = crossEntropy(x, y);
    expect(loss.item()).toBeCloseTo(want, 14);
    loss.backward();
    const rowSum = [1.1, 3, 0.4];
    expectClose(x.grad!.data, p.flatMap((row, i) => row.map((v, j) => (v * rowSum[i] - y.data[i * 4 + j]) / 3)), 1e-14);
  });

  it("has the right second derivatives through targets that do not sum to 1 and require gradients (∂²L/∂h∂y)", () => {
    const y = rnd([3, 4], 7).abs();
    // d/dyₖ of ∂L/∂h₀ = softmax(h)₀ − δ₀ₖ: the rule for h must stay a function of y
    expectGradcheck((t, u) => gradients(crossEntropy(t, u, { reduction: "sum" }), [t], { createGraph: true })[0], [h, y]);
    expectGradcheck((t, u) => gradients(crossEntropy(t, u), [u], { createGraph: true })[0], [h, y]);
    expectGradcheck((t, u) => softmaxCrossEntropy(t, u), [h, y]);
  });

  it("rejects targets that do not match the logits", () => {
    expect(() => crossEntropy(h, zeros([3, 5], { dtype: "float64" }))).toThrow("crossEntropy: logits [3, 4] and target probabilities [3, 5] differ in the number of classes");
    expect(() => crossEntropy(h, zeros([2, 4], { dtype: "float64" }))).toThrow(/differ in batch size/);
    expect(() => softmaxCrossEntropy(h, zeros([4, 3], { dtype: "float64" }))).toThrow(ShapeError);
  });
});

/** PyTorch's cross_entropy for class indices, in plain JS: per position (1 − ε)·w[y]·nll_y + ε/C·Σ_c w_c·nll_c (0 if ignored). */
function ceIndexRef(h: Tensor, y: number[], w: number[], eps = 0, ignore = -100): { perRow: number[]; mean: number } {
  const p = softmaxRows(h);
  const c = h.shape[1];
  let denom = 0;
  const perRow = p.map((row, n) => {
    if (y[n] === ignore) return 0;
    denom += w[y[n]];
    return (1 - eps) * w[y[n]] * -Math.log(row[y[n]]) + (eps / c) * row.reduce((s, v, j) => s - w[j] * Math.log(v), 0);
  });
  return { perRow, mean: perRow.reduce((a, b) => a + b, 0) / denom };
}

describe("crossEntropy options as PyTorch: weight, ignoreIndex, label smoothing", () => {
  const h = rnd([5, 4], 8);
  const y = [0, 3, 1, 1, 2];
  const w = [1, 2, 0.5, 3];
  const wt = tensor(w, { dtype: "float64" });

  it("weights class-index targets: lₙ = w[yₙ]·nllₙ, and the mean divides by Σ w[yₙ]", () => {
    const ref = ceIndexRef(h, y, w);
    expectClose(crossEntropy(h, labels(y), { weight: wt, reduction: "none" }).data, ref.perRow, 1e-14);
    expect(crossEntropy(h, labels(y), { weight: wt, reduction: "sum" }).item()).toBeCloseTo(ref.perRow.reduce((a, b) => a + b, 0), 13);
    expect(crossEntropy(h, labels(y), { weight: wt }).item()).toBeCloseTo(ref.mean, 14);
    const x = h.detach().requiresGrad_();
    crossEntropy(x, labels(y), { weight: wt }).backward();
    const denom = y.reduce((s, v) => s + w[v], 0);
    expectClose(x.grad!.data, softmaxRows(h).flatMap((row, n) => row.map((v, j) => (w[y[n]] * (v - (j === y[n] ? 1 : 0))) / denom)), 1e-14);
  });

  it("ignores positions labelled ignoreIndex (default −100): they add 0 and leave the mean's denominator", () => {
    const yi = [0, -100, 1, -100, 2];
    const ref = ceIndexRef(h, yi, [1, 1, 1, 1]);
    expect(crossEntropy(h, labels(yi)).item()).toBeCloseTo(ref.mean, 14);
    expect(ref.mean).toBeCloseTo(ref.perRow.reduce((a, b) => a + b, 0) / 3, 14);
    const x = h.detach().requiresGrad_();
    crossEntropy(x, labels(yi), { weight: wt }).backward();
    expect(Array.from(x.grad!.data.slice(4, 8))).toEqual([0, 0, 0, 0]);
    expect(crossEntropy(h, labels(y), { ignoreIndex: 1 }).item()).toBeCloseTo(ceIndexRef(h, y, [1, 1, 1, 1], 0, 1).mean, 14);
    expect(Number.isNaN(crossEntropy(h, labels([-100, -100, -100, -100, -100])).item())).toBe(true);
  });

  it("with label smoothing weights the smoothing term by w_c and still divides by Σ w[yₙ] (PyTorch)", () => {
    const yi = [0, 3, -100, 1, 2];
    const ref = ceIndexRef(h, yi, w, 0.2);
    expectClose(crossEntropy(h, labels(yi), { weight: wt, labelSmoothing: 0.2, reduction: "none" }).data, ref.perRow, 1e-14);
    expect(crossEntropy(h, labels(yi), { weight: wt, labelSmoothing: 0.2 }).item()).toBeCloseTo(ref.mean, 14);
    expectGradcheck((t) => crossEntropy(t, labels(yi), { weight: wt, labelSmoothing: 0.2 }), [h]);
    expectGradcheck((t, u) => crossEntropy(t, labels(yi), { weight: u, labelSmoothing: 0.2 }), [h, wt]);
  });

  it("weights probability targets inside the sum, lₙ = −Σ_c w_c·yₙ_c·log pₙ_c, and the mean divides by N", () => {
    const q = softmax(rnd([5, 4], 9), 1);
    const p = softmaxRows(h);
    const perRow = p.map((row, n) => row.reduce((s, v, j) => s - w[j] * q.data[n * 4 + j] * Math.log(v), 0));
    expectClose(crossEntropy(h, q, { weight: wt, reduction: "none" }).data, perRow, 1e-14);
    expect(crossEntropy(h, q, { weight: wt }).item()).toBeCloseTo(perRow.reduce((a, b) => a + b, 0) / 5, 14);
    expectGradcheck((t, u) => crossEntropy(t, u, { weight: wt, labelSmoothing: 0.1 }), [h, q]);
  });

  it("checks the weight and ignoreIndex", () => {
    expect(() => crossEntropy(h, labels(y), { weight: tensor([1, 2, 3]) })).toThrow(new ShapeError("crossEntropy: weight [3] does not match the 4 classes of [5, 4]; expected [4]"));
    expect(() => crossEntropy(h, labels(y), { weight: [1, 2, 3, 4] as any })).toThrow(ValueError);
    expect(() => crossEntropy(h, labels(y), { ignoreIndex: 0.5 })).toThrow(ValueError);
    expect(() => crossEntropy(h, labels([0, -1, 0, 0, 0]))).toThrow("crossEntropy: label -1 at index 1 is out of range for 4 classes");
  });
});

describe("crossEntropy on [N, C, d₁, d₂] logits (classes on axis 1), as PyTorch", () => {
  const h = rnd([2, 3, 2, 2], 10);
  const yv = [0, 2, 1, 1, 2, -100, 0, 1];
  const y = tensor(Int32Array.from(yv), { shape: [2, 2, 2] });
  /** The same scores as rows [N·d₁·d₂, C]. */
  const rows = h.permute(0, 2, 3, 1).reshape(8, 3);

  it("matches the rows [N·d₁·d₂, C] with labels [N, d₁, d₂], returning [N, d₁, d₂] for reduction none", () => {
    const wt = tensor([0.5, 1, 2], { dtype: "float64" });
    const none = crossEntropy(h, y, { reduction: "none", weight: wt });
    expect(none.shape).toEqual([2, 2, 2]);
    expectClose(none.data, ceIndexRef(rows, yv, [0.5, 1, 2]).perRow, 1e-14);
    expect(crossEntropy(h, y, { weight: wt }).item()).toBeCloseTo(ceIndexRef(rows, yv, [0.5, 1, 2]).mean, 14);
    expect(crossEntropy(h, y, { labelSmoothing: 0.1 }).item()).toBeCloseTo(ceIndexRef(rows, yv, [1, 1, 1], 0.1).mean, 14);
    expectGradcheck((t) => crossEntropy(t, y, { weight: wt, labelSmoothing: 0.1 }), [h]);
  });

  it("takes probability targets of the logits' shape", () => {
    const q = softmax(rnd([2, 3, 2, 2], 11), 1);
    const qRows = q.permute(0, 2, 3, 1).reshape(8, 3);
    const none = crossEntropy(h, q, { reduction: "none" });
    expect(none.shape).toEqual([2, 2, 2]);
    expectClose(none.data, crossEntropy(rows, qRows, { reduction: "none" }).data, 1e-15);
    expect(crossEntropy(h, q).item()).toBeCloseTo(crossEntropy(rows, qRows).item(), 15);
    expectGradcheck((t, u) => crossEntropy(t, u), [h, q]);
  });

  it("names the expected label shape", () => {
    expect(() => crossEntropy(h, labels([0, 1]))).toThrow("crossEntropy: expected class indices [2, 2, 2] for logits [2, 3, 2, 2], found target [2]");
    expect(() => crossEntropy(h, tensor(Int32Array.from([0, 0, 0, 0, 0, 0]), { shape: [2, 3, 1] }))).toThrow("crossEntropy: logits [2, 3, 2, 2] and target [2, 3, 1] differ in shape");
    expect(() => crossEntropy(h, zeros([2, 3, 2, 1], { dtype: "float64" }))).toThrow(/differ in shape/);
  });
});

describe("nllLoss", () => {
  it("takes weight and ignoreIndex as PyTorch, equal to crossEntropy on logSoftmax", () => {
    const h = rnd([5, 4], 12);
    const y = labels([0, 3, -100, 1, 2]);
    const wt = tensor([1, 2, 0.5, 3], { dtype: "float64" });
    for (const reduction of ["mean", "sum", "none"] as const)
      expectClose(nllLoss(logSoftmax(h, 1), y, { weight: wt, reduction }).data, crossEntropy(h, y, { weight: wt, reduction }).data, 1e-14);
    expectGradcheck((t) => nllLoss(t, y, { weight: wt }), [h]);
    const h3 = rnd([2, 3, 4], 13), y3 = tensor(Int32Array.from([0, 2, 1, 1, 2, 0, 0, 1]), { shape: [2, 4] });
    expectClose(nllLoss(logSoftmax(h3, 1), y3, { reduction: "none" }).data, crossEntropy(h3, y3, { reduction: "none" }).data, 1e-14);
  });

  it("gives 0 (not NaN) for an ignored position that holds −∞, and no gradient there", () => {
    const lp = tensor([[-Infinity, -0.1], [-2, -0.5]], { dtype: "float64", requiresGrad: true });
    const loss = nllLoss(lp, labels([0, 1]), { ignoreIndex: 0 });
    expect(loss.item()).toBe(0.5);
    loss.backward();
    expect(Array.from(lp.grad!.data)).toEqual([0, 0, 0, -1]);
  });


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
