import { promote } from "../tensor/dtype.js";
import * as F from "./functions.js";
import { binaryOp } from "./elementwise.js";

// ∂(a/b) = (1/b, −a/b²)
export const divDef = binaryOp(
  "div", "div",
  (g, { inputs: [a, b] }) => [a.requiresGrad ? F.div(g, b) : null, b.requiresGrad ? F.neg(F.div(F.mul(g, a), F.mul(b, b))) : null],
  "∂a = ḡ / b, ∂b = −ḡ · a / b²",
  (x, y) => (x === "int32" && y === "int32" ? "float32" : promote(x, y)),
);
