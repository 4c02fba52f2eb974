import { ShapeError } from "../errors.js";
import { promote } from "../tensor/dtype.js";
import { contiguousStrides, fmtShape, sizeOf } from "../tensor/shape.js";
import { F } from "./api.js";
import { type OpDef, keyOf, kernels } from "./op.js";

// ∂concat(x₁, …, xₖ) = the slices of ḡ that each xᵢ filled
export const concatDef: OpDef<{ axis: number }> = {
  name: "concat",
  infer(xs, { axis }) {
    if (xs.length === 0) throw new ShapeError(`concat: expected at least one tensor, found none`);
    const first = xs[0];
    let total = 0;
    let dtype = first.dtype;
    for (const x of xs) {
      if (x.ndim !== first.ndim || x.shape.some((d, i) => i !== axis && d !== first.shape[i]))
        throw new ShapeError(`concat: shapes ${xs.map((t) => fmtShape(t.shape)).join(", ")} differ outside axis ${axis}`);
      total += x.shape[axis];
      dtype = promote(dtype, x.dtype);
    }
    return { shape: first.shape.map((d, i) => (i === axis ? total : d)), dtype };
  },
  forward(xs, { axis }, shape, dtype) {
    const out = kernels(dtype).alloc(dtype, sizeOf(shape));
    const st = contiguousStrides(shape);
    let offset = 0;
    for (const x of xs) {
      kernels(keyOf(dtype, x)).addInto(x.data, out, offset * st[axis], st, x.shape);
      offset += x.shape[axis];
    }
    return out;
  },
  vjp(g, { inputs, attrs: { axis } }) {
    let offset = 0;
    return inputs.map((x) => {
      const s = F.sliceRaw(g, { axis, start: offset, length: x.shape[axis], step: 1 });
      offset += x.shape[axis];
      return s;
    });
  },
  formula: { "xᵢ": "the slice of ḡ that xᵢ filled" },
  vocab: { name: "concat", display: "concat", latex: "\\operatorname{concat}", form: "call" },
};
