import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { type DType, checkDType, isFloat } from "../tensor/dtype.js";
import { fmtShape, normalizeAxes, normalizeAxis, sizeOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { full, onesLike, scalar, tensor, zerosLike } from "../tensor/create.js";
import { checkOptions } from "../options.js";
import { type BackwardOptions, backward, provideGradOps } from "../autograd/engine.js";
import { provideFunctions } from "./api.js";
// NOTE: its own namespace, to hand to the gradient rules (F in ./api.js); a module importing itself is no cycle.
import * as Self from "./functions.js";
import { op } from "./index.js";
import { badOperand, boolArg, indexArg, intArg, listText, numberArg, shapeArg, tensorArg, tensorList } from "../tensor/args.js";
import { describeValue } from "../tensor/format.js";
import { reduceAttrs } from "./reduce.js";
import { matmulShape } from "./matmul.js";
import * as Unary from "./unary.js";
import { abs, exp, log, neg, relu, sigmoid, sign, sqrt, tanh } from "./unary.js";
import type { SliceAttrs } from "./slice.js";
import { type UnfoldOptions, pairArg, windowAttrs } from "./unfold.js";
export type { UnfoldOptions };

export { onesLike, zerosLike };
export * from "./unary.js";

/** A tensor or a plain number (which takes the other operand's dtype, as a Python scalar does in PyTorch). */
export type Operand = Tensor | number;
type Axes = number | readonly number[];
const NONE = {};

const constants = { float32: new Map<number, Tensor>(), float64: new Map<number, Tensor>(), int32: new Map<number, Tensor>() };

/**
 * @internal a number as a 0-d tensor matching `like`'s dtype. The tensors for numbers are cached
 * (they never leave the library: ops read them and graphs keep them), which halves the objects
 * a scalar op allocates.
 */
export function asTensor(v: Operand, like?: Tensor, op = "asTensor", position = 1): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v !== "number") throw badOperand(v, op, position);
  const dtype: DType = like === undefined ? "float32" : like.dtype === "int32" && !Number.isInteger(v) ? "float32" : like.dtype;
  const cache = constants[dtype];
  let t = cache.get(v);
  if (t === undefined) {
    t = scalar(v, { dtype });
    if (cache.size > 4096) cache.clear();
    cache.set(v, t);
  }
  return t;
}

/** The two operands of a binary op as tensors; `first` is the position of `a` in the caller's arguments. */
function pair(a: Operand, b: Operand, op: string, first = 1): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, b instanceof Tensor ? b : asTensor(b, a, op, first + 1)];
  if (b instanceof Tensor) return [asTensor(a, b, op, first), b];
  return [asTensor(a, undefined, op, first), asTensor(b, undefined, op, first + 1)];
}

/** a + b, broadcasting. */

export const add = (a: Operand, b: Operand): Tensor => op.add(pair(a, b, "add"), NONE);
/** a − b, broadcasting. */
export const sub = (a: Operand, b: Operand): Tensor => op.sub(pair(a, b, "sub"), NONE);
/** a · b elementwise, broadcasting. */
export const mul = (a: Operand, b: Operand): Tensor => op.mul(pair(a, b, "mul"), NONE);
/** a / b elementwise, broadcasting (int32 / int32 gives float32). */
export const div = (a: Operand, b: Operand): Tensor => op.div(pair(a, b, "div"), NONE);
/** aᵇ elementwise, broadcasting. */
export const pow = (a: Operand, b: Operand): Tensor => op.pow(pair(a, b, "pow"), NONE);
/** The elementwise maximum of a and b. */
export const maximum = (a: Operand, b: Operand): Tensor => op.maximum(pair(a, b, "maximum"), NONE);
/** The elementwise minimum of a and b. */
export const minimum = (a: Operand, b: Operand): Tensor => op.minimum(pair(a, b, "minimum"), NONE);
export const gt = (a: Operand, b: Operand): Tensor => op.gt(pair(a, b, "gt"), NONE);
export const lt = (a: Operand, b: Operand): Tensor => op.lt(pair(a, b, "lt"), NONE);
export const ge = (a: Operand, b: Operand): Tensor => op.ge(pair(a, b, "ge"), NONE);
export const le = (a: Operand, b: Operand): Tensor => op.le(pair(a, b, "le"), NONE);
export const eq = (a: Operand, b: Operand): Tensor => op.eq(pair(a, b, "eq"), NONE);
export const ne = (a: Operand, b: Operand): Tensor => op.ne(pair(a, b, "ne"), NONE);

