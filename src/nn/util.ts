import { ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

/** A size given once for both spatial dimensions, or as [height, width]. */
export type Size2 = number | readonly [number, number];

/** @internal a Size2 as [height, width], checked. */
export function pair2(v: Size2, what: string, min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [NaN, NaN];
  if (!p.every((d) => Number.isInteger(d) && d >= min))
    throw new ValueError(`${what}: expected an integer ≥ ${min} or two of them, found ${JSON.stringify(v) ?? String(v)}`);
  return p;
}

/** @internal checks a positional argument that must be an integer (so that an options object there is an error). */
export function integer(where: string, name: string, v: unknown): void {
  if (!Number.isInteger(v)) throw new ValueError(`${where}: ${name} must be an integer, found ${JSON.stringify(v)}`);
}

/** @internal checks an argument that must be a Tensor (or null, when `orNull`). */
export function tensorArg(where: string, name: string, v: unknown, orNull = false): void {
  if (!(v instanceof Tensor) && !(orNull && v === null))
    throw new ValueError(`${where}: ${name} must be a Tensor${orNull ? " or null" : ""}, found ${v === null ? "null" : typeof v}`);
}

/** @internal a normalized shape given as one size or a list of sizes, checked (positive integers). */
export function shapeArg(where: string, v: number | readonly number[]): number[] {
  const ns = typeof v === "number" ? [v] : Array.isArray(v) ? [...v] : null;
  if (ns === null || !ns.every((d) => Number.isInteger(d) && d > 0))
    throw new ValueError(`${where}: normalizedShape must be a positive integer or a list of them, found ${JSON.stringify(v) ?? String(v)}`);
  return ns;
}
