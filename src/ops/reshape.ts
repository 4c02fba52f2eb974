import { ShapeError } from "../errors.js";
import { fmtShape, sizeOf } from "../tensor/shape.js";
import { F } from "./api.js";
import type { OpDef } from "./op.js";

// ∂reshape(x) = ḡ reshaped back; the output shares x's data (no copy)
export const reshapeDef: OpDef<{ shape: number[] }> = {
  name: "reshape",
  infer([x], { shape }) {
    if (sizeOf(shape) !== x.size)
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
    return { shape, dtype: x.dtype };
  },
  forward: ([x]) => x.data,
  vjp: (g, { inputs: [x] }) => [F.reshape(g, x.shape)],
  formula: { x: "reshape(ḡ, shape(x))" },
  vocab: { name: "reshape", display: "reshape", latex: "\\operatorname{reshape}", form: "call" },
};
