import { describe, expect, it } from "vitest";
import { ValueError, grad, gradcheck, gradients, oneHot, tensor, valueAndGrad } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

describe("options objects of the core reject unknown keys (with a did-you-mean)", () => {
  const sq = (x: Tensor) => x.mul(x).sum();

  it("gradcheck, grad, valueAndGrad, gradients and backward", () => {
    const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    expect(() => gradcheck(sq, [x], { tol: 1e-3 } as any)).toThrow(new ValueError('gradcheck: unknown option "tol" (did you mean "atol"?); expected one of eps, atol, rtol, maxJacobian, directions, seed'));
    expect(() => grad(sq, { argnum: 0 } as any)).toThrow(/grad: unknown option "argnum" \(did you mean "argnums"\?\)/);
    expect(() => valueAndGrad(sq, { createGraf: true } as any)).toThrow(/valueAndGrad: unknown option "createGraf" \(did you mean "createGraph"\?\)/);
    expect(() => gradients(sq(x), [x], { retain_graph: true } as any)).toThrow(/gradients: unknown option "retain_graph"/);
    expect(() => sq(x).backward({ retainGraf: true } as any)).toThrow(/backward: unknown option "retainGraf" \(did you mean "retainGraph"\?\)/);
    expect(() => sq(x).backward(undefined, { gradOutput: x } as any)).toThrow(/backward: unknown option "gradOutput"/);
  });

  it("still accept every documented key", () => {
    const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    expect(gradcheck(sq, [x], { eps: 1e-6, atol: 1e-5, rtol: 1e-3, maxJacobian: 10, directions: 2, seed: 1 }).ok).toBe(true);
    expect(Array.from(grad(sq, { argnums: 0, retainGraph: true, createGraph: false })(x).data)).toEqual([2, 4]);
    expect(valueAndGrad(sq, { argnums: [0], createGraph: true })(x)[0].item()).toBe(5);
    expect(Array.from(gradients(sq(x), [x], { gradOutput: tensor(2, { dtype: "float64" }), retainGraph: false, createGraph: false })[0].data)).toEqual([4, 8]);
  });

  it("oneHot", () => {
    const y = tensor([0, 2], { dtype: "int32" });
    expect(() => oneHot(y, 3, { dtpye: "float64" } as any)).toThrow(/oneHot: unknown option "dtpye" \(did you mean "dtype"\?\)/);
    expect(oneHot(y, 3, { dtype: "float64" }).dtype).toBe("float64");
  });
});
