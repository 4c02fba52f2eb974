import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// tanh'(x) = 1 − tanh²(x)
export const tanhDef = unaryOp("tanh", "tanh", (g, { output: y }) => [F.mul(g, F.sub(1, F.mul(y, y)))], { x: "ḡ · (1 − tanh²(x))" }, { name: "tanh", display: "tanh", latex: "\\tanh", form: "call", activation: true, word: "\\tanh", symbol: "tanh" }, { saveOutput: true });
