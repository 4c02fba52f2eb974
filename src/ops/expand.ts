import { ShapeError } from "../errors.js";
import { broadcastStrides, fmtShape, sizeOf } from "../tensor/shape.js";
import { type OpDef, kernels } from "./op.js";

// ∂expand(x) = ḡ summed over the expanded axes (the engine's sum-to-shape does it)
export const expandDef: OpDef<{ shape: number[] }> = {
  name: "expand",
  infer([x], { shape }) {
    const lead = shape.length - x.ndim;
    const ok = lead >= 0 && x.shape.every((d, i) => d === shape[i + lead] || d === 1);
    if (!ok) throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: only dimensions of size 1 can grow`);
    return { shape, dtype: x.dtype };
  },
  forward([x], _, shape, dtype) {
    const K = kernels(dtype);
    const out = K.alloc(dtype, sizeOf(shape));
    K.copy(x.data, 0, broadcastStrides(x.shape, shape), shape, out, 0);
    return out;
  },
  vjp: (g) => [g],
  formula: { x: "Σ ḡ over the expanded axes" },
  vocab: { name: "expand", display: "expand", latex: "\\operatorname{expand}", form: "call", word: "\\operatorname{expand}" },
};
