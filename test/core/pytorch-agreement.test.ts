import { describe, expect, it } from "vitest";
import {
  ShapeError, crossEntropy, gather, grad, gradients, logSoftmax, maximum, minimum, scatterAdd, softmax, softmaxCrossEntropy, tensor, valueAndGrad,
} from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const f64 = (v: number[] | number[][], requiresGrad = true) => tensor(v, { dtype: "float64", requiresGrad });
const arr = (t: Tensor) => Array.from(t.data);
const idx = (values: number[], shape: number[]) => tensor(Int32Array.from(values), { shape });

describe("gradients with no 0·∞ = NaN where PyTorch gives 0", () => {
  it("pow: ∂base is 0 where the exponent is 0; ∂exponent is 0 at a zero base with exponent ≥ 0 (pow_backward)", () => {
    const a = f64([0, 0, 2, 0]), b = f64([2, 0, 0.5, -1]);
    const [da, db] = gradients(a.pow(b).sum(), [a, b]);
    // a = 0 with b < 0 is not masked: b·aᵇ⁻¹ = −∞ and aᵇ·log a = −∞, as in PyTorch
    expect(arr(da)).toEqual([0, 0, 0.5 * 2 ** -0.5, -Infinity]);
    expect(arr(db)).toEqual([0, 0, Math.SQRT2 * Math.log(2), -Infinity]);
    const x = f64([0, 3]);
    expect(arr(gradients(x.pow(0).sum(), [x])[0])).toEqual([0, 0]);
  });

  it("pow: second derivatives at a zero base are finite and match the calculus (d²x²/dx² = 2)", () => {
    const a = f64([0]), b = f64([2]);
    const [da] = gradients(a.pow(b).sum(), [a], { createGraph: true });
    const [daa, dab] = gradients(da.sum(), [a, b]);
    expect([daa.item(), dab.item()]).toEqual([2, 0]);
    const z = f64([0]);
    const [dz] = gradients(z.pow(0).sum(), [z], { createGraph: true });
    expect(gradients(dz.sum(), [z])[0].item()).toBe(0);
  });

  it("div: ∂b is −ḡ·(a/b)/b, so a zero numerator gives 0 even where b² underflows (float32)", () => {
    const a = tensor([0, 1e-20], { requiresGrad: true }), b = tensor([1e-30, 1e-20], { requiresGrad: true });
    const [, db] = gradients(a.div(b).sum(), [a, b]);
    expect(Math.abs(arr(db)[0])).toBe(0);
    expect(arr(db)[1]).toBeCloseTo(-1e20, -14);
  });

  it("relu, maximum, minimum and max send exactly 0 to unselected entries, even under an infinite upstream", () => {
    // log at 0 sends ∞ back; PyTorch masks (where / masked_fill) rather than multiplying by a 0/1 mask
    const x = f64([0, 2]);
    expect(arr(gradients(x.relu().log().sum(), [x])[0])).toEqual([0, 0.5]);
    const a = f64([0, 1]), b = f64([-1, 1]);
    const [ga, gb] = gradients(maximum(a, b).log().sum(), [a, b]);
    expect([arr(ga), arr(gb)]).toEqual([[Infinity, 0.5], [0, 0.5]]);
    const c = f64([1, 1]);
    const [ma, mc] = gradients(minimum(a, c).log().sum(), [a, c]);
    expect([arr(ma), arr(mc)]).toEqual([[Infinity, 0.5], [0, 0.5]]);
    const m = f64([0, -1]);
    expect(arr(gradients(m.max().log(), [m])[0])).toEqual([Infinity, 0]);
  });

  it("sign has a zero gradient (PyTorch), not an error on backward", () => {
    const x = f64([-2, 0, 3]);
    x.sign().sum().backward();
    expect(arr(x.grad!)).toEqual([0, 0, 0]);
    const [g] = gradients(x.sign().mul(x).sum(), [x]);
    expect(arr(g)).toEqual([-1, 0, 1]);
  });
});

