import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { contiguousStrides, fmtShape, shapesEqual, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { F } from "./api.js";
import { type OpDef, kernels } from "./op.js";

function blocks(shape: readonly number[], axis: number): [number, number] {
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis + 1))];
}

/** `shape` with the index's sizes outside `axis`: the part of a tensor that an index smaller than it reaches. */
const reached = (shape: readonly number[], index: Tensor, axis: number) => index.shape.map((d, i) => (i === axis ? shape[axis] : d));

/** As torch.gather: the index has x's rank, at most x's size outside `axis`, and values in range along it. */
export function checkIndex(op: string, x: readonly number[], index: Tensor, axis: number): void {
  if (index.dtype !== "int32") throw new DTypeError(`${op}: the index must be int32, found ${index.dtype}`);
  if (index.ndim !== x.length || index.shape.some((d, i) => i !== axis && d > x[i]))
    throw new ShapeError(`${op}: index of shape ${fmtShape(index.shape)} does not fit ${fmtShape(x)} outside axis ${axis} (it must have the rank ${x.length} and sizes at most those)`);
  const n = x[axis];
  for (const v of index.data)
    if (v < 0 || v >= n) throw new ValueError(`${op}: index ${v} is out of range for axis ${axis} of size ${n}`);
}

/** The leading block of `shape` of x's data (a strided copy; x itself when it is that whole). */
function leadingBlock(x: Tensor, shape: readonly number[]): TypedArray {
  if (shapesEqual(x.shape, shape)) return x.data;
  const K = kernels(x.dtype);
  const out = K.alloc(x.dtype, sizeOf(shape));
  K.copy(x.data, 0, contiguousStrides(x.shape), shape, out, 0);
  return out;
}

// out[…, i, …] = x[…, index[…, i, …], …] (the index may be smaller than x outside the axis): ∂x = scatterAdd(ḡ, index)
export const gatherDef: OpDef<{ axis: number }> = {
  name: "gather",
  infer([x, index], { axis }) {
    checkIndex("gather", x.shape, index, axis);
    return { shape: index.shape, dtype: x.dtype };
  },
  forward([x, index], { axis }, shape, dtype) {
    const out = kernels(dtype).alloc(dtype, sizeOf(shape));
    const part = reached(x.shape, index, axis);
    const [outer, inner] = blocks(part, axis);
    kernels(dtype).gather(leadingBlock(x, part), x.shape[axis], index.data as Int32Array, outer, index.shape[axis], inner, out);
    return out;
  },
  vjp: (g, { inputs: [x, index], attrs: { axis } }) => [F.scatterAdd(g, axis, index, x.shape), null],
  formula: { x: "scatterAdd(ḡ, index)" },
  vocab: { name: "gather", display: "gather", latex: "\\operatorname{gather}", form: "call" },
};

// out = zeros(shape); out[…, index[…, i, …], …] += src[…, i, …] (as torch.scatter_add, src and out may be larger than the index): ∂src = gather(ḡ, index), zero beyond the index
export const scatterAddDef: OpDef<{ axis: number; shape: readonly number[] }> = {
  name: "scatterAdd",
  infer([src, index], { axis, shape }) {
    if (shape.length !== src.ndim) throw new ShapeError(`scatterAdd: source ${fmtShape(src.shape)} and output ${fmtShape(shape)} differ in rank`);
    checkIndex("scatterAdd", shape, index, axis);
    if (index.shape.some((d, i) => d > src.shape[i])) throw new ShapeError(`scatterAdd: index ${fmtShape(index.shape)} is larger than the source ${fmtShape(src.shape)}`);
    return { shape, dtype: src.dtype };
  },
  forward([src, index], { axis }, shape, dtype) {
    const part = reached(shape, index, axis);
    const whole = shapesEqual(part, shape);
    const K = kernels(dtype);
    const buf = K.alloc(dtype, sizeOf(part));
    const [outer, inner] = blocks(part, axis);
    K.scatterAdd(leadingBlock(src, index.shape), index.data as Int32Array, outer, index.shape[axis], inner, shape[axis], buf);
    if (whole) return buf;
    const out = K.alloc(dtype, sizeOf(shape));
    K.addInto(buf, out, 0, contiguousStrides(shape), part);
    return out;
  },
  vjp(g, { inputs: [src, index], attrs: { axis } }) {
    let gs = F.gather(g, axis, index);
    // NOTE: the source beyond the index is not read; its gradient is zero there (sliceBackward pads, axis by axis).
    src.shape.forEach((d, i) => {
      if (gs.shape[i] !== d) gs = F.sliceBackward(gs, gs.shape.map((e, j) => (j === i ? d : e)), { axis: i, start: 0, length: gs.shape[i], step: 1 });
    });
    return [gs, null];
  },
  formula: { src: "gather(ḡ, index), 0 beyond the index" },
  vocab: { name: "scatterAdd", display: "scatterAdd", latex: "\\operatorname{scatterAdd}", form: "call" },
};
