import { contiguousStrides, sizeOf } from "../tensor/shape.js";
import { F } from "./api.js";
import { type OpDef, kernels } from "./op.js";

export interface SliceAttrs {
  axis: number;
  start: number;
  /** number of elements taken */
  length: number;
  step: number;
}

// ∂slice(x) = ḡ placed back at the sliced positions, zeros elsewhere
export const sliceDef: OpDef<SliceAttrs> = {
  name: "slice",
  infer: ([x], { axis, length }) => ({ shape: x.shape.map((d, i) => (i === axis ? length : d)), dtype: x.dtype }),
  forward([x], { axis, start, step }, shape, dtype) {
    const st = contiguousStrides(x.shape);
    const K = kernels(dtype);
    const out = K.alloc(dtype, sizeOf(shape));
    K.copy(x.data, start * st[axis], st.map((s, i) => (i === axis ? s * step : s)), shape, out, 0);
    return out;
  },
  vjp: (g, { inputs: [x], attrs }) => [F.sliceBackward(g, x.shape, attrs)],
  formula: { x: "ḡ at the sliced positions, 0 elsewhere" },
  vocab: { name: "slice", display: "slice", latex: "\\operatorname{slice}", form: "call" },
};

// The adjoint of slice: scatters g into zeros of the input's shape; its own gradient is the slice again.
export const sliceBackwardDef: OpDef<SliceAttrs & { inputShape: readonly number[] }> = {
  name: "sliceBackward",
  infer: (_, { inputShape }) => ({ shape: inputShape, dtype: _[0].dtype }),
  forward([g], { axis, start, step, inputShape }, shape, dtype) {
    const st = contiguousStrides(inputShape);
    const K = kernels(dtype);
    const out = K.alloc(dtype, sizeOf(shape));
    K.addInto(g.data, out, start * st[axis], st.map((s, i) => (i === axis ? s * step : s)), g.shape);
    return out;
  },
  vjp: (g, { attrs: { axis, start, length, step } }) => [F.sliceRaw(g, { axis, start, length, step })],
  formula: { "ḡ": "slice(ḡ′)" },
  vocab: { name: "sliceBackward", display: "sliceBackward", latex: "\\operatorname{sliceBackward}", form: "call" },
};
