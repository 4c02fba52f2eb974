import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d sin(x)/dx = cos(x)
export const sinDef = unaryOp("sin", "sin", (g, { inputs: [x] }) => [F.mul(g, F.cos(x))], { x: "ḡ · cos(x)" }, { name: "sin", display: "sin", latex: "\\sin", form: "call" });
