import { expect } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
// NOTE: the Tensor methods (add, mul, backward, …) are installed by the ops layer; these tests call them on bare tensors.
import "../../src/ops/functions.js";

/** Shapes and starting values of the small float64 problem. */
export const SHAPES = [[2, 3], [4]];
export const init = (): number[][] => SHAPES.map((s, k) => Array.from({ length: s.reduce((a, b) => a * b) }, (_, i) => Math.cos(1.3 * i + k) * 1.5));
export const makeParams = (values = init(), dtype: "float64" | "float32" = "float64"): Tensor[] =>
  values.map((v, k) => tensor(v, { dtype, shape: SHAPES[k], requiresGrad: true }));

/** A non-linear gradient field, the same for the library and the reference. */
export const gradOf = (w: ArrayLike<number>, k: number): number[] =>
  Array.from(w, (x, i) => 0.5 * (i + 1 + k) * (x - Math.sin(i + k)) + 0.1 * x * x * x);

export function setGrads(ps: Tensor[]): void {
  ps.forEach((p, k) => (p.grad = tensor(Float64Array.from(gradOf(p.data, k)), { dtype: p.dtype, shape: p.shape })));
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]} (error ${err})`);
  }
}

export function expectThrows(fn: () => unknown, type: new (...a: any[]) => Error, ...parts: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(type);
  for (const p of parts) expect((err as Error).message).toContain(p);
}
