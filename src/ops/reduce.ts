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

/**
 * Reduces `axes` of x: a run of consecutive axes in one kernel call over the view [outer, axis,
 * inner]; other sets of axes are moved last by a strided copy first.
 */
export function reduceForward(op: ReduceOp, x: Tensor, axes: readonly number[], dtype: DType): TypedArray {
  const K = kernels(x.dtype);
  const kept = [...Array(x.ndim).keys()].filter((i) => !axes.includes(i));
  const size = (dims: readonly number[]) => sizeOf(dims.map((i) => x.shape[i]));
  const out = K.alloc(dtype, size(kept));
  if (axes.length === 0 || axes[axes.length - 1] - axes[0] === axes.length - 1) {
    const first = axes.length ? axes[0] : x.ndim;
    K.reduce(op, x.data, size(kept.filter((i) => i < first)), size(axes), size(kept.filter((i) => i > first)), out);
    return out;
  }
  const perm = [...kept, ...axes];
  const st = contiguousStrides(x.shape);
  const src = K.alloc(x.dtype, x.size);
  K.copy(x.data, 0, perm.map((p) => st[p]), perm.map((p) => x.shape[p]), src, 0);
  K.reduce(op, src, size(kept), size(axes), 1, out);
  return out;
}
