import { ShapeError, ValueError } from "../errors.js";
import { kernels } from "../kernels/index.js";
import { checkOptions } from "../options.js";
import { type DType, type TypedArray, checkDType, dtypeOf } from "./dtype.js";
import { describeValue } from "./format.js";
import { Generator, defaultGenerator } from "./random.js";
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

/** A shape as PyTorch takes it: `zeros([2, 3], opts)` or `zeros(2, 3, opts)`. */
export type ShapeArgs<O> = [shape: readonly number[], opts?: O] | [...sizes: number[], opts: O] | number[];

const TENSOR_OPTIONS = ["dtype", "requiresGrad", "name"] as const;
const RANDOM_OPTIONS = [...TENSOR_OPTIONS, "generator"] as const;
const TENSOR_SHAPE_OPTIONS = [...TENSOR_OPTIONS, "shape"] as const;

type Nested = number | boolean | readonly Nested[];

function isOptions(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Checks the keys and values of creation options (`where` names the function). */
function options<O extends RandomOptions>(where: string, opts: O | undefined, allowed: readonly (keyof O & string)[]): O {
  if (opts === undefined) return {} as O;
  if (typeof opts === "object" && opts !== null && !Array.isArray(opts)) {
    let empty = true;
    for (const _ in opts) {
      empty = false;
      break;
    }
    if (empty) return opts;
  }
  const o = checkOptions(where, opts, allowed);
  if (o.requiresGrad !== undefined && typeof o.requiresGrad !== "boolean") throw new ValueError(`${where}: requiresGrad must be true or false, found ${describeValue(o.requiresGrad)}`);
  if (o.name !== undefined && typeof o.name !== "string") throw new ValueError(`${where}: name must be a string, found ${describeValue(o.name)}`);
  if (o.generator !== undefined && !(o.generator instanceof Generator)) throw new ValueError(`${where}: generator must be a Generator, found ${describeValue(o.generator)}`);
  if (o.dtype !== undefined) checkDType(o.dtype, where);
  return o;
}

/** Refuses extra positional arguments, which would otherwise be ignored: `full([2], 7, "float64")`. */
function arity(where: string, count: number, max: number, usage: string): void {
  if (count > max) throw new ValueError(`${where}: expected at most ${max} arguments, ${where}(${usage}), found ${count}`);
}

function num(where: string, what: string, v: unknown, integer = false): number {
  if (typeof v !== "number" || (integer ? !Number.isInteger(v) : Number.isNaN(v)))
    throw new ValueError(`${where}: ${what} must be ${integer ? "an integer" : "a number"}, found ${describeValue(v)}`);
  return v;
}

/** The shape and options of `zeros([2, 3], opts)` and of PyTorch's `zeros(2, 3, opts)`. */
function shapeArgs<O extends RandomOptions>(where: string, args: readonly unknown[], allowed: readonly (keyof O & string)[]): [number[], O] {
  let shape: unknown, rest: readonly unknown[];
  if (typeof args[0] === "number") {
    const k = args.findIndex((a) => typeof a !== "number");
    shape = k < 0 ? [...args] : args.slice(0, k);
    rest = k < 0 ? [] : args.slice(k);
  } else if (Array.isArray(args[0])) [shape, rest] = [args[0], args.slice(1)];
  else throw new ShapeError(`${where}: expected a shape such as [2, 3] (or the sizes, ${where}(2, 3)), found ${describeValue(args[0])}`);
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== undefined && !isOptions(rest[0])))
    throw new ValueError(`${where}: after the shape, expected at most an options object, found ${rest.map(describeValue).join(", ")}`);
  return [checkShape(shape, where), options(where, rest[0] as O | undefined, allowed)];
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  if (opts.name !== undefined) t.name = opts.name;
  return t;
}

