import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// ReLU'(x) = 1 if x > 0 else 0 (0 at the kink, as PyTorch's threshold_backward; where, so ∞·0 is not NaN)
export const reluDef = unaryOp("relu", "relu", (g, { inputs: [x] }) => [F.where(F.gt(x, 0), g, 0)], { x: "ḡ ⊙ 1[x > 0]" }, { name: "relu", display: "ReLU", latex: "\\operatorname{ReLU}", form: "call", activation: true, word: "\\operatorname{ReLU}", symbol: "ReLU" }, { keepInt: true });
