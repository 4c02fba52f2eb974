import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// LeakyReLU'(x) = 1 if x > 0 else α
export const leakyReluDef = unaryOp<{ slope: number }>(
  "leakyRelu", "leakyRelu",
  (g, { inputs: [x], attrs }) => [F.where(F.gt(x, 0), g, F.mul(g, attrs.slope))],
  "∂x = ḡ ⊙ (1 if x > 0 else α)",
  { param: (a) => a.slope },
);
