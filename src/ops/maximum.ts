import * as F from "./functions.js";
import { binaryOp } from "./elementwise.js";

// ∂max(a, b) = (1[a > b], 1[b > a]); a tie sends half to each, as PyTorch
export const maximumDef = binaryOp(
  "maximum", "maximum",
  (g, { inputs: [a, b] }) => {
    const tie = F.mul(F.eq(a, b), 0.5);
    return [F.mul(g, F.add(F.gt(a, b), tie)), F.mul(g, F.add(F.lt(a, b), tie))];
  },
  "∂a = ḡ ⊙ 1[a > b], ∂b = ḡ ⊙ 1[b > a] (ties split ½, ½)",
);
