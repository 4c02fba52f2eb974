import { F } from "./api.js";
import { binaryOp } from "./elementwise.js";

// ∂min(a, b) = (1[a < b], 1[b < a]); a tie sends half to each, as PyTorch (where, not a mask product: no ∞·0)
export const minimumDef = binaryOp(
  "minimum", "minimum",
  (g, { inputs: [a, b] }) => {
    const share = F.where(F.eq(a, b), F.mul(g, 0.5), g);
    return [a.requiresGrad ? F.where(F.gt(a, b), 0, share) : null, b.requiresGrad ? F.where(F.lt(a, b), 0, share) : null];
  },
  { a: "ḡ ⊙ 1[a < b]", b: "ḡ ⊙ 1[b < a]" },
  { name: "min", display: "minimum", latex: "\\min", form: "call", word: "\\min" },
  { remark: "ties split ½, ½" },
);
