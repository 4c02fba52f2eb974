import { promote } from "../tensor/dtype.js";
import * as F from "./functions.js";
import { binaryOp } from "./elementwise.js";

// ∂(a/b) = (1/b, −a/b²)
export const divDef = binaryOp(
  "div", "div",
  (g, { inputs: [a, b] }) => [F.div(g, b), F.neg(F.div(F.mul(g, a), F.mul(b, b)))],
  "∂a = ḡ / b, ∂b = −ḡ · a / b²",
  (x, y) => (x === "int32" && y === "int32" ? "float32" : promote(x, y)),
);
