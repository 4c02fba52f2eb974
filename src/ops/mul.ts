import * as F from "./functions.js";
import { binaryOp } from "./elementwise.js";

// ∂(a·b) = (b, a)
export const mulDef = binaryOp("mul", "mul", (g, { inputs: [a, b] }) => [a.requiresGrad ? F.mul(g, b) : null, b.requiresGrad ? F.mul(g, a) : null], "∂a = ḡ · b, ∂b = ḡ · a");
