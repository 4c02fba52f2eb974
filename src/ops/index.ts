import type { Tensor } from "../tensor/tensor.js";
import * as Unary from "./unary.js";
import { addDef } from "./add.js";
import { argmaxDef, argminDef } from "./argmax.js";
import { castDef } from "./cast.js";
import { eqDef, geDef, gtDef, leDef, ltDef, neDef } from "./compare.js";
import { concatDef } from "./concat.js";
import { divDef } from "./div.js";
import { expandDef } from "./expand.js";
import { gatherDef, scatterAddDef } from "./gather.js";
import { leakyReluDef } from "./leaky-relu.js";
import { addmmDef, matmulDef } from "./matmul.js";
import { maxDef, minDef } from "./max.js";
import { maximumDef } from "./maximum.js";
import { minimumDef } from "./minimum.js";
import { mulDef } from "./mul.js";
import { permuteDef } from "./permute.js";
import { powDef } from "./pow.js";
import { reshapeDef } from "./reshape.js";
import { sliceBackwardDef, sliceDef } from "./slice.js";
import { softmaxCrossEntropyDef } from "./softmax-cross-entropy.js";
import { subDef } from "./sub.js";
import { sumDef } from "./sum.js";
import { whereDef } from "./where.js";
import { foldDef, unfoldDef } from "./unfold.js";
import { type OpDef, apply } from "./op.js";

/** The elementwise unary primitives, each declared by its row in ./unary.ts (its function carries its definition). */
type UnaryDefs = { readonly [K in keyof typeof Unary]: (typeof Unary)[K]["def"] };
const UNARY = Object.fromEntries(Object.entries(Unary).map(([name, f]) => [name, f.def])) as UnaryDefs;

/**
 * The registry: every primitive, by name. Composite functions (softmax, logSumExp, clamp, mean,
 * …) are built from these. The names and each op's attributes are read off this table, so an op is
 * registered in this one place and runs only by its name, through `run` or `op` below.
 */
export const OPS = {
  add: addDef, sub: subDef, mul: mulDef, div: divDef, pow: powDef, maximum: maximumDef, minimum: minimumDef,
  gt: gtDef, lt: ltDef, ge: geDef, le: leDef, eq: eqDef, ne: neDef,
  ...UNARY, leakyRelu: leakyReluDef,
  where: whereDef, cast: castDef, matmul: matmulDef, addmm: addmmDef, sum: sumDef, max: maxDef, min: minDef,
  argmax: argmaxDef, argmin: argminDef,
  reshape: reshapeDef, permute: permuteDef, expand: expandDef, slice: sliceDef, sliceBackward: sliceBackwardDef,
  concat: concatDef, gather: gatherDef, scatterAdd: scatterAddDef,
  unfold: unfoldDef, fold: foldDef,
  softmaxCrossEntropy: softmaxCrossEntropyDef,
} satisfies { readonly [name: string]: OpDef<never> };

/** The name of a primitive. */
export type OpName = keyof typeof OPS;
/** The attributes of each primitive, typed per op. */
export type OpAttrs = { [K in OpName]: (typeof OPS)[K] extends OpDef<infer A> ? A : never };

/** Runs a primitive by name: infer, forward, and record a graph node when any input needs a gradient. */
export function run<K extends OpName>(name: K, inputs: Tensor[], attrs: OpAttrs[K]): Tensor {
  return apply(OPS[name] as unknown as OpDef<OpAttrs[K]>, name, inputs, attrs);
}

/** A runner per op, the name looked up once: `op.add(inputs, attrs)` is `run("add", inputs, attrs)`. */
export type Runners = { readonly [K in OpName]: (inputs: Tensor[], attrs: OpAttrs[K]) => Tensor };

// NOTE: the functional API calls these: a property per op keeps each call site's lookup monomorphic,
// where `OPS[name]` inside `run` is one megamorphic lookup for every op (~4% of a small add's backward).
export const op = Object.fromEntries(
  (Object.keys(OPS) as OpName[]).map((name) => {
    const def = OPS[name] as unknown as OpDef<unknown>;
    return [name, (inputs: Tensor[], attrs: unknown) => apply(def, name, inputs, attrs)];
  }),
) as Runners;

/** The names of the primitives that have a gradient rule. */
export const DIFFERENTIABLE_OPS = (Object.keys(OPS) as OpName[]).filter((k) => OPS[k].vjp !== null);
