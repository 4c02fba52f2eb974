import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// d log(1 + eˣ)/dx = σ(x)
export const softplusDef = unaryOp("softplus", "softplus", (g, { inputs: [x] }) => [F.mul(g, F.sigmoid(x))], "∂x = ḡ · σ(x)");
