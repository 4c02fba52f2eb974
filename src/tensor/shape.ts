import { ShapeError, ValueError } from "../errors.js";
import { describeValue } from "./format.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

/** NumPy broadcasting of two shapes; throws a ShapeError naming the op. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1)
      throw new ShapeError(
        `${op}: cannot broadcast ${fmtShape(a)} with ${fmtShape(b)}: dimension ${i} is ${da} in one and ${db} in the other`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a contiguous tensor of `shape` as if it had `outShape` (0 on broadcast dimensions). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const st = contiguousStrides(shape);
  const lead = outShape.length - shape.length;
  const out = new Array<number>(outShape.length);
  for (let i = 0; i < outShape.length; i++) out[i] = i < lead || shape[i - lead] === 1 ? 0 : st[i - lead];
  return out;
}

/**
 * An axis in [−rank, rank) as a non-negative index (a 0-d tensor takes 0 and −1, as in PyTorch);
 * `of` is the rank named in the error (unsqueeze and stack take one axis more than the tensor has).
 */
export function normalizeAxis(axis: number, rank: number, op: string, of = rank): number {
  const n = Math.max(rank, 1);
  if (Number.isInteger(axis) && axis >= -n && axis < n) return axis < 0 ? axis + n : axis;
  // NOTE: an axis that is no integer is a ValueError; an integer axis that the tensor does not have, a ShapeError (the shape does not fit).
  if (!Number.isInteger(axis)) throw new ValueError(`${op}: axis must be an integer, found ${describeValue(axis)}`);
  throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${of} (expected an integer from ${-n} to ${n - 1})`);
}

/** Sorted, unique, non-negative axes; `undefined` means all axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes !== "number" && !Array.isArray(axes))
    throw new ValueError(`${op}: axis must be an integer or a list of integers, found ${describeValue(axes)}`);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(a, rank, op)))].sort((x, y) => x - y);
  return rank === 0 ? [] : out;
}

export function checkShape(shape: unknown, op: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ShapeError(`${op}: expected a shape of non-negative integers, found ${JSON.stringify(shape)}`);
  return shape as number[];
}
