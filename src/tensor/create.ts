import { ShapeError, ValueError } from "../errors.js";
import { getBackend } from "../kernels/index.js";
import { type DType, type TypedArray, checkDType, dtypeOf } from "./dtype.js";
import { defaultGenerator, type Generator } from "./random.js";
import { type Shape, checkShape, fmtShape, sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  name?: string;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type Nested = number | boolean | readonly Nested[];

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  if (opts.name !== undefined) t.name = opts.name;
  return t;
}

function make(dtype: DType, shape: Shape, fill?: (out: TypedArray) => void): Tensor {
  const data = getBackend().alloc(dtype, sizeOf(shape));
  if (fill) fill(data);
  return new Tensor(data, [...shape], dtype);
}

function inferShape(x: Nested, where: string): number[] {
  const shape: number[] = [];
  let cur: Nested = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

/**
 * A tensor from nested arrays, a typed array or a number.
 *
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64", requiresGrad: true, name: "x" });
 */
export function tensor(
  values: Nested | TypedArray | readonly number[],
  opts: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  const dtype = opts.dtype === undefined ? (ArrayBuffer.isView(values) ? dtypeOf(values as TypedArray) : "float32") : checkDType(opts.dtype, "tensor");
  if (ArrayBuffer.isView(values)) {
    const src = values as TypedArray;
    const shape = opts.shape ? checkShape([...opts.shape], "tensor") : [src.length];
    if (sizeOf(shape) !== src.length)
      throw new ShapeError(`tensor: ${src.length} values cannot have shape ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
    return finish(make(dtype, shape, (out) => out.set(src)), opts);
  }
  const shape = inferShape(values as Nested, "tensor");
  const out = getBackend().alloc(dtype, sizeOf(shape));
  let k = 0;
  const walk = (v: Nested, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new ShapeError(`tensor: ragged nested array at index [${path.join(", ")}]: expected a number, found an array`);
      const num = typeof v === "boolean" ? (v ? 1 : 0) : v;
      if (typeof num !== "number") throw new ValueError(`tensor: expected a number at index [${path.join(", ")}], found ${JSON.stringify(v)}`);
      out[k++] = num as number;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim])
      throw new ShapeError(
        `tensor: ragged nested array at index [${path.join(", ")}]: expected ${shape[dim]} elements, found ${Array.isArray(v) ? v.length : "a number"}`,
      );
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, [...path, i]);
  };
  walk(values as Nested, 0, []);
  let t = new Tensor(out, shape, dtype);
  if (opts.shape) t = new Tensor(out, checkReshape(shape, opts.shape), dtype);
  return finish(t, opts);
}

function checkReshape(from: Shape, to: readonly number[]): number[] {
  const s = checkShape([...to], "tensor");
  if (sizeOf(s) !== sizeOf(from)) throw new ShapeError(`tensor: ${sizeOf(from)} values cannot have shape ${fmtShape(s)}`);
  return s;
}

/** A 0-d tensor: micrograd's Value. `scalar(1.0, { name: "x0", requiresGrad: true, dtype: "float64" })` */
export function scalar(value: number, opts: TensorOptions = {}): Tensor {
  const dtype = checkDType(opts.dtype ?? "float32", "scalar");
  return finish(make(dtype, [], (o) => (o[0] = value)), opts);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return finish(make(checkDType(opts.dtype ?? "float32", "full"), checkShape([...shape], "full"), (o) => o.fill(value)), opts);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return finish(make(checkDType(opts.dtype ?? "float32", "zeros"), checkShape([...shape], "zeros")), opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/** Values start, start+step, ... below end: `arange(5)`, `arange(1, 2, 0.25)`. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new ValueError(`arange: step must not be 0`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = checkDType(opts.dtype ?? (ints ? "int32" : "float32"), "arange");
  return finish(make(dtype, [n], (o) => { for (let i = 0; i < n; i++) o[i] = start + i * step; }), opts);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, found ${steps}`);
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  return finish(make(checkDType(opts.dtype ?? "float32", "linspace"), [steps], (o) => { for (let i = 0; i < steps; i++) o[i] = i === steps - 1 ? end : start + i * d; }), opts);
}

/** The n×m identity matrix. */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  return finish(make(checkDType(opts.dtype ?? "float32", "eye"), checkShape([n, m], "eye"), (o) => { for (let i = 0; i < Math.min(n, m); i++) o[i * m + i] = 1; }), opts);
}

/** Uniform values in [0, 1) from the seeded generator. */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return finish(make(checkDType(opts.dtype ?? "float32", "rand"), checkShape([...shape], "rand"), (o) => { for (let i = 0; i < o.length; i++) o[i] = g.uniform(); }), opts);
}

/** Standard normal values from the seeded generator. */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return finish(make(checkDType(opts.dtype ?? "float32", "randn"), checkShape([...shape], "randn"), (o) => { for (let i = 0; i < o.length; i++) o[i] = g.normal(); }), opts);
}

/** Integers uniform in [low, high), int32 unless a dtype is given. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return finish(make(checkDType(opts.dtype ?? "int32", "randint"), checkShape([...shape], "randint"), (o) => { for (let i = 0; i < o.length; i++) o[i] = g.int(low, high); }), opts);
}
