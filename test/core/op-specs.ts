import * as C from "../../src/index.js";
import { Generator, type Tensor, tensor } from "../../src/index.js";
import { softmaxCrossEntropy } from "../../src/losses/cross-entropy.js";

/** One row per differentiable op: a function of float64 inputs and the inputs to check it at. */
export interface OpSpec {
  /** The op this row covers (a primitive name from OPS or a composite function's name). */
  op: string;
  label: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: (g: Generator) => Tensor[];
  atol?: number;
  eps?: number;
}

const f64 = "float64" as const;
/** Normal values pushed at least `gap` away from 0 (for kinks at 0). */
function awayFromZero(g: Generator, shape: number[], gap = 0.1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n).map(() => {
    const v = g.normal();
    return v >= 0 ? v + gap : v - gap;
  });
  return tensor(d, { shape, dtype: f64 });
}
function normal(g: Generator, shape: number[]): Tensor {
  return C.randn(shape, { generator: g, dtype: f64 });
}
function positive(g: Generator, shape: number[], lo = 0.5): Tensor {
  return C.rand(shape, { generator: g, dtype: f64 }).mul(2).add(lo);
}
/** Distinct values (no ties for max/min/maximum), shuffled. */
function distinct(g: Generator, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = g.permutation(n);
  return tensor(Float64Array.from(p, (v) => v * 0.37 - n * 0.15), { shape, dtype: f64 });
}
const idx = (values: number[], shape: number[]) => tensor(Int32Array.from(values), { shape });

const unary = (op: string, fn: (x: Tensor) => Tensor, make: (g: Generator, s: number[]) => Tensor): OpSpec[] => [
  { op, label: `${op} [3,4]`, fn, inputs: (g) => [make(g, [3, 4])] },
  { op, label: `${op} scalar`, fn, inputs: (g) => [make(g, [])] },
];
const binary = (op: string, fn: (a: Tensor, b: Tensor) => Tensor, make: (g: Generator, s: number[]) => Tensor, makeB = make): OpSpec[] => [
  { op, label: `${op} same shape`, fn, inputs: (g) => [make(g, [2, 3]), makeB(g, [2, 3])] },
  { op, label: `${op} broadcast row`, fn, inputs: (g) => [make(g, [4, 3]), makeB(g, [3])] },
  { op, label: `${op} broadcast both`, fn, inputs: (g) => [make(g, [2, 1, 3]), makeB(g, [4, 1])] },
  { op, label: `${op} with scalar`, fn, inputs: (g) => [make(g, [2, 3]), makeB(g, [])] },
];

