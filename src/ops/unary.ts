import { F } from "./api.js";
import { unary } from "./elementwise.js";

// The elementwise unary primitives: one row each declares the op (the rule, its math on the comment
// line, the rule as data per input, the vocabulary for explain); the registry (./index.ts) is built
// from these exports, the Tensor methods (./functions.ts) too, and the kernel has the same name.

// d(−x)/dx = −1
export const neg = unary("neg", (g) => [F.neg(g)], { x: "−ḡ" }, { display: "−", latex: "-", form: "infix", symbol: "−" }, { keepInt: true });
// d exp(x)/dx = exp(x), read from the output
export const exp = unary("exp", (g, { output }) => [F.mul(g, output)], { x: "ḡ · exp(x)" }, { display: "exp", latex: "\\exp", form: "call", word: "\\exp", symbol: "exp" }, { saveOutput: true });
// d log(x)/dx = 1/x
export const log = unary("log", (g, { inputs: [x] }) => [F.div(g, x)], { x: "ḡ / x" }, { display: "log", latex: "\\log", form: "call", word: "\\log", symbol: "log" });
// d √x/dx = 1/(2√x)
export const sqrt = unary("sqrt", (g, { output }) => [F.div(g, F.mul(output, 2))], { x: "ḡ / (2·√x)" }, { display: "sqrt", latex: "\\operatorname{sqrt}", form: "call", word: "\\operatorname{sqrt}", symbol: "√" }, { saveOutput: true });
// d|x|/dx = sign(x) (0 at 0, as PyTorch)
export const abs = unary("abs", (g, { inputs: [x] }) => [F.mul(g, F.sign(x))], { x: "ḡ · sign(x)" }, { display: "abs", latex: "\\operatorname{abs}", form: "call", word: "\\operatorname{abs}", symbol: "abs" }, { keepInt: true });
// d sign(x)/dx = 0 (piecewise constant; 0 at the jump too, as PyTorch)
export const sign = unary("sign", (g) => [F.zerosLike(g)], { x: "0" }, { display: "sign", latex: "\\operatorname{sign}", form: "call", word: "\\operatorname{sign}" }, { keepInt: true });
// ReLU'(x) = 1 if x > 0 else 0, read from the output: where(y, ḡ, 0) in one pass (0 at the kink and NaN passing ḡ, as
// PyTorch's threshold_backward on the result; where, so ∞·0 is not NaN)
export const relu = unary("relu", (g, { output: y }) => [F.where(y, g, 0)], { x: "ḡ ⊙ 1[x > 0]" }, { display: "ReLU", latex: "\\operatorname{ReLU}", form: "call", activation: true, word: "\\operatorname{ReLU}", symbol: "ReLU" }, { keepInt: true, saveOutput: true });
// σ'(x) = σ(x)(1 − σ(x))
export const sigmoid = unary("sigmoid", (g, { output: y }) => [F.mul(g, F.mul(y, F.sub(1, y)))], { x: "ḡ · σ(x)(1 − σ(x))" }, { display: "sigmoid", latex: "\\sigma", form: "call", activation: true, word: "\\operatorname{sigmoid}", symbol: "σ" }, { saveOutput: true });
// tanh'(x) = 1 − tanh²(x)
export const tanh = unary("tanh", (g, { output: y }) => [F.mul(g, F.sub(1, F.mul(y, y)))], { x: "ḡ · (1 − tanh²(x))" }, { display: "tanh", latex: "\\tanh", form: "call", activation: true, word: "\\tanh", symbol: "tanh" }, { saveOutput: true });
// d log(1 + eˣ)/dx = σ(x)
export const softplus = unary("softplus", (g, { inputs: [x] }) => [F.mul(g, F.sigmoid(x))], { x: "ḡ · σ(x)" }, { display: "softplus", latex: "\\operatorname{softplus}", form: "call", activation: true });
// erf'(x) = (2/√π) exp(−x²)
export const erf = unary("erf", (g, { inputs: [x] }) => [F.mul(g, F.mul(F.exp(F.neg(F.mul(x, x))), 2 / Math.sqrt(Math.PI)))], { x: "ḡ · (2/√π)·exp(−x²)" }, { display: "erf", latex: "\\operatorname{erf}", form: "call" });
// GELU'(x) = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = exp(−x²/2)/√(2π): one kernel each way where x·Φ(x) took five ops forward, ten back
export const gelu = unary("gelu", (g, { inputs: [x] }) => [F.mul(g, F.geluGrad(x))], { x: "ḡ · (0.5·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2·π))" },
  { display: "GELU", latex: "\\operatorname{GELU}", form: "call", activation: true, word: "\\operatorname{GELU}", symbol: "GELU" });
// d GELU'(x)/dx = φ(x)(2 − x²)
export const geluGrad = unary("geluGrad", (g, { inputs: [x] }) => [F.mul(g, F.mul(F.exp(F.mul(F.mul(x, x), -0.5)), F.mul(F.sub(2, F.mul(x, x)), 1 / Math.sqrt(2 * Math.PI))))],
  { x: "ḡ · exp(−x²/2)·(2 − x²)/√(2·π)" }, { display: "GELU′", latex: "\\operatorname{GELU}'", form: "call" });
// d sin(x)/dx = cos(x)
export const sin = unary("sin", (g, { inputs: [x] }) => [F.mul(g, F.cos(x))], { x: "ḡ · cos(x)" }, { display: "sin", latex: "\\sin", form: "call" });
// d cos(x)/dx = −sin(x)
export const cos = unary("cos", (g, { inputs: [x] }) => [F.neg(F.mul(g, F.sin(x)))], { x: "−ḡ · sin(x)" }, { display: "cos", latex: "\\cos", form: "call" });
