import { absDef } from "./abs.js";
import { addDef } from "./add.js";
import { argmaxDef, argminDef } from "./argmax.js";
import { castDef } from "./cast.js";
import { eqDef, geDef, gtDef, leDef, ltDef, neDef } from "./compare.js";
import { concatDef } from "./concat.js";
import { divDef } from "./div.js";
import { erfDef } from "./erf.js";
import { expDef } from "./exp.js";
import { expandDef } from "./expand.js";
import { gatherDef, scatterAddDef } from "./gather.js";
import { leakyReluDef } from "./leaky-relu.js";
import { logDef } from "./log.js";
import { matmulDef } from "./matmul.js";
import { maxDef, minDef } from "./max.js";
import { maximumDef } from "./maximum.js";
import { minimumDef } from "./minimum.js";
import { mulDef } from "./mul.js";
import { negDef } from "./neg.js";
import type { OpDef } from "./op.js";
import { permuteDef } from "./permute.js";
import { powDef } from "./pow.js";
import { reluDef } from "./relu.js";
import { reshapeDef } from "./reshape.js";
import { sigmoidDef } from "./sigmoid.js";
import { signDef } from "./sign.js";
import { sliceBackwardDef, sliceDef } from "./slice.js";
import { softmaxCrossEntropyDef } from "./softmax-cross-entropy.js";
import { softplusDef } from "./softplus.js";
import { sqrtDef } from "./sqrt.js";
import { subDef } from "./sub.js";
import { sumDef } from "./sum.js";
import { tanhDef } from "./tanh.js";
import { whereDef } from "./where.js";

/** Every primitive. Composite functions (softmax, logSumExp, gelu, clamp, mean, …) are built from these. */
export type OpName =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "gt" | "lt" | "ge" | "le" | "eq" | "ne"
  | "neg" | "exp" | "log" | "sqrt" | "abs" | "sign" | "relu" | "leakyRelu" | "sigmoid" | "tanh" | "softplus" | "erf"
  | "where" | "cast" | "matmul" | "sum" | "max" | "min" | "argmax" | "argmin"
  | "reshape" | "permute" | "expand" | "slice" | "sliceBackward" | "concat" | "gather" | "scatterAdd"
  | "softmaxCrossEntropy";

/**
 * The rule table: one entry per primitive, each with its gradient rule and formula text. Typed as a
 * mapped type so that a primitive without an entry is a compile error.
 */
export const OPS = {
  add: addDef, sub: subDef, mul: mulDef, div: divDef, pow: powDef, maximum: maximumDef, minimum: minimumDef,
  gt: gtDef, lt: ltDef, ge: geDef, le: leDef, eq: eqDef, ne: neDef,
  neg: negDef, exp: expDef, log: logDef, sqrt: sqrtDef, abs: absDef, sign: signDef, relu: reluDef,
  leakyRelu: leakyReluDef, sigmoid: sigmoidDef, tanh: tanhDef, softplus: softplusDef, erf: erfDef,
  where: whereDef, cast: castDef, matmul: matmulDef, sum: sumDef, max: maxDef, min: minDef,
  argmax: argmaxDef, argmin: argminDef,
  reshape: reshapeDef, permute: permuteDef, expand: expandDef, slice: sliceDef, sliceBackward: sliceBackwardDef,
  concat: concatDef, gather: gatherDef, scatterAdd: scatterAddDef,
  softmaxCrossEntropy: softmaxCrossEntropyDef,
} satisfies { [K in OpName]: OpDef<any> };

/** The names of the primitives that have a gradient rule. */
export const DIFFERENTIABLE_OPS = (Object.keys(OPS) as OpName[]).filter((k) => OPS[k].vjp !== null);
