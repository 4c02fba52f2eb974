import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// LeakyReLU'(x) = 1 if x > 0 else α
export const leakyReluDef = unaryOp<{ slope: number }>(
  "leakyRelu", "leakyRelu",
  (g, { inputs: [x], attrs }) => [F.where(F.gt(x, 0), g, F.mul(g, attrs.slope))],
  { x: "ḡ ⊙ (1 if x > 0 else α)" },
  { name: "leakyRelu", display: "LeakyReLU", latex: "\\operatorname{LeakyReLU}", form: "call", activation: true },
  { param: (a) => a.slope },
);