function make(dtype: DType, shape: Shape, fill?: (out: TypedArray) => void): Tensor {
  const data = kernels(dtype).alloc(dtype, sizeOf(shape));
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
  arity("tensor", arguments.length, 2, "values, options");
  opts = options<TensorOptions & { shape?: readonly number[] }>("tensor", opts, TENSOR_SHAPE_OPTIONS);
  if (!(typeof values === "number" || typeof values === "boolean" || Array.isArray(values) || ArrayBuffer.isView(values)))
    throw new ValueError(`tensor: expected a number, a nested array of numbers or a typed array, found ${describeValue(values)}`);
  const dtype = opts.dtype === undefined ? (ArrayBuffer.isView(values) ? dtypeOf(values as TypedArray) : "float32") : checkDType(opts.dtype, "tensor");
  if (ArrayBuffer.isView(values)) {
    const src = values as TypedArray;
    const shape = opts.shape !== undefined ? [...checkShape(opts.shape, "tensor")] : [src.length];
    if (sizeOf(shape) !== src.length)
      throw new ShapeError(`tensor: ${src.length} values cannot have shape ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
    return finish(make(dtype, shape, (out) => out.set(src)), opts);
  }
  const shape = inferShape(values as Nested, "tensor");
  const out = kernels(dtype).alloc(dtype, sizeOf(shape));
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
  if (opts.shape !== undefined) t = new Tensor(out, checkReshape(shape, opts.shape), dtype);
  return finish(t, opts);
}

function checkReshape(from: Shape, to: readonly number[]): number[] {
  const s = [...checkShape(to, "tensor")];
  if (sizeOf(s) !== sizeOf(from)) throw new ShapeError(`tensor: ${sizeOf(from)} values cannot have shape ${fmtShape(s)}`);
  return s;
}

/** A 0-d tensor: micrograd's Value. `scalar(1.0, { name: "x0", requiresGrad: true, dtype: "float64" })` */
export function scalar(value: number, opts: TensorOptions = {}): Tensor {
  arity("scalar", arguments.length, 2, "value, options");
  opts = options("scalar", opts, TENSOR_OPTIONS);
  num("scalar", "the value", value);
  const dtype = checkDType(opts.dtype ?? "float32", "scalar");
  return finish(make(dtype, [], (o) => (o[0] = value)), opts);
}

function filled(shape: Shape, value: number, dtype: DType, opts: TensorOptions): Tensor {
  return finish(make(dtype, [...shape], value === 0 ? undefined : (o) => kernels(dtype).fill(o, value)), opts);
}

/** A tensor of `shape` filled with `value`: `full([2, 3], 7)`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  arity("full", arguments.length, 3, "shape, value, options");
  checkShape(shape, "full");
  num("full", "the fill value", value);
  opts = options("full", opts, TENSOR_OPTIONS);
  return filled(shape, value, opts.dtype ?? "float32", opts);
}

/** Zeros of a shape, given as an array or as sizes (PyTorch's `torch.zeros(2, 3)`): `zeros([2, 3])`, `zeros(2, 3, { dtype: "float64" })`. */
export function zeros(...args: ShapeArgs<TensorOptions>): Tensor {
  const [shape, opts] = shapeArgs<TensorOptions>("zeros", args, TENSOR_OPTIONS);
  return filled(shape, 0, opts.dtype ?? "float32", opts);
}

/** Ones of a shape: `ones([2, 3])` or `ones(2, 3)`. */
export function ones(...args: ShapeArgs<TensorOptions>): Tensor {
  const [shape, opts] = shapeArgs<TensorOptions>("ones", args, TENSOR_OPTIONS);
  return filled(shape, 1, opts.dtype ?? "float32", opts);
}

function like(where: string, t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${where}: expected a Tensor, found ${describeValue(t)}`);
  return t;
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  arity("zerosLike", arguments.length, 2, "t, options");
  opts = options("zerosLike", opts, TENSOR_OPTIONS);
  return filled(like("zerosLike", t).shape, 0, opts.dtype ?? t.dtype, opts);
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  arity("onesLike", arguments.length, 2, "t, options");
  opts = options("onesLike", opts, TENSOR_OPTIONS);
  return filled(like("onesLike", t).shape, 1, opts.dtype ?? t.dtype, opts);
}

export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  arity("fullLike", arguments.length, 3, "t, value, options");
  num("fullLike", "the fill value", value);
  opts = options("fullLike", opts, TENSOR_OPTIONS);
  return filled(like("fullLike", t).shape, value, opts.dtype ?? t.dtype, opts);
}