export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor =>
  op.leakyRelu([x], { slope: numberArg(negativeSlope, "leakyRelu", "negativeSlope") });

/** `cond ? a : b` elementwise; the gradient flows to the branch that was chosen. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const [x, y] = pair(a, b, "where", 2);
  return op.where([tensorArg(cond, "where", 1), x, y], NONE);
}

/** Limits x to [min, max]; the gradient passes where x is inside, as PyTorch's clamp. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  let y = tensorArg(x, "clamp", 1);
  if (min !== undefined && min !== null) numberArg(min, "clamp", "min");
  if (max !== undefined && max !== null) numberArg(max, "clamp", "max");
  if (min !== undefined && min !== null) y = where(lt(y, min), min, y);
  if (max !== undefined && max !== null) y = where(gt(y, max), max, y);
  return y;
}

/** Converts to another dtype (differentiable between float dtypes). */
export function cast(x: Tensor, dtype: DType): Tensor {
  tensorArg(x, "cast", 1);
  checkDType(dtype, "cast");
  return x.dtype === dtype ? x : op.cast([x], { dtype });
}

/** @internal the matmul primitive with the transposes folded in: op(a)·op(b). */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return op.matmul([a, b], { transA, transB });
}

/** @internal the addmm primitive: op(a)·op(b) + c, the vector c added to every row (Linear's forward). */
export function addmmT(a: Tensor, b: Tensor, c: Tensor, transA: boolean, transB: boolean): Tensor {
  return op.addmm([a, b, c], { transA, transB });
}

/**
 * Matrix product with NumPy's rules: 1-D operands are vectors, batch dimensions broadcast.
 * @example matmul(randn([32, 80]), randn([80, 1024])).shape; // [32, 1024]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  tensorArg(a, "matmul", 1);
  tensorArg(b, "matmul", 2);
  matmulShape(a.shape, b.shape); // errors name the operands as given (a 1-D one as 1-D)
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  let c = matmulT(a2, b2, false, false);
  if (b.ndim === 1) c = squeeze(c, -1);
  if (a.ndim === 1) c = squeeze(c, b.ndim === 1 ? -1 : -2);
  return c;
}

/** The sum over `axis` (all elements when omitted). */
export const sum = (x: Tensor, axis?: Axes, keepDims = false): Tensor => op.sum([x], reduceAttrs(x, axis, keepDims, "sum"));

/** The mean over `axis` (all elements when omitted). */
export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const a = reduceAttrs(x, axis, keepDims, "mean");
  const n = sizeOf(a.axes.map((i) => x.shape[i]));
  return div(op.sum([x.dtype === "int32" ? cast(x, "float32") : x], a), n);
}

export const max = (x: Tensor, axis?: Axes, keepDims = false): Tensor => op.max([x], reduceAttrs(x, axis, keepDims, "max"));
export const min = (x: Tensor, axis?: Axes, keepDims = false): Tensor => op.min([x], reduceAttrs(x, axis, keepDims, "min"));
/** Indices of the maxima along `axis` (of the flattened tensor when omitted), int32. */
export const argmax = (x: Tensor, axis?: number, keepDims = false): Tensor => op.argmax([x], reduceAttrs(x, axis, keepDims, "argmax"));
export const argmin = (x: Tensor, axis?: number, keepDims = false): Tensor => op.argmin([x], reduceAttrs(x, axis, keepDims, "argmin"));

