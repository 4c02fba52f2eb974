import { ShapeError } from "../errors.js";
import { abs, cast, mul, requireFloat, sub } from "../ops/functions.js";
import { checkOptions } from "../options.js";
import { tensorArg } from "../tensor/args.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Reduction, reduce } from "./reduction.js";

/** @internal checks that input and target have one shape (no silent broadcasting of [N] against [N, 1]). */
export function sameShape(op: string, input: Tensor, target: Tensor): Tensor {
  requireFloat(input, op, 1);
  tensorArg(target, op, 2);
  if (!shapesEqual(input.shape, target.shape))
    throw new ShapeError(`${op}: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} differ in shape`);
  return target.dtype === input.dtype ? target : cast(target, input.dtype);
}

/**
 * Mean squared error: (input − target)², reduced.
 * @example mse(pred, y); // scalar
 */
export function mse(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor {
  const { reduction } = checkOptions("mse", opts, ["reduction"]);
  const d = sub(input, sameShape("mse", input, target));
  return reduce(mul(d, d), reduction, "mse");
}

/**
 * Mean absolute error: |input − target|, reduced.
 * @example l1(pred, y, { reduction: "sum" });
 */
export function l1(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor {
  const { reduction } = checkOptions("l1", opts, ["reduction"]);
  return reduce(abs(sub(input, sameShape("l1", input, target))), reduction, "l1");
}
