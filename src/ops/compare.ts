import { binaryOp } from "./elementwise.js";

// NOTE: comparisons give 0/1 masks in the operands' dtype; they have no gradient (piecewise constant).
const VOCAB = {
  gt: { name: "gt", display: ">", latex: ">", form: "infix" },
  lt: { name: "lt", display: "<", latex: "<", form: "infix" },
  ge: { name: "ge", display: "≥", latex: "\\ge", form: "infix" },
  le: { name: "le", display: "≤", latex: "\\le", form: "infix" },
  eq: { name: "eq", display: "=", latex: "=", form: "infix" },
  ne: { name: "ne", display: "≠", latex: "\\neq", form: "infix" },
} as const;
const cmp = (name: keyof typeof VOCAB) => binaryOp(name, name, null, {}, VOCAB[name], { remark: "not differentiable (a 0/1 mask)" });
export const gtDef = cmp("gt");
export const ltDef = cmp("lt");
export const geDef = cmp("ge");
export const leDef = cmp("le");
export const eqDef = cmp("eq");
export const neDef = cmp("ne");
