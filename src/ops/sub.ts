import { F } from "./api.js";
import { binaryOp } from "./elementwise.js";

// ∂(a − b) = (1, −1)
export const subDef = binaryOp("sub", "sub", (g) => [g, F.neg(g)], { a: "ḡ", b: "−ḡ" }, { name: "sub", display: "−", latex: "-", form: "infix", operator: "-", symbol: "−" });