/** m = max(x) over `axes` held constant (0 where it is ±∞), x − m, and log Σ exp(x − m), with kept dims. */
function shiftedLogSumExp(x: Tensor, axes: number[]): { m: Tensor; xm: Tensor; ls: Tensor } {
  const m0 = max(x.detach(), axes, true);
  const m = where(op.eq([abs(m0), asTensor(Infinity, m0)], NONE), 0, m0);
  const xm = sub(x, m);
  return { m, xm, ls: log(sum(exp(xm), axes, true)) };
}

/**
 * log Σ exp(x) over `axis`, computed stably as m + log Σ exp(x − m) with m = max(x) held constant
 * (the gradient does not depend on m).
 */
export function logSumExp(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  tensorArg(x, "logSumExp", 1);
  boolArg(keepDims, "logSumExp", "keepDims");
  const axes = normalizeAxes(axis, x.ndim, "logSumExp");
  const { m, ls } = shiftedLogSumExp(x, axes);
  const lse = add(ls, m);
  return keepDims ? lse : squeeze(lse, axes);
}

/** exp(x) / Σ exp(x) along `axis`, stably. */
export const softmax = (x: Tensor, axis = -1): Tensor => exp(logSoftmaxOf(x, axis, "softmax"));

/**
 * x − logΣexp(x) along `axis`, computed as (x − m) − log Σ exp(x − m): forming m + log Σ exp(x − m)
 * first would round it to the precision of m (≈ 6e-5 at 1000 in float32).
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return logSoftmaxOf(x, axis, "logSoftmax");
}

function logSoftmaxOf(x: Tensor, axis: number, op: string): Tensor {
  tensorArg(x, op, 1);
  if (typeof axis !== "number") throw new ValueError(`${op}: axis must be an integer, found ${describeValue(axis)}`);
  const { xm, ls } = shiftedLogSumExp(x, [normalizeAxis(axis, x.ndim, op)]);
  return sub(xm, ls);
}

/** Same data, new shape; one dimension may be −1. Shares the data (no copy). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  tensorArg(x, "reshape", 1);
  const s = [...shapeArg(shape, "reshape", true)];
  const free = s.indexOf(-1);
  if (free >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== free));
    if (s.lastIndexOf(-1) !== free || rest === 0 || x.size % rest !== 0)
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} into ${fmtShape(shape)}`);
    s[free] = x.size / rest;
  }
  if (!s.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(`reshape: invalid shape ${fmtShape(shape)}`);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return op.reshape([x], { shape: s });
}

/** Collapses dimensions startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  tensorArg(x, "flatten", 1);
  const s = normalizeAxis(startDim, x.ndim, "flatten");
  const e = normalizeAxis(endDim, x.ndim, "flatten");
  if (x.ndim === 0) return reshape(x, [1]);
  if (s > e) throw new ValueError(`flatten: startDim ${startDim} comes after endDim ${endDim} for a tensor of rank ${x.ndim}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Removes dimensions of size 1 (only those in `axis` when given). */
