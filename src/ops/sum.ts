import { F } from "./api.js";
import type { OpDef } from "./op.js";
import { type ReduceAttrs, keptShape, reduceForward, reducedShape } from "./reduce.js";

// ∂Σx = ḡ broadcast back over the summed axes
export const sumDef: OpDef<ReduceAttrs> = {
  name: "sum",
  infer: ([x], a) => ({ shape: reducedShape(x.shape, a), dtype: x.dtype }),
  forward: ([x], { axes }, _, dtype) => reduceForward("sum", x, axes, dtype),
  vjp: (g, { inputs: [x], attrs }) => [F.expand(F.reshape(g, keptShape(x.shape, attrs.axes)), x.shape)],
  formula: { x: "ḡ broadcast over the summed axes" },
  vocab: { name: "sum", display: "sum", latex: "\\operatorname{sum}", form: "call", word: "\\operatorname{sum}" },
};
