import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// d √x/dx = 1/(2√x)
export const sqrtDef = unaryOp("sqrt", "sqrt", (g, { output }) => [F.div(g, F.mul(output, 2))], "∂x = ḡ / (2·√x)", { saveOutput: true });
