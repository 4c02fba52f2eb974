import { ShapeError } from "../errors.js";
import { fmtShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { F } from "./api.js";
import type { OpDef } from "./op.js";
import { type ReduceAttrs, keptShape, reduceForward, reducedShape } from "./reduce.js";

function extremum(name: "max" | "min"): OpDef<ReduceAttrs> {
  return {
    name,
    saveOutput: true,
    infer([x], a) {
      if (a.axes.some((i) => x.shape[i] === 0)) throw new ShapeError(`${name}: cannot reduce an empty axis of ${fmtShape(x.shape)}`);
      return { shape: reducedShape(x.shape, a), dtype: x.dtype };
    },
    forward: ([x], { axes }, _, dtype) => reduceForward(name, x, axes, dtype),
    vjp(g, { inputs: [x], output, attrs }) {
      const kept = keptShape(x.shape, attrs.axes);
      const mask = F.eq(x, F.reshape(output.detach(), kept));
      const count = F.sum(mask, attrs.axes, true);
      return [F.where(mask, F.div(F.reshape(g, kept), count), 0)] as Tensor[];
    },
    formula: { x: `ḡ ⊙ 1[x = ${name}(x)] / #ties` },
    vocab: { name, display: name, latex: `\\${name}`, form: "call" },
  };
}

// ∂max(x) = ḡ on the elements equal to the max, shared evenly between ties (zero elsewhere, even for ḡ = ∞)
export const maxDef = extremum("max");
// ∂min(x) = ḡ on the elements equal to the min, shared evenly between ties
export const minDef = extremum("min");
