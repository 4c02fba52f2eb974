import { F } from "./api.js";
import { unaryOp } from "./elementwise.js";

// d log(x)/dx = 1/x
export const logDef = unaryOp("log", "log", (g, { inputs: [x] }) => [F.div(g, x)], { x: "ḡ / x" }, { name: "log", display: "log", latex: "\\log", form: "call", word: "\\log", symbol: "log" });
