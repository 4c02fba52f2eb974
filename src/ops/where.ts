import { broadcastShapes, broadcastStrides, sizeOf } from "../tensor/shape.js";
import { promote } from "../tensor/dtype.js";
import { F } from "./api.js";
import { type OpDef, keyOf, kernels } from "./op.js";

// ∂where(c, a, b) = (—, 1[c], 1[¬c])
export const whereDef: OpDef<{}> = {
  name: "where",
  infer: ([c, a, b]) => ({ shape: broadcastShapes(c.shape, broadcastShapes(a.shape, b.shape, "where"), "where"), dtype: promote(a.dtype, b.dtype) }),
  forward([c, a, b], _, shape, dtype) {
    const out = kernels(dtype).alloc(dtype, sizeOf(shape));
    kernels(keyOf(dtype, c, a, b)).where(c.data, broadcastStrides(c.shape, shape), a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), out, shape);
    return out;
  },
  vjp: (g, { inputs: [c, a, b] }) => [null, a.requiresGrad ? F.where(c, g, 0) : null, b.requiresGrad ? F.where(c, 0, g) : null],
  formula: { c: "0", a: "ḡ ⊙ 1[c]", b: "ḡ ⊙ 1[¬c]" },
  vocab: { name: "where", display: "where", latex: "\\operatorname{where}", form: "call" },
};
