import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d sign(x)/dx = 0 (piecewise constant; 0 at the jump too, as PyTorch)
export const signDef = unaryOp("sign", "sign", (g) => [F.zerosLike(g)], { x: "0" }, { name: "sign", display: "sign", latex: "\\operatorname{sign}", form: "call", word: "\\operatorname{sign}" }, { keepInt: true });
