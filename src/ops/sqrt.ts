import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d √x/dx = 1/(2√x)
export const sqrtDef = unaryOp("sqrt", "sqrt", (g, { output }) => [F.div(g, F.mul(output, 2))], { x: "ḡ / (2·√x)" }, { name: "sqrt", display: "sqrt", latex: "\\operatorname{sqrt}", form: "call", word: "\\operatorname{sqrt}", symbol: "√" }, { saveOutput: true });
