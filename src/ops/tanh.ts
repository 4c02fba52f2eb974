import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// tanh'(x) = 1 − tanh²(x)
export const tanhDef = unaryOp("tanh", "tanh", (g, { output: y }) => [F.mul(g, F.sub(1, F.mul(y, y)))], "∂x = ḡ · (1 − tanh²(x))", { saveOutput: true });
