import type { DType } from "../tensor/dtype.js";
import { F } from "./api.js";
import { type OpDef, keyOf, kernels } from "./op.js";

// ∂cast(x) = ḡ cast back to x's dtype
export const castDef: OpDef<{ dtype: DType }> = {
  name: "cast",
  infer: ([x], { dtype }) => ({ shape: x.shape, dtype }),
  forward([x], _, shape, dtype) {
    const out = kernels(dtype).alloc(dtype, x.size);
    kernels(keyOf(dtype, x)).cast(x.data, out);
    return out;
  },
  vjp: (g, { inputs: [x] }) => [x.dtype === "int32" ? null : F.cast(g, x.dtype)],
  formula: { x: "ḡ" },
  vocab: { name: "cast", display: "cast", latex: "\\operatorname{cast}", form: "call" },
};
