import * as F from "./functions.js";
import { unaryOp } from "./elementwise.js";

// NOTE: no gradient: sign is piecewise constant.
export const signDef = unaryOp("sign", "sign", null, "not differentiable (zero almost everywhere)", { keepInt: true });