export const OP_SPECS: OpSpec[] = [
  ...binary("add", (a, b) => a.add(b), normal),
  ...binary("sub", (a, b) => a.sub(b), normal),
  ...binary("mul", (a, b) => a.mul(b), normal),
  ...binary("div", (a, b) => a.div(b), normal, positive),
  ...binary("pow", (a, b) => a.pow(b), positive, normal),
  { op: "pow", label: "pow integer exponent of a negative base", fn: (a) => a.pow(3), inputs: (g) => [normal(g, [5])] },
  ...binary("maximum", (a, b) => a.maximum(b), distinct, (g, s) => distinct(g, s).add(0.05)),
  ...binary("minimum", (a, b) => a.minimum(b), distinct, (g, s) => distinct(g, s).add(0.05)),
  ...unary("neg", (x) => x.neg(), normal),
  ...unary("exp", (x) => x.exp(), normal),
  ...unary("log", (x) => x.log(), positive),
  ...unary("sqrt", (x) => x.sqrt(), positive),
  ...unary("abs", (x) => x.abs(), awayFromZero),
  ...unary("relu", (x) => x.relu(), awayFromZero),
  ...unary("leakyRelu", (x) => x.leakyRelu(0.1), awayFromZero),
  ...unary("sigmoid", (x) => x.sigmoid(), normal),
  ...unary("tanh", (x) => x.tanh(), normal),
  ...unary("softplus", (x) => x.softplus(), normal),
  ...unary("erf", (x) => x.erf(), normal),
  ...unary("gelu", (x) => x.gelu(), normal),
  { op: "clamp", label: "clamp both bounds", fn: (x) => x.clamp(-0.5, 0.5), inputs: (g) => [tensor([-1.2, -0.3, 0.1, 0.7, 2], { dtype: f64 })] },
  { op: "where", label: "where broadcast", fn: (a, b) => C.where(tensor([[1, 0, 1]], { dtype: f64 }), a, b), inputs: (g) => [normal(g, [2, 3]), normal(g, [2, 1])] },
  // NOTE: the float32 round trip rounds to ~1e-7, so the difference step must be large; the function is linear.
  { op: "cast", label: "cast float64 to float32 and back", fn: (x) => x.float().double().mul(3), inputs: () => [tensor([0.5, 0.25, -2], { dtype: f64 })], eps: 1e-2, atol: 1e-4 },
  { op: "matmul", label: "matmul 2-D", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [3, 4]), normal(g, [4, 2])] },
  { op: "matmul", label: "matmul vector·matrix", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [4]), normal(g, [4, 2])] },
  { op: "matmul", label: "matmul matrix·vector", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [3, 4]), normal(g, [4])] },
  { op: "matmul", label: "matmul vector·vector", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [4]), normal(g, [4])] },
  { op: "matmul", label: "matmul batched with broadcast", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [2, 1, 3, 4]), normal(g, [3, 4, 2])] },
  { op: "matmul", label: "matmul transposed operands", fn: (a, b) => C.matmul(a.T, b.transpose()), inputs: (g) => [normal(g, [4, 3]), normal(g, [2, 4])] },
  { op: "sum", label: "sum all", fn: (x) => x.sum(), inputs: (g) => [normal(g, [3, 4])] },
  { op: "sum", label: "sum axis 0", fn: (x) => x.sum(0), inputs: (g) => [normal(g, [3, 4])] },
  { op: "sum", label: "sum axis -1 keepDims", fn: (x) => x.sum(-1, true), inputs: (g) => [normal(g, [2, 3, 4])] },
  { op: "sum", label: "sum axes [0, 2]", fn: (x) => x.sum([0, 2]), inputs: (g) => [normal(g, [2, 3, 4])] },
  { op: "mean", label: "mean all", fn: (x) => x.mean(), inputs: (g) => [normal(g, [3, 4])] },
  { op: "mean", label: "mean axis 1 keepDims", fn: (x) => x.mean(1, true), inputs: (g) => [normal(g, [3, 4])] },
  { op: "max", label: "max all", fn: (x) => x.max(), inputs: (g) => [distinct(g, [3, 4])] },
  { op: "max", label: "max axis 1", fn: (x) => x.max(1), inputs: (g) => [distinct(g, [3, 4])] },
  { op: "max", label: "max axes [0, 2] keepDims", fn: (x) => x.max([0, 2], true), inputs: (g) => [distinct(g, [2, 3, 4])] },
  { op: "min", label: "min all", fn: (x) => x.min(), inputs: (g) => [distinct(g, [3, 4])] },
  { op: "min", label: "min axis 0", fn: (x) => x.min(0), inputs: (g) => [distinct(g, [3, 4])] },
  { op: "logSumExp", label: "logSumExp all", fn: (x) => x.logSumExp(), inputs: (g) => [normal(g, [3, 4])] },
  { op: "logSumExp", label: "logSumExp axis 1", fn: (x) => x.logSumExp(1), inputs: (g) => [normal(g, [3, 4])] },
  { op: "logSumExp", label: "logSumExp large values", fn: (x) => x.logSumExp(-1, true), inputs: (g) => [normal(g, [2, 3]).mul(300)] },
  { op: "softmax", label: "softmax last axis", fn: (x) => x.softmax(-1), inputs: (g) => [normal(g, [3, 4])] },
  { op: "softmax", label: "softmax axis 0", fn: (x) => x.softmax(0), inputs: (g) => [normal(g, [3, 4])] },
  { op: "logSoftmax", label: "logSoftmax last axis", fn: (x) => x.logSoftmax(), inputs: (g) => [normal(g, [3, 4])] },
  { op: "logSoftmax", label: "logSoftmax axis 1 of 3-D", fn: (x) => x.logSoftmax(1), inputs: (g) => [normal(g, [2, 3, 2])] },
  { op: "reshape", label: "reshape with -1", fn: (x) => x.reshape(4, -1).mul(x.reshape(4, 3)), inputs: (g) => [normal(g, [2, 6])] },
  { op: "flatten", label: "flatten", fn: (x) => x.flatten(1), inputs: (g) => [normal(g, [2, 3, 2])] },
  { op: "squeeze", label: "squeeze", fn: (x) => x.squeeze(1), inputs: (g) => [normal(g, [3, 1, 2])] },
  { op: "unsqueeze", label: "unsqueeze", fn: (x) => x.unsqueeze(0).mul(tensor([[1], [2]], { dtype: f64 }).unsqueeze(0)), inputs: (g) => [normal(g, [2, 3])] },
  { op: "permute", label: "permute", fn: (x) => x.permute(2, 0, 1), inputs: (g) => [normal(g, [2, 3, 4])] },
  { op: "transpose", label: "transpose", fn: (x) => x.transpose(0, 2), inputs: (g) => [normal(g, [2, 3, 4])] },
  { op: "expand", label: "expand", fn: (x) => x.expand(2, 3, 4), inputs: (g) => [normal(g, [3, 1])] },
  { op: "concat", label: "concat axis 1", fn: (a, b) => C.concat([a, b, a], 1), inputs: (g) => [normal(g, [2, 3]), normal(g, [2, 1])] },
  { op: "stack", label: "stack axis 1", fn: (a, b) => C.stack([a, b], 1), inputs: (g) => [normal(g, [2, 3]), normal(g, [2, 3])] },
  { op: "slice", label: "slice with step", fn: (x) => x.slice(1, 1, 5, 2), inputs: (g) => [normal(g, [3, 6])] },
  { op: "slice", label: "slice negative start", fn: (x) => x.slice(0, -2), inputs: (g) => [normal(g, [4, 2])] },
  { op: "sliceBackward", label: "slice twice (sliceBackward in double grad)", fn: (x) => C.gradients(x.slice(0, 1, 3).square().sum(), [x], { createGraph: true })[0].mul(x), inputs: (g) => [normal(g, [4])] },
  { op: "select", label: "select", fn: (x) => x.select(1, -1), inputs: (g) => [normal(g, [3, 4])] },
  { op: "gather", label: "gather axis 1", fn: (x) => x.gather(1, idx([0, 2, 2, 1, 0, 0], [2, 3])), inputs: (g) => [normal(g, [2, 3])] },
  { op: "scatterAdd", label: "scatterAdd axis 0", fn: (s) => C.scatterAdd(s, 0, idx([2, 0, 2, 1], [4, 1]), [3, 1]), inputs: (g) => [normal(g, [4, 1])] },
  { op: "indexSelect", label: "indexSelect with repeats", fn: (x) => x.indexSelect(0, [2, 0, 2]), inputs: (g) => [normal(g, [3, 2])] },
  {
    op: "softmaxCrossEntropy", label: "softmaxCrossEntropy with soft targets (fused rule)",
    fn: (h) => softmaxCrossEntropy(h, tensor([[0.2, 0.5, 0.3], [0, 1, 0]], { dtype: f64 })), inputs: (g) => [normal(g, [2, 3])],
  },
  {
    op: "softmaxCrossEntropy", label: "softmaxCrossEntropy w.r.t. the targets",
    fn: (y) => softmaxCrossEntropy(tensor([[1, -2, 0.5]], { dtype: f64 }), y.softmax()), inputs: (g) => [normal(g, [1, 3])],
  },
];

/** Composite functions of the public API that have gradients through their primitives. */
export const COMPOSITES = ["gelu", "clamp", "mean", "logSumExp", "softmax", "logSoftmax", "flatten", "squeeze", "unsqueeze", "transpose", "stack", "select", "indexSelect"];
