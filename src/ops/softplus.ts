import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d log(1 + eˣ)/dx = σ(x)
export const softplusDef = unaryOp("softplus", "softplus", (g, { inputs: [x] }) => [F.mul(g, F.sigmoid(x))], { x: "ḡ · σ(x)" }, { name: "softplus", display: "softplus", latex: "\\operatorname{softplus}", form: "call", activation: true });
