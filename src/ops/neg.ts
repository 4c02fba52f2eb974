import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// d(−x)/dx = −1
export const negDef = unaryOp("neg", "neg", (g) => [F.neg(g)], "∂x = −ḡ", { keepInt: true });
