import { ShapeError } from "../errors.js";
import { fmtShape } from "../tensor/shape.js";
import type { OpDef } from "./op.js";
import { type ReduceAttrs, reduceForward, reducedShape } from "./reduce.js";

// NOTE: indices have no gradient.
function argExtremum(name: "argmax" | "argmin"): OpDef<ReduceAttrs> {
  return {
    name,
    infer([x], a) {
      if (a.axes.some((i) => x.shape[i] === 0)) throw new ShapeError(`${name}: cannot reduce an empty axis of ${fmtShape(x.shape)}`);
      return { shape: reducedShape(x.shape, a), dtype: "int32" };
    },
    forward: ([x], { axes }, _, dtype) => reduceForward(name, x, axes, dtype),
    vjp: null,
    formula: {},
    remark: "not differentiable (an index)",
    vocab: { name, display: name, latex: `\\operatorname{${name}}`, form: "call" },
  };
}

export const argmaxDef = argExtremum("argmax");
export const argminDef = argExtremum("argmin");
