import { expect } from "vitest";
import { gradcheck, type GradcheckOptions } from "../../src/autograd/gradcheck.js";
import { randn } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";

/** Asserts that gradcheck passes, showing the worst entry when it does not. */
export function expectGradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): void {
  const r = gradcheck(fn, inputs, opts);
  expect(r.ok, `gradcheck failed (${r.mode}): worst ${JSON.stringify(r.worst)}`).toBe(true);
}

/** float64 standard normal values from a seeded generator. */
export function rnd(shape: number[], seed: number): Tensor {
  return randn(shape, { dtype: "float64", generator: new Generator(seed) });
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++)
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]))))
      expect.fail(`entry ${i}: ${actual[i]} vs expected ${expected[i]} (tolerance ${tol})`);
}
