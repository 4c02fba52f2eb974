import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// d exp(x)/dx = exp(x), read from the output
export const expDef = unaryOp("exp", "exp", (g, { output }) => [F.mul(g, output)], "∂x = ḡ · exp(x)", { saveOutput: true });
