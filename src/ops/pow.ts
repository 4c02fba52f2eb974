import * as F from "./functions.js";
import { binaryOp } from "./elementwise.js";

// ∂(aᵇ) = (b·aᵇ⁻¹, aᵇ·log a); the exponent's gradient is formed only when it is needed (log a is NaN for a < 0)
export const powDef = binaryOp(
  "pow", "pow",
  (g, { inputs: [a, b] }) => [
    a.requiresGrad ? F.mul(g, F.mul(b, F.pow(a, F.sub(b, 1)))) : null,
    b.requiresGrad ? F.mul(g, F.mul(F.pow(a, b), F.log(a))) : null,
  ],
  "∂a = ḡ · b·a^(b−1), ∂b = ḡ · a^b·log(a)",
);
