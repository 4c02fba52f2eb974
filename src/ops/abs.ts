import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// d|x|/dx = sign(x) (0 at 0, as PyTorch)
export const absDef = unaryOp("abs", "abs", (g, { inputs: [x] }) => [F.mul(g, F.sign(x))], "∂x = ḡ · sign(x)", { keepInt: true });
