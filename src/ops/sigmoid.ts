import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// σ'(x) = σ(x)(1 − σ(x))
export const sigmoidDef = unaryOp("sigmoid", "sigmoid", (g, { output: y }) => [F.mul(g, F.mul(y, F.sub(1, y)))], { x: "ḡ · σ(x)(1 − σ(x))" }, { name: "sigmoid", display: "sigmoid", latex: "\\sigma", form: "call", activation: true, word: "\\operatorname{sigmoid}", symbol: "σ" }, { saveOutput: true });