export function squeeze(x: Tensor, axis?: Axes): Tensor {
  tensorArg(x, "squeeze", 1);
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(axis, x.ndim, "squeeze");
  for (const a of axes) if (x.shape[a] !== 1) throw new ShapeError(`squeeze: dimension ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

/** Inserts a dimension of size 1 at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  tensorArg(x, "unsqueeze", 1);
  const a = normalizeAxis(axis, x.ndim + 1, "unsqueeze", x.ndim);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

export function permute(x: Tensor, axes: readonly number[]): Tensor {
  tensorArg(x, "permute", 1);
  if (!Array.isArray(axes)) throw new ValueError(`permute: expected a list of axes such as [1, 0], found ${describeValue(axes)}`);
  const ax = axes.map((a) => normalizeAxis(a, x.ndim, "permute"));
  if (ax.every((a, i) => a === i) && ax.length === x.ndim) return x;
  return op.permute([x], { axes: ax });
}

/** Swaps two dimensions (the last two by default). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  tensorArg(x, "transpose", 1);
  const p = x.shape.map((_, i) => i);
  const a = normalizeAxis(dim0, x.ndim, "transpose"), b = normalizeAxis(dim1, x.ndim, "transpose");
  [p[a], p[b]] = [p[b], p[a]];
  return permute(x, p);
}

/** Broadcasts to `shape` (−1 keeps a dimension), copying. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  tensorArg(x, "expand", 1);
  shapeArg(shape, "expand", true);
  const lead = shape.length - x.ndim;
  const s = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return op.expand([x], { shape: s });
}

/**
 * Elements start, start+step, … below end along `axis`, like Python's `x[start:end:step]`
 * (negative indices count from the end).
 */
export function slice(x: Tensor, axis: number, start: number, end?: number | null, step = 1): Tensor {
  tensorArg(x, "slice", 1);
  const a = normalizeAxis(axis, x.ndim, "slice");
  intArg(start, "slice", "start");
  if (end !== undefined && end !== null) intArg(end, "slice", "end");
  if (!Number.isInteger(step) || step < 1) throw new ValueError(`slice: step must be a positive integer, found ${step}`);
  const n = x.shape[a];
  const norm = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = norm(start), e = norm(end ?? n);
  return sliceRaw(x, { axis: a, start: s, length: Math.max(0, Math.ceil((e - s) / step)), step });
}

/** @internal */
export const sliceRaw = (x: Tensor, attrs: SliceAttrs): Tensor => op.slice([x], attrs);
/** @internal */
export const sliceBackward = (g: Tensor, inputShape: readonly number[], attrs: SliceAttrs): Tensor =>
  op.sliceBackward([g], { ...attrs, inputShape });

/** The sub-tensor at `index` along `axis`, with that axis removed. */
export function select(x: Tensor, axis: number, index: number): Tensor {
  tensorArg(x, "select", 1);
  const a = normalizeAxis(axis, x.ndim, "select");
  const n = x.shape[a];
  if (!Number.isInteger(index) || index < -n || index >= n) throw new ValueError(`select: index ${index} is out of range for axis ${a} of size ${n}`);
  return squeeze(slice(x, a, index < 0 ? index + n : index, (index < 0 ? index + n : index) + 1), a);
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  tensorList(xs, "concat");
  if (xs.length === 0) throw new ShapeError(`concat: expected at least one tensor, found none`);
  return op.concat([...xs], { axis: normalizeAxis(axis, xs[0].ndim, "concat") });
}

/** Joins tensors of one shape along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  tensorList(xs, "stack");
  if (xs.length === 0) throw new ShapeError(`stack: expected at least one tensor, found none`);
  const a = normalizeAxis(axis, xs[0].ndim + 1, "stack", xs[0].ndim);
  for (const x of xs)
    if (x.ndim !== xs[0].ndim || x.shape.some((d, i) => d !== xs[0].shape[i]))
      throw new ShapeError(`stack: expected tensors of one shape, found ${xs.map((t) => fmtShape(t.shape)).join(", ")}`);
  return concat(xs.map((x) => unsqueeze(x, a)), a);
}

/** out[…, i, …] = x[…, index[…, i, …], …] along `axis` (PyTorch's gather). */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  tensorArg(x, "gather", 1);
  const a = normalizeAxis(axis, x.ndim, "gather");
  return op.gather([x, indexArg(index, "gather", 3)], { axis: a });
}

/** zeros(shape) with src added at the positions `index` gives along `axis`. */
export function scatterAdd(src: Tensor, axis: number, index: Tensor, shape: readonly number[]): Tensor {
  tensorArg(src, "scatterAdd", 1);
  const a = normalizeAxis(axis, src.ndim, "scatterAdd");
  return op.scatterAdd([src, indexArg(index, "scatterAdd", 3)], { axis: a, shape: [...shapeArg(shape, "scatterAdd")] });
}

/**
 * The kh×kw windows of x [N, C, H, W] as columns [N, C·kh·kw, L] (PyTorch's unfold, im2col), zeros where they read padding.
 * @example unfold(randn([2, 3, 5, 5]), 3, { padding: 1 }).shape; // [2, 27, 25]
 */
export const unfold = (x: Tensor, kernelSize: number | readonly [number, number], opts: UnfoldOptions = {}): Tensor =>
  op.unfold([tensorArg(x, "unfold", 1)], windowAttrs("unfold", kernelSize, opts));

/**
 * Columns [N, C·kh·kw, L] summed into the windows of an output [N, C, ...outputSize] they stand for (PyTorch's fold, col2im; unfold's adjoint).
 * @example fold(unfold(ones([1, 1, 3, 3]), 2), [3, 3], 2).data; // each entry counts the windows covering it
 */
export const fold = (cols: Tensor, outputSize: number | readonly [number, number], kernelSize: number | readonly [number, number], opts: UnfoldOptions = {}): Tensor =>
  op.fold([tensorArg(cols, "fold", 1)], { ...windowAttrs("fold", kernelSize, opts), size: pairArg(outputSize, "fold outputSize", 1) });

/** The slices of x at `index` (a 1-D list) along `axis`. */
export function indexSelect(x: Tensor, axis: number, index: Tensor | readonly number[]): Tensor {
  tensorArg(x, "indexSelect", 1);
  const a = normalizeAxis(axis, x.ndim, "indexSelect");
  let idx: Tensor;
  if (index instanceof Tensor) idx = indexArg(index, "indexSelect", 3);
  else if (Array.isArray(index) && index.every((i) => Number.isInteger(i))) idx = tensor(index as number[], { dtype: "int32" });
  else throw new ValueError(`indexSelect: expected an int32 Tensor or a list of integers for argument 3, found ${Array.isArray(index) ? listText(index) : describeValue(index)}`);
  if (idx.ndim !== 1) throw new ShapeError(`indexSelect: expected a 1-D index, found ${fmtShape(idx.shape)}`);
  const outShape = x.shape.map((d, i) => (i === a ? idx.size : d));
  const outer = sizeOf(x.shape.slice(0, a)), inner = sizeOf(x.shape.slice(a + 1));
  const full = new Int32Array(sizeOf(outShape));
  const n = x.shape[a];
  for (const v of idx.data) if (v < -n || v >= n) throw new ValueError(`indexSelect: index ${v} is out of range for axis ${a} of size ${n}`);
  for (let o = 0, k = 0; o < outer; o++) for (let i = 0; i < idx.size; i++) for (let r = 0; r < inner; r++) full[k++] = idx.data[i] < 0 ? idx.data[i] + n : idx.data[i];
  return gather(x, a, tensor(full, { shape: outShape }));
}

/** One-hot rows for integer labels: shape [...labels.shape, numClasses]. */
export function oneHot(labels: Tensor, numClasses?: number | null, opts?: { dtype?: DType }): Tensor {
  tensorArg(labels, "oneHot", 1);
  const { dtype } = checkOptions("oneHot", opts, ["dtype"]);
  if (dtype !== undefined) checkDType(dtype, "oneHot");
  if (labels.dtype !== "int32" && !labels.data.every((v) => Number.isInteger(v)))
    throw new DTypeError(`oneHot: expected int32 labels (or floats holding integers), found ${labels.dtype} values that are not integers; convert them with .int()`);
  if (numClasses !== undefined && numClasses !== null && (!Number.isInteger(numClasses) || numClasses < 0))
    throw new ValueError(`oneHot: numClasses must be a non-negative integer, found ${describeValue(numClasses)}`);
  let c = numClasses ?? 0;
  if (numClasses === undefined || numClasses === null) for (const v of labels.data) c = Math.max(c, v + 1);
  const out = full([...labels.shape, c], 0, { dtype: dtype ?? "float32" });
  for (let i = 0; i < labels.size; i++) {
    const v = labels.data[i];
    if (v < 0 || v >= c) throw new ValueError(`oneHot: label ${v} is out of range for ${c} classes`);
    out.data[i * c + v] = 1;
  }
  return out;
}

/** @internal */
export function requireFloat(x: Tensor, op: string, position = 1): void {
  tensorArg(x, op, position);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: expected a float tensor (float32 or float64), found ${x.dtype}`);
}

