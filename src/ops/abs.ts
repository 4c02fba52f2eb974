import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d|x|/dx = sign(x) (0 at 0, as PyTorch)
export const absDef = unaryOp("abs", "abs", (g, { inputs: [x] }) => [F.mul(g, F.sign(x))], { x: "ḡ · sign(x)" }, { name: "abs", display: "abs", latex: "\\operatorname{abs}", form: "call", word: "\\operatorname{abs}", symbol: "abs" }, { keepInt: true });
