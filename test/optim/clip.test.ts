import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { tensor } from "../../src/tensor/create.js";
import { clipGradNorm, clipGradValue } from "../../src/optim/index.js";
import { expectClose, expectThrows } from "./helpers.js";

const withGrads = (...gs: number[][]) =>
  gs.map((g) => {
    const p = tensor(g.map(() => 0), { dtype: "float64", requiresGrad: true });
    p.grad = tensor(g, { dtype: "float64" });
    return p;
  });

describe("clipGradNorm", () => {
  it("returns the total 2-norm and scales by maxNorm / (norm + 1e-6)", () => {
    const ps = withGrads([3, 4], [12]);
    const norm = clipGradNorm(ps, 6.5);
    expect(norm).toBe(13);
    const c = 6.5 / (13 + 1e-6);
    expectClose(ps[0].grad!.data, [3 * c, 4 * c], 1e-15);
    expectClose(ps[1].grad!.data, [12 * c], 1e-15);
  });

  it("leaves gradients under the limit alone and skips parameters without one", () => {
    const ps = withGrads([3, 4]);
    const none = tensor([1], { requiresGrad: true });
    const g = ps[0].grad;
    expect(clipGradNorm([...ps, none], 6)).toBeCloseTo(5, 15);
    expect(ps[0].grad).toBe(g);
    expect([...g!.data]).toEqual([3, 4]);
    expect(none.grad).toBeNull();
    expect(clipGradNorm([none], 1)).toBe(0);
  });

  it("supports other norms", () => {
    expect(clipGradNorm(withGrads([3, -4], [1]), 100, { normType: 1 })).toBe(8);
    const ps = withGrads([3, -4], [1]);
    expect(clipGradNorm(ps, 2, { normType: Infinity })).toBe(4);
    expectClose(ps[0].grad!.data, [(3 * 2) / (4 + 1e-6), (-4 * 2) / (4 + 1e-6)], 1e-15);
    expectClose([clipGradNorm(withGrads([1, 2, 3]), 100, { normType: 3 })], [Math.cbrt(36)], 1e-15);
    expectThrows(() => clipGradNorm(withGrads([1]), 1, { normType: 0 }), ValueError, "normType");
    expectThrows(() => clipGradNorm(withGrads([NaN]), 1, { errorIfNonfinite: true }), ValueError, "NaN");
  });

  it("scales each parameter once when two share one gradient tensor, leaving that tensor as it was", () => {
    const a = tensor([0, 0], { dtype: "float64", requiresGrad: true });
    const b = tensor([0, 0], { dtype: "float64", requiresGrad: true });
    const g = tensor([3, 4], { dtype: "float64" });
    a.grad = b.grad = g;
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(Math.sqrt(50), 14);
    const c = 1 / (Math.sqrt(50) + 1e-6);
    expectClose(a.grad.data, [3 * c, 4 * c], 1e-15);
    expectClose(b.grad.data, [3 * c, 4 * c], 1e-15);
    expect([...g.data]).toEqual([3, 4]);
  });

  it("clips gradients that came from backward", () => {
    const a = tensor([1, 1], { dtype: "float64", requiresGrad: true });
    const b = tensor([2, 2], { dtype: "float64", requiresGrad: true });
    a.add(b).mul(tensor([3, 4], { dtype: "float64" })).sum().backward();
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(Math.sqrt(50), 14);
    const c = 1 / (Math.sqrt(50) + 1e-6);
    expectClose(a.grad!.data, [3 * c, 4 * c], 1e-15);
    expectClose(b.grad!.data, [3 * c, 4 * c], 1e-15);
  });

  it("clips when the norm equals maxNorm (the 1e-6 makes the factor just under 1), as PyTorch", () => {
    const ps = withGrads([3, 4]);
    clipGradNorm(ps, 5);
    expectClose(ps[0].grad!.data, [3 * (5 / (5 + 1e-6)), 4 * (5 / (5 + 1e-6))], 1e-15);
  });
});

describe("clipGradValue", () => {
  it("clamps every element", () => {
    const ps = withGrads([-3, 0.2, 5], [0.5]);
    clipGradValue(ps, 1);
    expect([...ps[0].grad!.data]).toEqual([-1, 0.2, 1]);
    expect([...ps[1].grad!.data]).toEqual([0.5]);
    expectThrows(() => clipGradValue(ps, -1), ValueError, "clipValue");
  });
});
