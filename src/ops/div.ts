import { promote } from "../tensor/dtype.js";
import { F } from "./api.js";
import { binaryOp } from "./elementwise.js";

// ∂(a/b) = (1/b, −(a/b)/b); as PyTorch, a/b is formed first: a·ḡ/b² is 0/0 for a = 0 when b² underflows
export const divDef = binaryOp(
  "div", "div",
  (g, { inputs: [a, b] }) => [a.requiresGrad ? F.div(g, b) : null, b.requiresGrad ? F.neg(F.mul(g, F.div(F.div(a, b), b))) : null],
  { a: "ḡ / b", b: "−ḡ · a / b²" },
  { name: "div", display: "/", latex: "/", form: "infix", operator: "/", symbol: "/" },
  { dtype: (x, y) => (x === "int32" && y === "int32" ? "float32" : promote(x, y)) },
);
