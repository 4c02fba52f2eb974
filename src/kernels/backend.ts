/** Element types: `float32` (the default), `float64` (exact work and gradient checks), `int32` (labels, indices). */
export type DType = "float32" | "float64" | "int32";
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** The unary kernels, read off the reference backend's table (`src/kernels/ts/unary.ts`). */
export type UnaryOp = keyof typeof import("./ts/unary.js").UNARY;
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "gt" | "lt" | "ge" | "le" | "eq" | "ne";
export type ReduceOp = "sum" | "max" | "min" | "argmax" | "argmin";

/**
 * The narrow interface between ops and compute. Kernels know nothing of autograd or broadcasting
 * rules: every operand comes with explicit strides (0 on a broadcast dimension) and every output is
 * contiguous. A kernel is chosen by the dtype its operands share (index arrays and argmax's output
 * aside); one whose float operands differ in dtype runs on the reference backend. Kernels are called
 * without `this`, and must not keep the arrays they are given.
 */
export interface Kernels {
  /** A new array of `size` elements, zero-filled: addInto, scatterAdd, concat and the optimizers' state rely on it. */
  alloc(dtype: DType, size: number): TypedArray;
  /** out[i] = value for every i. */
  fill(out: TypedArray, value: number): void;
  /** out[i] = x[i] converted to out's dtype (toward zero for int32; NaN and ±Inf become 0 there). */
  cast(x: TypedArray, out: TypedArray): void;
  /** out[i] = f(x[i]) over contiguous arrays; `param` is the slope of leakyRelu. */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray, param?: number): void;
  /** out[idx] = f(a[idx·aStrides], b[idx·bStrides]) for every idx of `shape` (out contiguous). */
  binary(op: BinaryOp, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], out: TypedArray, shape: readonly number[]): void;
  /** out[idx] = c[idx] != 0 ? a[idx] : b[idx], all with explicit strides. */
  where(c: TypedArray, cStrides: readonly number[], a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], out: TypedArray, shape: readonly number[]): void;
  /**
   * Reduces the middle axis of x viewed as [outer, axis, inner]: out[o·inner + i] = op over j of
   * x[(o·axis + j)·inner + i], without a transposing copy. A NaN wins max and min; sum of an empty
   * axis is 0, max −∞, min +∞; argmax and argmin give the first index of the extremum (out int32).
   */
  reduce(op: ReduceOp, x: TypedArray, outer: number, axis: number, inner: number, out: TypedArray): void;
  /**
   * out[t] (m×n) = op(A[t])·op(B[t]) (+ bias) for t < batch, where op transposes when the flag is
   * set: A[t] starts at aOffset + t·aStride and is m×k (k×m when transA), B[t] at bOffset + t·bStride
   * and is k×n (n×k when transB), out[t] at outOffset + t·m·n. A stride of 0 broadcasts one matrix
   * over the batch. `bias`, when given, holds n values added to every row (addmm). Overwrites out.
   */
  matmul(
    a: TypedArray, aOffset: number, b: TypedArray, bOffset: number, out: TypedArray, outOffset: number,
    m: number, n: number, k: number, transA: boolean, transB: boolean,
    batch: number, aStride: number, bStride: number, bias: TypedArray | null,
  ): void;
  /** Copies the strided view (offset, strides, shape) of src into dst contiguously from dstOffset. */
  copy(src: TypedArray, srcOffset: number, srcStrides: readonly number[], shape: readonly number[], dst: TypedArray, dstOffset: number): void;
  /** Adds the contiguous src into the strided view (offset, strides, shape) of dst. */
  addInto(src: TypedArray, dst: TypedArray, dstOffset: number, dstStrides: readonly number[], shape: readonly number[]): void;
  /** out[o, i, r] = x[o, index[o, i, r], r] for index of shape [outer, idxLen, inner] and x of [outer, axisLen, inner]. */
  gather(x: TypedArray, axisLen: number, index: Int32Array, outer: number, idxLen: number, inner: number, out: TypedArray): void;
  /** out[o, index[o, i, r], r] += src[o, i, r]; out is [outer, axisLen, inner]. */
  scatterAdd(src: TypedArray, index: Int32Array, outer: number, idxLen: number, inner: number, axisLen: number, out: TypedArray): void;
  /** The windows of n images x [n, c, h, w] as columns out [n, c·kh·kw, oh·ow] (rows by channel, then window offset), 0 where a window reads padding. */
  im2col(x: TypedArray, n: number, geometry: ConvGeometry, out: TypedArray): void;
  /** im2col's adjoint: out [n, c, h, w] += each entry of cols [n, c·kh·kw, oh·ow] at the input it was read from. */
  col2im(cols: TypedArray, n: number, geometry: ConvGeometry, out: TypedArray): void;
  /**
   * Softmax (log: log-softmax) of each of `rows` contiguous rows of `cols`, stably: with m the row's
   * max (0 when not finite), out = (x − m) − log Σ exp(x − m), exponentiated unless `log`.
   */
  softmax(x: TypedArray, out: TypedArray, rows: number, cols: number, log: boolean): void;
  /** out[r] = Σⱼ y[r, j]·(log Σₖ exp(h[r, k] − m) − (h[r, j] − m)) over rows of `cols` (terms with y = 0 skipped). */
  softmaxCrossEntropy(h: TypedArray, y: TypedArray, out: TypedArray, rows: number, cols: number): void;
  /**
   * One SGD step over a whole parameter, in place, as torch.optim.SGD: g = grad + wd·p; with
   * momentum μ ≠ 0, buf = fresh ? g : μ·buf + (1 − dampening)·g and g = nesterov ? g + μ·buf : buf;
   * p −= lr·g. `buf` is unused (may be empty) when μ = 0.
   */
  sgdStep(p: TypedArray, grad: TypedArray, buf: TypedArray, lr: number, momentum: number, dampening: number, nesterov: boolean, weightDecay: number, fresh: boolean): void;
  /**
   * One Adam step in place: g = grad + l2·p; p ·= shrink (AdamW's 1 − lr·wd); m += (1 − β1)(g − m);
   * v = β2·v + (1 − β2)·g²; with vmax (amsgrad) v = vmax = max(vmax, v); p −= stepSize·m / (√v / bc2Sqrt + eps).
   */
  adamStep(p: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null,
    stepSize: number, bc2Sqrt: number, beta1: number, beta2: number, eps: number, l2: number, shrink: number): void;
  /**
   * One RMSprop step in place: g = grad + wd·p; sq = α·sq + (1 − α)·g²; avg = √(sq − ga²) + eps with
   * ga += (1 − α)(g − ga) when ga is given (centered), else √sq + eps; with buf (momentum μ > 0)
   * buf = μ·buf + g/avg and p −= lr·buf, else p −= lr·g/avg.
   */
  rmspropStep(p: TypedArray, grad: TypedArray, sq: TypedArray, buf: TypedArray | null, ga: TypedArray | null,
    lr: number, alpha: number, eps: number, weightDecay: number, momentum: number): void;
}