describe("log-softmax keeps float32 precision for large logits", () => {
  const logits = [1000, 1000.5, 999.25, 1001, 998];
  const want = logits.map((v) => {
    const m = Math.max(...logits);
    return v - m - Math.log(logits.reduce((s, u) => s + Math.exp(u - m), 0));
  });

  it("computes (x − m) − log Σ exp(x − m): within 1e-6 of float64 at logits ≈ 1000", () => {
    const x = tensor(logits);
    const ls = logSoftmax(x);
    expect(ls.dtype).toBe("float32");
    for (let i = 0; i < want.length; i++) expect(Math.abs(ls.data[i] - want[i])).toBeLessThan(1e-6);
    const p = softmax(x);
    for (let i = 0; i < want.length; i++) expect(Math.abs(p.data[i] - Math.exp(want[i]))).toBeLessThan(1e-6 * Math.exp(want[i]) + 1e-9);
  });

  it("does the same in float64 at 1e16, and so does the fused cross-entropy forward", () => {
    const big = [1e16, 1e16 + 2];
    const exact = [-2 - Math.log1p(Math.exp(-2)), -Math.log1p(Math.exp(-2))];
    const ls = logSoftmax(tensor(big, { dtype: "float64" }));
    expect(Math.abs(ls.data[0] - exact[0])).toBeLessThan(1e-15);
    expect(Math.abs(ls.data[1] - exact[1])).toBeLessThan(1e-15);
    const loss = softmaxCrossEntropy(tensor([big], { dtype: "float64" }), tensor([[1, 0]], { dtype: "float64" }));
    expect(Math.abs(loss.item() + exact[0])).toBeLessThan(1e-15);
    const perRow = crossEntropy(tensor([big, big], { dtype: "float64" }), idx([0, 1], [2]), { reduction: "none" });
    expect(Math.abs(perRow.data[0] + exact[0]) + Math.abs(perRow.data[1] + exact[1])).toBeLessThan(1e-15);
  });
});

describe("gather and scatterAdd accept an index smaller than the input outside the axis (torch.gather, torch.scatter_add)", () => {
  const x = f64([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);

  it("gather: out[i][j] = x[i][index[i][j]] over the index's shape, gradient scattered back into x's shape", () => {
    const index = idx([3, 0, 1, 1], [2, 2]);
    const out = gather(x, 1, index);
    expect(out.shape).toEqual([2, 2]);
    expect(out.toArray()).toEqual([[4, 1], [6, 6]]);
    const [g] = gradients(out.mul(f64([[1, 2], [3, 4]], false)).sum(), [x]);
    expect(g.toArray()).toEqual([[2, 0, 0, 1], [0, 7, 0, 0], [0, 0, 0, 0]]);
    expect(gather(x, 0, idx([2, 0], [1, 2])).toArray()).toEqual([[9, 2]]);
  });

  it("scatterAdd: reads only the index's part of the source and adds into a larger output", () => {
    const src = f64([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const out = scatterAdd(src, 1, idx([1, 1, 0, 3], [2, 2]), [3, 4]);
    expect(out.toArray()).toEqual([[0, 3, 0, 0], [4, 0, 0, 5], [0, 0, 0, 0]]);
    const [g] = gradients(out.mul(f64([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], false)).sum(), [src]);
    expect(g.toArray()).toEqual([[2, 2, 0], [5, 8, 0], [0, 0, 0]]);
  });

  it("still rejects an index larger than the input outside the axis", () => {
    expect(() => gather(x, 1, idx([0, 0, 0, 0, 0, 0, 0, 0], [4, 2]))).toThrow(ShapeError);
    expect(() => gather(x, 1, idx([0, 0], [2]))).toThrow(ShapeError);
  });
});

describe("integer results carry no gradient, as PyTorch's integer tensors", () => {
  it("a cast to int32 cuts the graph: its output does not require a gradient", () => {
    const x = f64([1.5, -2.5]);
    const i = x.int();
    expect(i.requiresGrad).toBe(false);
    expect(x.mul(2).add(i.double()).sum().requiresGrad).toBe(true);
    const [g] = gradients(x.mul(2).add(i.double()).sum(), [x]);
    expect(arr(g)).toEqual([2, 2]);
  });
});

describe("nested grad differentiates through the inner gradient (torch.autograd.grad with create_graph)", () => {
  it("grad(x ↦ Σ grad(f, { createGraph })(x)) is the second derivative, not zero", () => {
    const f = (x: Tensor) => x.mul(x).mul(x).sum();
    const df = grad(f, { createGraph: true });
    const d2 = grad((x: Tensor) => (df(x) as Tensor).sum());
    expect(arr(d2(f64([1, -2], false)))).toEqual([6, -12]);
    const [, dfv] = valueAndGrad(f, { createGraph: true })(f64([3], false));
    expect(dfv.item()).toBe(27);
  });
});
