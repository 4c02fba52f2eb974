import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { describeValue } from "./format.js";
import { Tensor } from "./tensor.js";

// NOTE: each check is one `instanceof`/`typeof` on the way in; the message is built only on failure, so
// that the hot path (an add of two small tensors) does not pay for it.

/** `x` when it is a Tensor; otherwise a ValueError "op: expected a Tensor for argument n, found …". */
export function tensorArg(x: unknown, op: string, position: number): Tensor {
  if (x instanceof Tensor) return x;
  throw new ValueError(`${op}: expected a Tensor for argument ${position}, found ${describeValue(x)}`);
}

/** @internal the error for an operand that is neither a Tensor nor a number. */
export function badOperand(x: unknown, op: string, position: number): ValueError {
  return new ValueError(`${op}: expected a Tensor or a number for argument ${position}, found ${describeValue(x)}`);
}

/** A list of tensors (concat, stack, gradients, gradcheck): each element checked, the bad one named. */
export function tensorList(xs: unknown, op: string, what = "a list of Tensors"): Tensor[] {
  if (!Array.isArray(xs)) throw new ValueError(`${op}: expected ${what}, found ${describeValue(xs)}`);
  for (let i = 0; i < xs.length; i++)
    if (!(xs[i] instanceof Tensor)) throw new ValueError(`${op}: expected ${what}; element ${i} is ${describeValue(xs[i])}`);
  return xs as Tensor[];
}

/** A number argument (a slope, a bound, a weight): NaN is refused too. */
export function numberArg(v: unknown, op: string, name: string): number {
  if (typeof v === "number" && !Number.isNaN(v)) return v;
  throw new ValueError(`${op}: ${name} must be a number, found ${describeValue(v)}`);
}

/** An integer argument (a slice bound, an index). */
export function intArg(v: unknown, op: string, name: string): number {
  if (Number.isInteger(v)) return v as number;
  throw new ValueError(`${op}: ${name} must be an integer, found ${describeValue(v)}`);
}

/** A flag (keepDims, retainGraph): only true or false. */
export function boolArg(v: unknown, op: string, name: string): boolean {
  if (v === true || v === false) return v;
  throw new ValueError(`${op}: ${name} must be true or false, found ${describeValue(v)}`);
}

/** A function argument (noGrad, grad, gradcheck). */
export function fnArg<F>(f: F, op: string, what = "a function"): F {
  if (typeof f === "function") return f;
  throw new ValueError(`${op}: expected ${what}, found ${describeValue(f)}`);
}

/**
 * A shape argument of reshape/expand/scatterAdd: an array of integers, each ≥ 0, or −1 where `free`
 * says that −1 is allowed (reshape's inferred size, expand's kept size). A ShapeError otherwise, as
 * for the creation functions.
 */
export function shapeArg(shape: unknown, op: string, free = false): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: expected a shape such as [2, 3], found ${describeValue(shape)}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < (free ? -1 : 0))
      throw new ShapeError(`${op}: expected a shape of ${free ? "sizes ≥ 0 (or −1)" : "non-negative integers"}, found ${listText(shape)}`);
  return shape;
}

/** A list as it would be written: `[2, "a", null]`. */
export function listText(xs: readonly unknown[]): string {
  return `[${xs.map((v) => (typeof v === "number" ? String(v) : (JSON.stringify(v) ?? String(v)))).join(", ")}]`;
}

/** An index tensor (gather, scatterAdd, indexSelect): an int32 Tensor, a DTypeError for floats. */
export function indexArg(index: unknown, op: string, position: number): Tensor {
  const t = tensorArg(index, op, position);
  if (t.dtype !== "int32") throw new DTypeError(`${op}: the index must be an int32 tensor, found ${t.dtype}; convert it with .int()`);
  return t;
}
