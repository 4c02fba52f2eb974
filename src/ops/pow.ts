import { F } from "./api.js";
import { binaryOp } from "./elementwise.js";

// ∂(aᵇ) = (b·aᵇ⁻¹, aᵇ·log a), as PyTorch's pow_backward: ∂a = 0 where b = 0, ∂b = 0 where a = 0 and b ≥ 0 (no 0·∞)
// NOTE: the masked entries are computed at safe inputs (b = 1, a = 1), so they stay 0, not NaN, in second derivatives too.
export const powDef = binaryOp(
  "pow", "pow",
  (g, { inputs: [a, b] }) => {
    let da = null, db = null;
    if (a.requiresGrad) {
      const zero = F.eq(b, 0);
      da = F.where(zero, 0, F.mul(g, F.mul(b, F.pow(a, F.sub(F.where(zero, 1, b), 1)))));
    }
    if (b.requiresGrad) {
      const zero = F.mul(F.eq(a, 0), F.ge(b, 0));
      const safe = F.where(zero, 1, a);
      db = F.where(zero, 0, F.mul(g, F.mul(F.pow(safe, b), F.log(safe))));
    }
    return [da, db];
  },
  { a: "ḡ · b·a^(b−1), 0 where b = 0", b: "ḡ · a^b·log(a), 0 where a = 0 ≤ b" },
  { name: "pow", display: "^", latex: "^", form: "infix", operator: "^" },
  { remark: "zero where b = 0, and where a = 0 ≤ b" },
);
