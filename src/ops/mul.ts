import { F } from "./api.js";
import { binaryOp } from "./elementwise.js";

// ∂(a·b) = (b, a)
export const mulDef = binaryOp("mul", "mul", (g, { inputs: [a, b] }) => [a.requiresGrad ? F.mul(g, b) : null, b.requiresGrad ? F.mul(g, a) : null], { a: "ḡ · b", b: "ḡ · a" }, { name: "mul", display: "·", latex: "\\cdot", form: "infix", operator: "*", symbol: "⊙" });