/** A sliding window over [c, h, w]: kernel kh×kw, stride, zero padding and dilation, and the output size oh×ow they give. */
export interface ConvGeometry {
  readonly c: number; readonly h: number; readonly w: number; readonly kh: number; readonly kw: number; readonly sh: number; readonly sw: number;
  readonly ph: number; readonly pw: number; readonly dh: number; readonly dw: number; readonly oh: number; readonly ow: number;
}

export type KernelName = keyof Kernels;

/**
 * A backend: a name and any subset of the kernels, each declaring the dtypes it handles in `dtypes`
 * (a kernel not listed there handles every dtype). Whatever it lacks, or declines, runs on the
 * TypeScript reference backend: `{ name: "fast", matmul, dtypes: { matmul: ["float32"] } }`.
 */
export type Backend = { readonly name: string; readonly dtypes?: { readonly [K in KernelName]?: readonly DType[] } } & Partial<Kernels>;

/** What `getBackend()` reports: the backend chosen, and per kernel and dtype the backend that serves it. */
export interface BackendInfo {
  readonly name: string;
  /** What it runs on: `relaxed SIMD, 2 threads`, `SIMD, 1 thread`, `reference`. */
  readonly detail: string;
  readonly kernels: { readonly [K in KernelName]: { readonly [D in DType]: string } };
}