/** A method per unary primitive, `x.sin()`, installed from ./unary.ts's rows below. */
type UnaryMethods = { -readonly [K in keyof typeof Unary]: () => Tensor };

declare module "../tensor/tensor.js" {
  interface Tensor extends UnaryMethods {
    /** Runs reverse-mode differentiation from this tensor; gradients accumulate in the leaves' `.grad`. */
    backward(gradient?: Tensor | number | BackwardOptions | null, options?: BackwardOptions): void;
    add(o: Operand): Tensor;
    sub(o: Operand): Tensor;
    mul(o: Operand): Tensor;
    div(o: Operand): Tensor;
    pow(o: Operand): Tensor;
    maximum(o: Operand): Tensor;
    minimum(o: Operand): Tensor;
    gt(o: Operand): Tensor;
    lt(o: Operand): Tensor;
    ge(o: Operand): Tensor;
    le(o: Operand): Tensor;
    eq(o: Operand): Tensor;
    ne(o: Operand): Tensor;
    square(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    /** `where(cond, this, other)`, as PyTorch's `x.where(cond, y)`. */
    where(cond: Tensor, other: Operand): Tensor;
    matmul(o: Tensor): Tensor;
    sum(axis?: Axes, keepDims?: boolean): Tensor;
    mean(axis?: Axes, keepDims?: boolean): Tensor;
    max(axis?: Axes, keepDims?: boolean): Tensor;
    min(axis?: Axes, keepDims?: boolean): Tensor;
    argmax(axis?: number, keepDims?: boolean): Tensor;
    argmin(axis?: number, keepDims?: boolean): Tensor;
    logSumExp(axis?: Axes, keepDims?: boolean): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    reshape(...shape: (number | readonly number[])[]): Tensor;
    view(...shape: (number | readonly number[])[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(axis?: Axes): Tensor;
    unsqueeze(axis: number): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** The transpose of a 2-D tensor (all axes reversed for other ranks). */
    readonly T: Tensor;
    permute(...axes: (number | readonly number[])[]): Tensor;
    expand(...shape: (number | readonly number[])[]): Tensor;
    slice(axis: number, start: number, end?: number, step?: number): Tensor;
    select(axis: number, index: number): Tensor;
    gather(axis: number, index: Tensor): Tensor;
    indexSelect(axis: number, index: Tensor | readonly number[]): Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
  }
}

// NOTE: the Tensor methods are installed here, by the ops layer, as TensorFlow.js installs its chained
// ops: tensor/ sits below ops/ and imports none of it.
const P = Tensor.prototype;
for (const name of Object.keys(Unary) as (keyof typeof Unary)[]) {
  const f = Unary[name];
  P[name] = function (this: Tensor) { return f(this); };
}
P.backward = function (gradient?: Tensor | number | BackwardOptions | null, options?: BackwardOptions) {
  if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor) && typeof gradient !== "number") {
    if (typeof gradient !== "object" || Array.isArray(gradient))
      throw new ValueError(`backward: expected a gradient (a Tensor or a number) or an options object, found ${describeValue(gradient)}`);
    if (options !== undefined)
      throw new ValueError(`backward: expected a gradient (a Tensor or a number) and options, found ${describeValue(gradient)} and ${describeValue(options)}`);
    options = gradient;
    gradient = undefined;
  }
  backward(this, gradient === undefined || gradient === null ? undefined : asTensor(gradient, this, "backward", 1), options);
};
P.add = function (o: Operand) { return add(this, o); };
P.sub = function (o: Operand) { return sub(this, o); };
P.mul = function (o: Operand) { return mul(this, o); };
P.div = function (o: Operand) { return div(this, o); };
P.pow = function (o: Operand) { return pow(this, o); };
P.maximum = function (o: Operand) { return maximum(this, o); };
P.minimum = function (o: Operand) { return minimum(this, o); };
P.gt = function (o: Operand) { return gt(this, o); };
P.lt = function (o: Operand) { return lt(this, o); };
P.ge = function (o: Operand) { return ge(this, o); };
P.le = function (o: Operand) { return le(this, o); };
P.eq = function (o: Operand) { return eq(this, o); };
P.ne = function (o: Operand) { return ne(this, o); };
P.square = function () { return mul(this, this); };
P.leakyRelu = function (negativeSlope = 0.01) { return leakyRelu(this, negativeSlope); };
P.clamp = function (min?: number | null, max?: number | null) { return clamp(this, min, max); };
P.where = function (cond: Tensor, other: Operand) { return where(cond, this, other); };
P.matmul = function (o: Tensor) { return matmul(this, o); };
P.sum = function (axis?: Axes, keepDims = false) { return sum(this, axis, keepDims); };
P.mean = function (axis?: Axes, keepDims = false) { return mean(this, axis, keepDims); };
P.max = function (axis?: Axes, keepDims = false) { return max(this, axis, keepDims); };
P.min = function (axis?: Axes, keepDims = false) { return min(this, axis, keepDims); };
P.argmax = function (axis?: number, keepDims = false) { return argmax(this, axis, keepDims); };
P.argmin = function (axis?: number, keepDims = false) { return argmin(this, axis, keepDims); };
P.logSumExp = function (axis?: Axes, keepDims = false) { return logSumExp(this, axis, keepDims); };
P.softmax = function (axis = -1) { return softmax(this, axis); };
P.logSoftmax = function (axis = -1) { return logSoftmax(this, axis); };
P.reshape = function (...shape: (number | readonly number[])[]) { return reshape(this, shape.flat()); };
P.view = function (...shape: (number | readonly number[])[]) { return reshape(this, shape.flat()); };
P.flatten = function (startDim = 0, endDim = -1) { return flatten(this, startDim, endDim); };
P.squeeze = function (axis?: Axes) { return squeeze(this, axis); };
P.unsqueeze = function (axis: number) { return unsqueeze(this, axis); };
P.transpose = function (dim0 = -2, dim1 = -1) { return transpose(this, dim0, dim1); };
Object.defineProperty(P, "T", { get(this: Tensor) { return permute(this, this.shape.map((_, i) => this.shape.length - 1 - i)); } });
P.permute = function (...axes: (number | readonly number[])[]) { return permute(this, axes.flat()); };
P.expand = function (...shape: (number | readonly number[])[]) { return expand(this, shape.flat()); };
P.slice = function (axis: number, start: number, end?: number, step = 1) { return slice(this, axis, start, end, step); };
P.select = function (axis: number, index: number) { return select(this, axis, index); };
P.gather = function (axis: number, index: Tensor) { return gather(this, axis, index); };
P.indexSelect = function (axis: number, index: Tensor | readonly number[]) { return indexSelect(this, axis, index); };
P.to = function (dtype: DType) { return cast(this, dtype); };
P.float = function () { return cast(this, "float32"); };
P.double = function () { return cast(this, "float64"); };
P.int = function () { return cast(this, "int32"); };

provideFunctions(Self);
provideGradOps({ add, sum, reshape, cast });
