import { checkAnomaly, currentBackwardOp, isAnomalyEnabled, isGradEnabled } from "../autograd/mode.js";
import { tensorArg } from "../tensor/args.js";
import { type Node, Tensor } from "../tensor/tensor.js";
import { absDef } from "./abs.js";
import { addDef } from "./add.js";
import { argmaxDef, argminDef } from "./argmax.js";
import { castDef } from "./cast.js";
import { eqDef, geDef, gtDef, leDef, ltDef, neDef } from "./compare.js";
import { concatDef } from "./concat.js";
import { cosDef } from "./cos.js";
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
import { permuteDef } from "./permute.js";
import { powDef } from "./pow.js";
import { reluDef } from "./relu.js";
import { reshapeDef } from "./reshape.js";
import { sigmoidDef } from "./sigmoid.js";
import { signDef } from "./sign.js";
import { sinDef } from "./sin.js";
import { sliceBackwardDef, sliceDef } from "./slice.js";
import { softmaxCrossEntropyDef } from "./softmax-cross-entropy.js";
import { softplusDef } from "./softplus.js";
import { sqrtDef } from "./sqrt.js";
import { subDef } from "./sub.js";
import { sumDef } from "./sum.js";
import { tanhDef } from "./tanh.js";
import { whereDef } from "./where.js";
import type { OpDef } from "./op.js";

/**
 * The registry: every primitive, by name. Composite functions (softmax, logSumExp, gelu, clamp, mean,
 * …) are built from these. The names and each op's attributes are read off this table, so an op is
 * registered in this one place and runs only by its name, through `run` or `op` below.
 */
export const OPS = {
  add: addDef, sub: subDef, mul: mulDef, div: divDef, pow: powDef, maximum: maximumDef, minimum: minimumDef,
  gt: gtDef, lt: ltDef, ge: geDef, le: leDef, eq: eqDef, ne: neDef,
  neg: negDef, exp: expDef, log: logDef, sqrt: sqrtDef, abs: absDef, sign: signDef, relu: reluDef,
  leakyRelu: leakyReluDef, sigmoid: sigmoidDef, tanh: tanhDef, softplus: softplusDef, erf: erfDef,
  sin: sinDef, cos: cosDef,
  where: whereDef, cast: castDef, matmul: matmulDef, sum: sumDef, max: maxDef, min: minDef,
  argmax: argmaxDef, argmin: argminDef,
  reshape: reshapeDef, permute: permuteDef, expand: expandDef, slice: sliceDef, sliceBackward: sliceBackwardDef,
  concat: concatDef, gather: gatherDef, scatterAdd: scatterAddDef,
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

function apply<A>(def: OpDef<A>, name: OpName, inputs: Tensor[], attrs: A): Tensor {
  // NOTE: the one check every primitive gets: a non-tensor would otherwise reach a shape rule as a TypeError.
  for (let i = 0; i < inputs.length; i++) if (!(inputs[i] instanceof Tensor)) tensorArg(inputs[i], name, i + 1);
  const { shape, dtype } = def.infer(inputs, attrs);
  const data = def.forward(inputs, attrs, shape, dtype);
  const out = new Tensor(data, shape, dtype);
  if (isAnomalyEnabled()) {
    const owner = currentBackwardOp();
    if (owner === null) checkAnomaly(name, "forward", inputs, out);
    else checkAnomaly(owner, "backward", inputs, out, name);
  }
  // NOTE: an int32 result (a cast to int32) has no gradient, as integer tensors in PyTorch.
  if (def.vjp !== null && dtype !== "int32" && isGradEnabled()) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        out._setNode({ def, inputs, attrs, output: def.saveOutput ? out : null, released: false } as Node);
        break;
      }
    }
  }
  return out;
}

/** The names of the primitives that have a gradient rule. */
export const DIFFERENTIABLE_OPS = (Object.keys(OPS) as OpName[]).filter((k) => OPS[k].vjp !== null);
