import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d(−x)/dx = −1
export const negDef = unaryOp("neg", "neg", (g) => [F.neg(g)], { x: "−ḡ" }, { name: "neg", display: "−", latex: "-", form: "infix", symbol: "−" }, { keepInt: true });
