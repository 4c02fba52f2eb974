import { F } from "./api.js";
import { binaryOp } from "./elementwise.js";

// ∂(a + b) = (1, 1)
export const addDef = binaryOp("add", "add", (g) => [g, g], { a: "ḡ", b: "ḡ" }, { name: "add", display: "+", latex: "+", form: "infix", operator: "+", symbol: "+" });
