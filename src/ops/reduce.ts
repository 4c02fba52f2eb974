import type { ReduceOp } from "../kernels/backend.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { contiguousStrides, normalizeAxes, sizeOf, type Shape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { boolArg, tensorArg } from "../tensor/args.js";
import { kernels } from "./op.js";

export interface ReduceAttrs {
  axes: number[];
  keepDims: boolean;
}

/** The checked arguments of a reduction: x a Tensor, axes in range, keepDims a flag. */
export function reduceAttrs(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean, op: string): ReduceAttrs {
  if (!(x instanceof Tensor)) tensorArg(x, op, 1);
  if (keepDims !== true && keepDims !== false) boolArg(keepDims, op, "keepDims");
  return { axes: normalizeAxes(axis, x.ndim, op), keepDims };
}

/** The output shape of a reduction, and the shape with the reduced axes kept as 1. */
export function reducedShape(shape: Shape, { axes, keepDims }: ReduceAttrs): number[] {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return keepDims ? kept : shape.filter((_, i) => !axes.includes(i));
}

export function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Reduces `axes` of x: moves them last with a strided copy unless they already are, then reduces blocks. */
export function reduceForward(op: ReduceOp, x: Tensor, axes: readonly number[], dtype: DType): TypedArray {
  const r = x.ndim;
  const kept = [...Array(r).keys()].filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const outer = sizeOf(kept.map((i) => x.shape[i]));
  const inner = sizeOf(axes.map((i) => x.shape[i]));
  let src = x.data;
  if (perm.some((p, i) => p !== i)) {
    const st = contiguousStrides(x.shape);
    src = kernels().alloc(x.dtype, x.size);
    kernels().copy(x.data, 0, perm.map((p) => st[p]), perm.map((p) => x.shape[p]), src, 0);
  }
  const out = kernels().alloc(dtype, outer);
  kernels().reduce(op, src, outer, inner, out);
  return out;
}
