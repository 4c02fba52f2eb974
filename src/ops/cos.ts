import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d cos(x)/dx = −sin(x)
export const cosDef = unaryOp("cos", "cos", (g, { inputs: [x] }) => [F.neg(F.mul(g, F.sin(x)))], { x: "−ḡ · sin(x)" }, { name: "cos", display: "cos", latex: "\\cos", form: "call" });
