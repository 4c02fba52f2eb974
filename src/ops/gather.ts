import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { fmtShape, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import * as F from "./functions.js";
import { type OpDef, kernels } from "./op.js";

function blocks(shape: readonly number[], axis: number): [number, number] {
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis + 1))];
}

export function checkIndex(op: string, x: readonly number[], index: Tensor, axis: number): void {
  if (index.dtype !== "int32") throw new DTypeError(`${op}: the index must be int32, found ${index.dtype}`);
  if (index.ndim !== x.length || index.shape.some((d, i) => i !== axis && d !== x[i]))
    throw new ShapeError(`${op}: index of shape ${fmtShape(index.shape)} does not fit ${fmtShape(x)} outside axis ${axis}`);
  const n = x[axis];
  for (const v of index.data)
    if (v < 0 || v >= n) throw new ValueError(`${op}: index ${v} is out of range for axis ${axis} of size ${n}`);
}

// out[…, i, …] = x[…, index[…, i, …], …]: ∂x = scatterAdd(ḡ, index)
export const gatherDef: OpDef<{ axis: number }> = {
  name: "gather",
  infer([x, index], { axis }) {
    checkIndex("gather", x.shape, index, axis);
    return { shape: index.shape, dtype: x.dtype };
  },
  forward([x, index], { axis }, shape, dtype) {
    const out = kernels().alloc(dtype, sizeOf(shape));
    const [outer, inner] = blocks(x.shape, axis);
    kernels().gather(x.data, x.shape[axis], index.data as Int32Array, outer, index.shape[axis], inner, out);
    return out;
  },
  vjp: (g, { inputs: [x, index], attrs: { axis } }) => [F.scatterAdd(g, axis, index, x.shape), null],
  formula: "∂x = scatterAdd(ḡ, index)",
};

// out = zeros(shape); out[…, index[…, i, …], …] += src[…, i, …]: ∂src = gather(ḡ, index)
export const scatterAddDef: OpDef<{ axis: number; shape: readonly number[] }> = {
  name: "scatterAdd",
  infer([src, index], { axis, shape }) {
    checkIndex("scatterAdd", shape.map((d, i) => (i === axis ? d : src.shape[i])), index, axis);
    if (!src.shape.every((d, i) => d === index.shape[i])) throw new ShapeError(`scatterAdd: source ${fmtShape(src.shape)} and index ${fmtShape(index.shape)} differ`);
    return { shape, dtype: src.dtype };
  },
  forward([src, index], { axis }, shape, dtype) {
    const out = kernels().alloc(dtype, sizeOf(shape));
    const [outer, inner] = blocks(shape, axis);
    kernels().scatterAdd(src.data, index.data as Int32Array, outer, index.shape[axis], inner, shape[axis], out);
    return out;
  },
  vjp: (g, { inputs: [, index], attrs: { axis } }) => [F.gather(g, axis, index), null],
  formula: "∂src = gather(ḡ, index)",
};
