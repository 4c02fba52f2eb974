import * as C from "../../src/index.js";
import { Generator, type OpName, type Tensor, tensor } from "../../src/index.js";
import { softmaxCrossEntropy } from "../../src/losses/cross-entropy.js";
import { type Nd, along, at, build, erfRef, logSumExpOf, map, matmulNd, nd, permuteNd, reduceNd, sumOf, zip } from "./ref.js";

/** One row per differentiable op: a function of float64 inputs, the inputs to check it at, and its forward in plain JS. */
export interface OpSpec {
  /** The op this row covers (a primitive name from OPS or a composite function's name): a typo is a compile error. */
  op: OpName | (typeof COMPOSITES)[number];
  label: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: (g: Generator) => Tensor[];
  /** The forward written independently in plain JS over the inputs' data (a kernel that computes zeros fails it). */
  ref: (...xs: Tensor[]) => Nd;
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
const f64t = (values: number[], shape: number[]) => tensor(Float64Array.from(values), { shape, dtype: f64 });

type Make = (g: Generator, s: number[]) => Tensor;
const unary = (op: OpSpec["op"], fn: (x: Tensor) => Tensor, make: Make, f: (v: number) => number): OpSpec[] => [
  { op, label: `${op} [3,4]`, fn, inputs: (g) => [make(g, [3, 4])], ref: map(f) },
  { op, label: `${op} scalar`, fn, inputs: (g) => [make(g, [])], ref: map(f) },
];
const binary = (op: OpSpec["op"], fn: (a: Tensor, b: Tensor) => Tensor, f: (a: number, b: number) => number, make: Make, makeB = make): OpSpec[] => [
  { op, label: `${op} same shape`, fn, inputs: (g) => [make(g, [2, 3]), makeB(g, [2, 3])], ref: zip(f) },
  { op, label: `${op} broadcast row`, fn, inputs: (g) => [make(g, [4, 3]), makeB(g, [3])], ref: zip(f) },
  { op, label: `${op} broadcast both`, fn, inputs: (g) => [make(g, [2, 1, 3]), makeB(g, [4, 1])], ref: zip(f) },
  { op, label: `${op} with scalar`, fn, inputs: (g) => [make(g, [2, 3]), makeB(g, [])], ref: zip(f) },
];
const sigmoidRef = (v: number) => 1 / (1 + Math.exp(-v));
const red = (axes: number[] | undefined, keep: boolean, f: (vs: number[]) => number) => (x: Tensor) => reduceNd(nd(x), axes, keep, f);
const softmaxRef = (axis: number) => (x: Tensor) => along(nd(x), axis, (row, j) => Math.exp(row[j] - logSumExpOf(row)));
const logSoftmaxRef = (axis: number) => (x: Tensor) => along(nd(x), axis, (row, j) => row[j] - logSumExpOf(row));
/** Rows [M, C] of scores [N, C, d…] with the classes last (plain JS). */
const rowsOf = (x: Nd): number[][] => {
  const c = x.shape[1];
  const last = permuteNd(x, [0, ...x.shape.slice(2).map((_, i) => i + 2), 1]);
  return Array.from({ length: last.data.length / c }, (_, r) => last.data.slice(r * c, r * c + c));
};
const nllOf = (row: number[], j: number) => logSumExpOf(row) - row[j];
/** PyTorch's cross_entropy for class indices: Σ lₙ / Σ w[yₙ] (mean), lₙ = (1 − ε)·w[yₙ]·nllₙ + ε/C·Σ_c w_c·nll_c, 0 if ignored. */
function crossEntropyRef(h: Tensor, labels: number[], w: number[], eps: number, ignore = -100): Nd {
  const rows = rowsOf(nd(h));
  const c = h.shape[1];
  let loss = 0, denom = 0;
  rows.forEach((row, n) => {
    const y = labels[n];
    if (y === ignore) return;
    loss += (1 - eps) * w[y] * nllOf(row, y) + (eps / c) * sumOf(row.map((_, j) => w[j] * nllOf(row, j)));
    denom += w[y];
  });
  return { shape: [], data: [loss / denom] };
}

/** The column (row r, window l) of unfold over x [N, C, H, W] → the input position [c, iy, ix] it reads, or null in the padding (plain JS). */
function windowTap(r: number, l: number, [h, w]: number[], [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[]): number[] | null {
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const [c, ki, kj, oy, ox] = [Math.floor(r / (kh * kw)), Math.floor(r / kw) % kh, r % kw, Math.floor(l / ow), l % ow];
  const iy = oy * sh + ki * dh - ph, ix = ox * sw + kj * dw - pw;
  return iy >= 0 && iy < h && ix >= 0 && ix < w ? [c, iy, ix] : null;
}
const windows = ([h, w]: number[], [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[]) =>
  (Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1) * (Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1);
const unfoldRef = (x: Nd, k: number[], s: number[], p: number[], d: number[]): Nd =>
  build([x.shape[0], x.shape[1] * k[0] * k[1], windows(x.shape.slice(2), k, s, p, d)], ([n, r, l]) => {
    const tap = windowTap(r, l, x.shape.slice(2), k, s, p, d);
    return tap === null ? 0 : at(x, [n, ...tap]);
  });
function foldRef(cols: Nd, size: number[], k: number[], s: number[], p: number[], d: number[]): Nd {
  const [n, rows, l] = cols.shape, c = rows / (k[0] * k[1]);
  const out = build([n, c, ...size], () => 0);
  for (let b = 0; b < n; b++)
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < l; j++) {
        const tap = windowTap(r, j, size, k, s, p, d);
        if (tap !== null) out.data[((b * c + tap[0]) * size[0] + tap[1]) * size[1] + tap[2]] += at(cols, [b, r, j]);
      }
  return out;
}

export const OP_SPECS: OpSpec[] = [
  ...binary("add", (a, b) => a.add(b), (a, b) => a + b, normal),
  ...binary("sub", (a, b) => a.sub(b), (a, b) => a - b, normal),
  ...binary("mul", (a, b) => a.mul(b), (a, b) => a * b, normal),
  ...binary("div", (a, b) => a.div(b), (a, b) => a / b, normal, positive),
  ...binary("pow", (a, b) => a.pow(b), Math.pow, positive, normal),
  { op: "pow", label: "pow integer exponent of a negative base", fn: (a) => a.pow(3), inputs: (g) => [normal(g, [5])], ref: map((v) => v * v * v) },
  // NOTE: a zero base with integer exponents (central differences stay real); PyTorch's ∂b there is 0, not 0·log 0.
  { op: "pow", label: "pow at a zero base", fn: (a, b) => a.pow(b), inputs: () => [f64t([0, 0, 1.5], [3]), f64t([2, 3, 2.5], [3])], ref: zip(Math.pow) },
  { op: "pow", label: "pow zero exponent at a zero base", fn: (a) => a.pow(0), inputs: () => [f64t([0, 1.3, -2], [3])], ref: map(() => 1) },
  ...binary("maximum", (a, b) => a.maximum(b), Math.max, distinct, (g, s) => distinct(g, s).add(0.05)),
  ...binary("minimum", (a, b) => a.minimum(b), Math.min, distinct, (g, s) => distinct(g, s).add(0.05)),
  ...unary("neg", (x) => x.neg(), normal, (v) => -v),
  ...unary("exp", (x) => x.exp(), normal, Math.exp),
  ...unary("log", (x) => x.log(), positive, Math.log),
  ...unary("sqrt", (x) => x.sqrt(), positive, Math.sqrt),
  ...unary("abs", (x) => x.abs(), awayFromZero, Math.abs),
  ...unary("sign", (x) => x.sign(), awayFromZero, Math.sign),
  // NOTE: a positive scalar, so that a relu kernel returning zeros cannot match the reference.
  ...unary("relu", (x) => x.relu(), (g, s) => (s.length === 0 ? awayFromZero(g, s).abs() : awayFromZero(g, s)), (v) => Math.max(v, 0)),
  ...unary("leakyRelu", (x) => x.leakyRelu(0.1), awayFromZero, (v) => (v > 0 ? v : 0.1 * v)),
  ...unary("sigmoid", (x) => x.sigmoid(), normal, sigmoidRef),
  ...unary("tanh", (x) => x.tanh(), normal, Math.tanh),
  ...unary("softplus", (x) => x.softplus(), normal, (v) => Math.log1p(Math.exp(v))),
  ...unary("erf", (x) => x.erf(), normal, erfRef),
  ...unary("sin", (x) => x.sin(), normal, Math.sin),
  ...unary("cos", (x) => x.cos(), normal, Math.cos),
  ...unary("gelu", (x) => x.gelu(), normal, (v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2))),
  ...unary("geluGrad", (x) => x.geluGrad(), normal, (v) => 0.5 * (1 + erfRef(v / Math.SQRT2)) + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI)),
  { op: "clamp", label: "clamp both bounds", fn: (x) => x.clamp(-0.5, 0.5), inputs: (g) => [tensor([-1.2, -0.3, 0.1, 0.7, 2], { dtype: f64 })], ref: map((v) => Math.min(Math.max(v, -0.5), 0.5)) },
  {
    op: "where", label: "where broadcast", fn: (a, b) => C.where(tensor([[1, 0, 1]], { dtype: f64 }), a, b), inputs: (g) => [normal(g, [2, 3]), normal(g, [2, 1])],
    ref: (a, b) => build([2, 3], ([i, j]) => (j !== 1 ? at(nd(a), [i, j]) : at(nd(b), [i, 0]))),
  },
  // NOTE: the float32 round trip rounds to ~1e-7, so the difference step must be large; the function is linear.
  { op: "cast", label: "cast float64 to float32 and back", fn: (x) => x.float().double().mul(3), inputs: () => [tensor([0.5, 0.25, -2], { dtype: f64 })], ref: map((v) => Math.fround(v) * 3), eps: 1e-2, atol: 1e-4 },
  { op: "matmul", label: "matmul 2-D", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [3, 4]), normal(g, [4, 2])], ref: (a, b) => matmulNd(nd(a), nd(b)) },
  { op: "matmul", label: "matmul vector·matrix", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [4]), normal(g, [4, 2])], ref: (a, b) => matmulNd(nd(a), nd(b)) },
  { op: "matmul", label: "matmul matrix·vector", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [3, 4]), normal(g, [4])], ref: (a, b) => matmulNd(nd(a), nd(b)) },
  { op: "matmul", label: "matmul vector·vector", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [4]), normal(g, [4])], ref: (a, b) => matmulNd(nd(a), nd(b)) },
  { op: "matmul", label: "matmul batched with broadcast", fn: (a, b) => C.matmul(a, b), inputs: (g) => [normal(g, [2, 1, 3, 4]), normal(g, [3, 4, 2])], ref: (a, b) => matmulNd(nd(a), nd(b)) },
  {
    op: "matmul", label: "matmul transposed operands", fn: (a, b) => C.matmul(a.T, b.transpose()), inputs: (g) => [normal(g, [4, 3]), normal(g, [2, 4])],
    ref: (a, b) => matmulNd(permuteNd(nd(a), [1, 0]), permuteNd(nd(b), [1, 0])),
  },
  {
    op: "addmm", label: "addmm as Linear's forward", fn: (x, w, b) => C.nn.functional.linear(x, w, b), inputs: (g) => [normal(g, [3, 4]), normal(g, [2, 4]), normal(g, [2])],
    ref: (x, w, b) => { const p = matmulNd(nd(x), permuteNd(nd(w), [1, 0])); return { shape: p.shape, data: p.data.map((v, i) => v + b.data[i % 2]!) }; },
  },
  { op: "sum", label: "sum all", fn: (x) => x.sum(), inputs: (g) => [normal(g, [3, 4])], ref: red(undefined, false, sumOf) },
  { op: "sum", label: "sum axis 0", fn: (x) => x.sum(0), inputs: (g) => [normal(g, [3, 4])], ref: red([0], false, sumOf) },
  { op: "sum", label: "sum axis -1 keepDims", fn: (x) => x.sum(-1, true), inputs: (g) => [normal(g, [2, 3, 4])], ref: red([2], true, sumOf) },
  { op: "sum", label: "sum axes [0, 2]", fn: (x) => x.sum([0, 2]), inputs: (g) => [normal(g, [2, 3, 4])], ref: red([0, 2], false, sumOf) },
  { op: "mean", label: "mean all", fn: (x) => x.mean(), inputs: (g) => [normal(g, [3, 4])], ref: red(undefined, false, (vs) => sumOf(vs) / vs.length) },
  { op: "mean", label: "mean axis 1 keepDims", fn: (x) => x.mean(1, true), inputs: (g) => [normal(g, [3, 4])], ref: red([1], true, (vs) => sumOf(vs) / vs.length) },
  { op: "max", label: "max all", fn: (x) => x.max(), inputs: (g) => [distinct(g, [3, 4])], ref: red(undefined, false, (vs) => Math.max(...vs)) },
  { op: "max", label: "max axis 1", fn: (x) => x.max(1), inputs: (g) => [distinct(g, [3, 4])], ref: red([1], false, (vs) => Math.max(...vs)) },
  { op: "max", label: "max axes [0, 2] keepDims", fn: (x) => x.max([0, 2], true), inputs: (g) => [distinct(g, [2, 3, 4])], ref: red([0, 2], true, (vs) => Math.max(...vs)) },
  { op: "min", label: "min all", fn: (x) => x.min(), inputs: (g) => [distinct(g, [3, 4])], ref: red(undefined, false, (vs) => Math.min(...vs)) },
  { op: "min", label: "min axis 0", fn: (x) => x.min(0), inputs: (g) => [distinct(g, [3, 4])], ref: red([0], false, (vs) => Math.min(...vs)) },
  { op: "logSumExp", label: "logSumExp all", fn: (x) => x.logSumExp(), inputs: (g) => [normal(g, [3, 4])], ref: red(undefined, false, logSumExpOf) },
  { op: "logSumExp", label: "logSumExp axis 1", fn: (x) => x.logSumExp(1), inputs: (g) => [normal(g, [3, 4])], ref: red([1], false, logSumExpOf) },
  { op: "logSumExp", label: "logSumExp large values", fn: (x) => x.logSumExp(-1, true), inputs: (g) => [normal(g, [2, 3]).mul(300)], ref: red([1], true, logSumExpOf) },
  { op: "softmax", label: "softmax last axis", fn: (x) => x.softmax(-1), inputs: (g) => [normal(g, [3, 4])], ref: softmaxRef(1) },
  { op: "softmax", label: "softmax axis 0", fn: (x) => x.softmax(0), inputs: (g) => [normal(g, [3, 4])], ref: softmaxRef(0) },
  { op: "logSoftmax", label: "logSoftmax last axis", fn: (x) => x.logSoftmax(), inputs: (g) => [normal(g, [3, 4])], ref: logSoftmaxRef(1) },
  { op: "logSoftmax", label: "logSoftmax axis 1 of 3-D", fn: (x) => x.logSoftmax(1), inputs: (g) => [normal(g, [2, 3, 2])], ref: logSoftmaxRef(1) },
  { op: "reshape", label: "reshape with -1", fn: (x) => x.reshape(4, -1).mul(x.reshape(4, 3)), inputs: (g) => [normal(g, [2, 6])], ref: (x) => ({ shape: [4, 3], data: Array.from(x.data, (v) => v * v) }) },
  { op: "flatten", label: "flatten", fn: (x) => x.flatten(1), inputs: (g) => [normal(g, [2, 3, 2])], ref: (x) => ({ shape: [2, 6], data: Array.from(x.data) }) },
  { op: "squeeze", label: "squeeze", fn: (x) => x.squeeze(1), inputs: (g) => [normal(g, [3, 1, 2])], ref: (x) => ({ shape: [3, 2], data: Array.from(x.data) }) },
  {
    op: "unsqueeze", label: "unsqueeze", fn: (x) => x.unsqueeze(0).mul(tensor([[1], [2]], { dtype: f64 }).unsqueeze(0)), inputs: (g) => [normal(g, [2, 3])],
    ref: (x) => build([1, 2, 3], ([, i, j]) => at(nd(x), [i, j]) * (i + 1)),
  },
  { op: "permute", label: "permute", fn: (x) => x.permute(2, 0, 1), inputs: (g) => [normal(g, [2, 3, 4])], ref: (x) => permuteNd(nd(x), [2, 0, 1]) },
  { op: "transpose", label: "transpose", fn: (x) => x.transpose(0, 2), inputs: (g) => [normal(g, [2, 3, 4])], ref: (x) => permuteNd(nd(x), [2, 1, 0]) },
  { op: "expand", label: "expand", fn: (x) => x.expand(2, 3, 4), inputs: (g) => [normal(g, [3, 1])], ref: (x) => build([2, 3, 4], (i) => at(nd(x), i)) },
  {
    op: "concat", label: "concat axis 1", fn: (a, b) => C.concat([a, b, a], 1), inputs: (g) => [normal(g, [2, 3]), normal(g, [2, 1])],
    ref: (a, b) => build([2, 7], ([i, j]) => (j < 3 ? at(nd(a), [i, j]) : j === 3 ? at(nd(b), [i, 0]) : at(nd(a), [i, j - 4]))),
  },
  {
    op: "stack", label: "stack axis 1", fn: (a, b) => C.stack([a, b], 1), inputs: (g) => [normal(g, [2, 3]), normal(g, [2, 3])],
    ref: (a, b) => build([2, 2, 3], ([i, k, j]) => at(nd(k === 0 ? a : b), [i, j])),
  },
  { op: "slice", label: "slice with step", fn: (x) => x.slice(1, 1, 5, 2), inputs: (g) => [normal(g, [3, 6])], ref: (x) => build([3, 2], ([i, j]) => at(nd(x), [i, 1 + 2 * j])) },
  { op: "slice", label: "slice negative start", fn: (x) => x.slice(0, -2), inputs: (g) => [normal(g, [4, 2])], ref: (x) => build([2, 2], ([i, j]) => at(nd(x), [i + 2, j])) },
  {
    op: "sliceBackward", label: "slice twice (sliceBackward in double grad)", fn: (x) => C.gradients(x.slice(0, 1, 3).square().sum(), [x], { createGraph: true })[0].mul(x), inputs: (g) => [normal(g, [4])],
    ref: (x) => ({ shape: [4], data: Array.from(x.data, (v, i) => (i >= 1 && i < 3 ? 2 * v * v : 0)) }),
  },
  { op: "select", label: "select", fn: (x) => x.select(1, -1), inputs: (g) => [normal(g, [3, 4])], ref: (x) => build([3], ([i]) => at(nd(x), [i, 3])) },
  {
    op: "gather", label: "gather axis 1", fn: (x) => x.gather(1, idx([0, 2, 2, 1, 0, 0], [2, 3])), inputs: (g) => [normal(g, [2, 3])],
    ref: (x) => build([2, 3], ([i, j]) => at(nd(x), [i, [0, 2, 2, 1, 0, 0][i * 3 + j]])),
  },
  // NOTE: as torch.gather, the index may be smaller than the input outside the gathered axis.
  {
    op: "gather", label: "gather with an index smaller than the input", fn: (x) => x.gather(1, idx([3, 0, 1, 3, 2, 2], [1, 3, 2])), inputs: (g) => [normal(g, [2, 4, 3])],
    ref: (x) => build([1, 3, 2], ([i, j, k]) => at(nd(x), [i, [3, 0, 1, 3, 2, 2][j * 2 + k], k])),
  },
  {
    op: "scatterAdd", label: "scatterAdd axis 0", fn: (s) => C.scatterAdd(s, 0, idx([2, 0, 2, 1], [4, 1]), [3, 1]), inputs: (g) => [normal(g, [4, 1])],
    ref: (s) => ({ shape: [3, 1], data: [s.data[1], s.data[3], s.data[0] + s.data[2]] }),
  },
  {
    op: "scatterAdd", label: "scatterAdd with an index smaller than source and output", fn: (s) => C.scatterAdd(s, 1, idx([1, 1, 0, 3], [2, 2]), [3, 4]), inputs: (g) => [normal(g, [3, 3])],
    ref: (s) => build([3, 4], ([i, j]) => (i === 0 ? (j === 1 ? s.data[0] + s.data[1] : 0) : i === 1 ? (j === 0 ? s.data[3] : j === 3 ? s.data[4] : 0) : 0)),
  },
  {
    op: "unfold", label: "unfold 2×3, stride [2, 1], padding [1, 2], dilation [1, 2]", fn: (x) => C.unfold(x, [2, 3], { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }),
    inputs: (g) => [normal(g, [2, 2, 4, 5])], ref: (x) => unfoldRef(nd(x), [2, 3], [2, 1], [1, 2], [1, 2]),
  },
  {
    op: "fold", label: "fold 2×2 overlapping windows, stride [1, 2], padding [0, 1]", fn: (c) => C.fold(c, [3, 4], 2, { stride: [1, 2], padding: [0, 1] }),
    inputs: (g) => [normal(g, [2, 8, 6])], ref: (c) => foldRef(nd(c), [3, 4], [2, 2], [1, 2], [0, 1], [1, 1]),
  },
  { op: "indexSelect", label: "indexSelect with repeats", fn: (x) => x.indexSelect(0, [2, 0, 2]), inputs: (g) => [normal(g, [3, 2])], ref: (x) => build([3, 2], ([i, j]) => at(nd(x), [[2, 0, 2][i], j])) },
  {
    op: "softmaxCrossEntropy", label: "softmaxCrossEntropy with soft targets (fused rule)",
    fn: (h) => softmaxCrossEntropy(h, tensor([[0.2, 0.5, 0.3], [0, 1, 0]], { dtype: f64 })), inputs: (g) => [normal(g, [2, 3])],
    ref: (h) => ({ shape: [2], data: rowsOf(nd(h)).map((row, n) => sumOf([[0.2, 0.5, 0.3], [0, 1, 0]][n].map((y, j) => y * nllOf(row, j)))) }),
  },
  {
    op: "softmaxCrossEntropy", label: "softmaxCrossEntropy w.r.t. the targets",
    fn: (y) => softmaxCrossEntropy(tensor([[1, -2, 0.5]], { dtype: f64 }), y.softmax()), inputs: (g) => [normal(g, [1, 3])],
    ref: (y) => {
      const q = along(nd(y), 1, (row, j) => Math.exp(row[j] - logSumExpOf(row))).data;
      return { shape: [1], data: [sumOf(q.map((v, j) => v * nllOf([1, -2, 0.5], j)))] };
    },
  },
  // NOTE: targets that do not sum to 1 (the general rule softmax(h)·Σy − y), both inputs differentiated.
  {
    op: "softmaxCrossEntropy", label: "softmaxCrossEntropy with targets not summing to 1",
    fn: (h, y) => softmaxCrossEntropy(h, y), inputs: (g) => [normal(g, [2, 3]), positive(g, [2, 3])],
    ref: (h, y) => ({ shape: [2], data: rowsOf(nd(h)).map((row, n) => sumOf(row.map((_, j) => y.data[n * 3 + j] * nllOf(row, j)))) }),
  },
  {
    op: "crossEntropy", label: "crossEntropy with class weights, ignoreIndex and label smoothing",
    fn: (h) => C.crossEntropy(h, idx([2, -100, 0, 2], [4]), { weight: f64t([0.5, 2, 1.5], [3]), labelSmoothing: 0.2 }), inputs: (g) => [normal(g, [4, 3])],
    ref: (h) => crossEntropyRef(h, [2, -100, 0, 2], [0.5, 2, 1.5], 0.2),
  },
  {
    op: "crossEntropy", label: "crossEntropy on [N, C, d] logits with weights and an ignored position",
    fn: (h) => C.crossEntropy(h, idx([1, 0, 3, 2, 3, 1], [2, 3]), { weight: f64t([1, 2, 0.5], [3]), ignoreIndex: 3 }), inputs: (g) => [normal(g, [2, 3, 3])],
    ref: (h) => crossEntropyRef(h, [1, 0, 3, 2, 3, 1], [1, 2, 0.5], 0, 3),
  },
  {
    op: "crossEntropy", label: "crossEntropy on [N, C, d] with weighted probability targets, per position",
    fn: (h, y) => C.crossEntropy(h, y, { weight: f64t([1, 2, 0.5], [3]), reduction: "none" }), inputs: (g) => [normal(g, [2, 3, 2]), positive(g, [2, 3, 2])],
    ref: (h, y) => {
      const ys = rowsOf(nd(y));
      return { shape: [2, 2], data: rowsOf(nd(h)).map((row, r) => sumOf(row.map((_, j) => [1, 2, 0.5][j] * ys[r][j] * nllOf(row, j)))) };
    },
  },
  {
    op: "nllLoss", label: "nllLoss with class weights and ignoreIndex",
    fn: (lp) => C.nllLoss(lp, idx([2, 0, -100, 1], [4]), { weight: f64t([0.5, 2, 1.5], [3]) }), inputs: (g) => [normal(g, [4, 3])],
    ref: (lp) => ({ shape: [], data: [-(1.5 * lp.data[2] + 0.5 * lp.data[3] + 2 * lp.data[10]) / (1.5 + 0.5 + 2)] }),
  },
];

/** Composite functions of the public API that have gradients through their primitives. */
export const COMPOSITES = [
  "clamp", "mean", "logSumExp", "softmax", "logSoftmax", "flatten", "squeeze", "unsqueeze", "transpose", "stack", "select", "indexSelect",
  "crossEntropy", "nllLoss",
] as const;
