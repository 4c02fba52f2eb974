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
 * contiguous. `setBackend` takes only a backend with every kernel; one that replaces a few spreads the
 * reference backend (`{ ...getBackend(), name: "mine", matmul }`), so a fallback is explicit.
 */
export interface Backend {
  readonly name: string;
  alloc(dtype: DType, size: number): TypedArray;
  /** out[i] = f(x[i]) over contiguous arrays; `param` is the slope of leakyRelu. */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray, param?: number): void;
  /** out[idx] = f(a[idx·aStrides], b[idx·bStrides]) for every idx of `shape` (out contiguous). */
  binary(op: BinaryOp, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], out: TypedArray, shape: readonly number[]): void;
  /** out[idx] = c[idx] != 0 ? a[idx] : b[idx], all with explicit strides. */
  where(c: TypedArray, cStrides: readonly number[], a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], out: TypedArray, shape: readonly number[]): void;
  /** Reduces the inner `inner` elements of each of `outer` contiguous blocks into out[outer]. */
  reduce(op: ReduceOp, x: TypedArray, outer: number, inner: number, out: TypedArray): void;
  /** out (m×n) = op(A)·op(B) where op transposes when the flag is set; A is m×k (k×m when transA), B is k×n (n×k when transB). */
  matmul(
    a: TypedArray, aOffset: number, b: TypedArray, bOffset: number, out: TypedArray, outOffset: number,
    m: number, n: number, k: number, transA: boolean, transB: boolean,
  ): void;
  /** Copies the strided view (offset, strides, shape) of src into dst contiguously from dstOffset. */
  copy(src: TypedArray, srcOffset: number, srcStrides: readonly number[], shape: readonly number[], dst: TypedArray, dstOffset: number): void;
  /** Adds the contiguous src into the strided view (offset, strides, shape) of dst. */
  addInto(src: TypedArray, dst: TypedArray, dstOffset: number, dstStrides: readonly number[], shape: readonly number[]): void;
  /** out[o, i, r] = x[o, index[o, i, r], r] for index of shape [outer, idxLen, inner] and x of [outer, axisLen, inner]. */
  gather(x: TypedArray, axisLen: number, index: Int32Array, outer: number, idxLen: number, inner: number, out: TypedArray): void;
  /** out[o, index[o, i, r], r] += src[o, i, r]; out is [outer, axisLen, inner]. */
  scatterAdd(src: TypedArray, index: Int32Array, outer: number, idxLen: number, inner: number, axisLen: number, out: TypedArray): void;
}
