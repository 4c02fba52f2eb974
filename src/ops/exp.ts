import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d exp(x)/dx = exp(x), read from the output
export const expDef = unaryOp("exp", "exp", (g, { output }) => [F.mul(g, output)], { x: "ḡ · exp(x)" }, { name: "exp", display: "exp", latex: "\\exp", form: "call", word: "\\exp", symbol: "exp" }, { saveOutput: true });
