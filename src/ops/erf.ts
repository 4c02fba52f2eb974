import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// erf'(x) = (2/√π) exp(−x²)
export const erfDef = unaryOp("erf", "erf", (g, { inputs: [x] }) => [F.mul(g, F.mul(F.exp(F.neg(F.mul(x, x))), 2 / Math.sqrt(Math.PI)))], { x: "ḡ · (2/√π)·exp(−x²)" }, { name: "erf", display: "erf", latex: "\\operatorname{erf}", form: "call" });
