import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// d log(x)/dx = 1/x
export const logDef = unaryOp("log", "log", (g, { inputs: [x] }) => [F.div(g, x)], "∂x = ḡ / x");