/**
 * Values start, start+step, ... below end: `arange(5)`, `arange(1, 2, 0.25)`; int32 when all three
 * are integers. Options come last: `arange(5, { dtype: "float64" })`.
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number | undefined, step: number, opts?: TensorOptions): Tensor;
export function arange(...args: unknown[]): Tensor {
  const k = args.findIndex(isOptions);
  if (k >= 0 && k < args.length - 1) throw new ValueError(`arange: the options object must be the last argument`);
  const opts = options<TensorOptions>("arange", (k >= 0 ? args[k] : undefined) as TensorOptions | undefined, TENSOR_OPTIONS);
  const nums = k >= 0 ? args.slice(0, k) : args;
  if (nums.length > 3) throw new ValueError(`arange: expected (end), (start, end) or (start, end, step), found ${nums.length} numbers`);
  let start = num("arange", "start", nums[0]);
  let end = nums[1] === undefined ? start : num("arange", "end", nums[1]);
  if (nums[1] === undefined) start = 0;
  const step = nums[2] === undefined ? 1 : num("arange", "step", nums[2]);
  if (step === 0) throw new ValueError(`arange: step must not be 0`);
  if (![start, end, step].every(Number.isFinite)) throw new ValueError(`arange: start, end and step must be finite, found ${start}, ${end}, ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = checkDType(opts.dtype ?? (ints ? "int32" : "float32"), "arange");
  return finish(make(dtype, [n], (o) => { for (let i = 0; i < n; i++) o[i] = start + i * step; }), opts);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  arity("linspace", arguments.length, 4, "start, end, steps, options");
  num("linspace", "start", start);
  num("linspace", "end", end);
  opts = options("linspace", opts, TENSOR_OPTIONS);
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, found ${steps}`);
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  return finish(make(checkDType(opts.dtype ?? "float32", "linspace"), [steps], (o) => { for (let i = 0; i < steps; i++) o[i] = i === steps - 1 ? end : start + i * d; }), opts);
}

/** The n×m identity matrix: `eye(3)`, `eye(2, 3)`, `eye(3, { dtype: "float64" })`. */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  arity("eye", arguments.length, 3, "n, m, options");
  if (isOptions(m) && opts === undefined) [m, opts] = [undefined, m as TensorOptions];
  opts = options("eye", opts, TENSOR_OPTIONS);
  const [rows, cols] = checkShape([n, m ?? n], "eye");
  return finish(make(checkDType(opts.dtype ?? "float32", "eye"), [rows, cols], (o) => { for (let i = 0; i < Math.min(rows, cols); i++) o[i * cols + i] = 1; }), opts);
}

/** Uniform values in [0, 1) from the seeded generator: `rand([2, 3])` or `rand(2, 3, { generator })`. */
export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  const [shape, opts] = shapeArgs<RandomOptions>("rand", args, RANDOM_OPTIONS);
  const g = opts.generator ?? defaultGenerator;
  return finish(make(checkDType(opts.dtype ?? "float32", "rand"), shape, (o) => { for (let i = 0; i < o.length; i++) o[i] = g.uniform(); }), opts);
}

/** Standard normal values from the seeded generator: `randn([2, 3])` or `randn(2, 3, { generator })`. */
export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  const [shape, opts] = shapeArgs<RandomOptions>("randn", args, RANDOM_OPTIONS);
  const g = opts.generator ?? defaultGenerator;
  return finish(make(checkDType(opts.dtype ?? "float32", "randn"), shape, (o) => { for (let i = 0; i < o.length; i++) o[i] = g.normal(); }), opts);
}

/** Integers uniform in [low, high), int32 unless a dtype is given: `randint(0, 10, [3])`, or `randint(10, [3])` as PyTorch. */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  if (Array.isArray(args[1])) args = [0, ...args];
  if (args.length > 4) throw new ValueError(`randint: expected (low, high, shape, options?), found ${args.length} arguments`);
  const [low, high, shape, o] = args;
  num("randint", "low", low, true);
  num("randint", "high", high, true);
  if ((high as number) <= (low as number)) throw new ValueError(`randint: expected low < high, found low=${low}, high=${high}`);
  const s = checkShape(shape, "randint");
  const opts = options<RandomOptions>("randint", o as RandomOptions | undefined, RANDOM_OPTIONS);
  const g = opts.generator ?? defaultGenerator;
  return finish(make(checkDType(opts.dtype ?? "int32", "randint"), [...s], (o) => { for (let i = 0; i < o.length; i++) o[i] = g.int(low as number, high as number); }), opts);
}
