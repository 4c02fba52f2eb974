import { ValueError } from "../errors.js";

/** A size given once for both spatial dimensions, or as [height, width]. */
export type Size2 = number | readonly [number, number];

/** @internal a Size2 as [height, width], checked. */
export function pair2(v: Size2, what: string, min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= min)) throw new ValueError(`${what}: expected integers ≥ ${min}, found ${JSON.stringify(v)}`);
  return p;
}
