// matmul's shape rules and errors, by PyTorch's semantics: 1-D·1-D is a dot product, a 1-D operand loses its axis,
// batch dimensions broadcast. Every refusal names the op, both operands' shapes and what was expected.
// The result shapes are torch 1.13's: torch.matmul(torch.randn(a), torch.randn(b)).shape.
import { describe, expect, it } from "vitest";
import { ShapeError, matmul, randn } from "../../src/index.js";
import { matmulShape } from "../../src/ops/matmul.js";

const shapeError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    return (e as Error).message;
  }
  throw new Error("expected a ShapeError");
};

describe("matmul shapes", () => {
  it("gives PyTorch's result shapes, 1-D operands included", () => {
    const cases: [number[], number[], number[]][] = [
      [[3], [3], []], [[3], [3, 5], [5]], [[4, 3], [3], [4]], [[2, 1, 4, 3], [5, 3, 6], [2, 5, 4, 6]], [[3], [2, 3, 5], [2, 5]], [[2, 4, 3], [3], [2, 4]],
    ];
    for (const [a, b, out] of cases) expect(matmulShape(a, b), `${a} @ ${b}`).toEqual(out);
    for (const [a, b, out] of cases.filter(([a, b]) => a.length > 1 && b.length > 1)) expect(matmul(randn(a), randn(b)).shape).toEqual(out);
    // op(A)·op(B): the transposes take the other axis as the inner one
    expect(matmulShape([3, 4], [5, 3], true, true)).toEqual([4, 5]);
  });

  it("names the op, both shapes and what was expected, for every kind of mismatch", () => {
    expect(() => matmulShape([3], [4])).toThrow(new ShapeError("matmul: cannot multiply [3] by [4]: inner dimensions 3 and 4 differ; expected vectors of the same length (a dot product)"));
    expect(() => matmulShape([3], [4, 5])).toThrow(new ShapeError("matmul: cannot multiply [3] by [4, 5]: inner dimensions 3 and 4 differ; expected the first's length to equal the second's second-to-last dimension"));
    expect(() => matmulShape([4, 3], [5])).toThrow(new ShapeError("matmul: cannot multiply [4, 3] by [5]: inner dimensions 3 and 5 differ; expected the first's last dimension to equal the second's length"));
    expect(() => matmulShape([], [3])).toThrow(new ShapeError("matmul: cannot multiply [] by [3]: expected tensors of rank 1 or more, found rank 0 and 1 (a scalar multiplies with mul)"));
    expect(() => matmulShape([3, 4], [3, 5], true, true)).toThrow(new ShapeError("matmul: cannot multiply [3, 4] by [3, 5]: inner dimensions 3 and 5 differ; expected the first's second-to-last dimension to equal the second's last dimension"));
    const m1 = shapeError(() => matmul(randn([4, 3]), randn([4, 5])));
    expect(m1).toBe("matmul: cannot multiply [4, 3] by [4, 5]: inner dimensions 3 and 4 differ; expected the first's last dimension to equal the second's second-to-last dimension");
    const m2 = shapeError(() => matmul(randn([2, 4, 3]), randn([3, 3, 5])));
    expect(m2).toBe("matmul: cannot multiply [2, 4, 3] by [3, 3, 5]: expected batch dimensions that broadcast, found [2] and [3]");
    const m3 = shapeError(() => matmul(randn([2, 2, 4, 3]), randn([3, 1, 3, 5])));
    expect(m3).toBe("matmul: cannot multiply [2, 2, 4, 3] by [3, 1, 3, 5]: expected batch dimensions that broadcast, found [2, 2] and [3, 1]");
  });
});
