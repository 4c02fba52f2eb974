import * as F from "./functions.js";
import { binaryOp } from "./elementwise.js";

// ∂(a·b) = (b, a)
export const mulDef = binaryOp("mul", "mul", (g, { inputs: [a, b] }) => [F.mul(g, b), F.mul(g, a)], "∂a = ḡ · b, ∂b = ḡ · a");
