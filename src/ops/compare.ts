import { binaryOp } from "./elementwise.js";

// NOTE: comparisons give 0/1 masks in the operands' dtype; they have no gradient (piecewise constant).
const cmp = (name: "gt" | "lt" | "ge" | "le" | "eq" | "ne") => binaryOp(name, name, null, "not differentiable (a 0/1 mask)");
export const gtDef = cmp("gt");
export const ltDef = cmp("lt");
export const geDef = cmp("ge");
export const leDef = cmp("le");
export const eqDef = cmp("eq");
export const neDef = cmp("ne");
