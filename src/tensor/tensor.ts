import { DTypeError, ValueError } from "../errors.js";
import type { DType, TypedArray } from "./dtype.js";
import { type Shape, fmtShape } from "./shape.js";
import { describeValue, formatTensor } from "./format.js";
import * as F from "../ops/functions.js";
import { backward, type BackwardOptions } from "../autograd/engine.js";

/** A recorded op application: the edge list of the graph. Released after backward unless retained. */
export interface Node {
  def: { name: string; vjp: ((g: Tensor, ctx: any) => (Tensor | null)[]) | null; formula: string };
  inputs: readonly Tensor[];
  attrs: unknown;
  output: Tensor | null;
  released: boolean;
}

type Operand = Tensor | number;
type Axes = number | readonly number[];

/**
 * An n-dimensional array with reverse-mode automatic differentiation. Data is always a contiguous
 * typed array; tensors are garbage-collected like any object (there is no `dispose`).
 *
 * @example
 * const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * w.mul(w).sum().backward();
 * w.grad!.toArray(); // [[2, 4], [6, 8]]
 */
export class Tensor {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Accumulated gradient of a leaf after `backward`; null before. */
  grad: Tensor | null = null;
  /** A name kept on the graph, shown by `toString` and by `explain`. */
  name: string | undefined = undefined;
  private _requiresGrad = false;
  /** @internal the op that produced this tensor (null for leaves and constants). */
  _node: Node | null = null;
  /** @internal backward bookkeeping. */
  _mark = 0;
  /** @internal */
  _gacc: Tensor | null = null;
  /** @internal */
  _retain = false;

  /** @internal use `tensor()` and the other creation functions. */
  constructor(data: TypedArray, shape: Shape, dtype: DType) {
    this.data = data;
    this.shape = shape;
    this.dtype = dtype;
  }

  /** @internal */
  _setNode(node: Node): void {
    this._node = node;
    this._requiresGrad = true;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(v: boolean) {
    if (v !== true && v !== false) throw new ValueError(`requiresGrad: must be true or false, found ${describeValue(v)}`);
    if (v && this.dtype === "int32") throw new DTypeError(`requiresGrad: only float32 and float64 tensors can require gradients, found int32`);
    if (!v && this._node) throw new ValueError(`requiresGrad: cannot turn off gradients of a non-leaf tensor; use .detach()`);
    this._requiresGrad = v;
  }

  /** Sets `requiresGrad` in place and returns this tensor (PyTorch's `requires_grad_`). */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /** True for tensors created by the user (not by an op that records a graph). */
  get isLeaf(): boolean {
    return this._node === null;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The name of the op that produced this tensor, or null for a leaf. */
  get op(): string | null {
    return this._node ? this._node.def.name : null;
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.data.length !== 1) throw new ValueError(`item: expected a tensor with one element, found shape ${fmtShape(this.shape)}`);
    return this.data[0];
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): any {
    const rec = (dim: number, off: number): any => {
      if (dim === this.shape.length) return this.data[off];
      const n = this.shape[dim];
      let step = 1;
      for (let i = dim + 1; i < this.shape.length; i++) step *= this.shape[i];
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = rec(dim + 1, off + i * step);
      return out;
    };
    return rec(0, 0);
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Runs reverse-mode differentiation from this tensor; gradients accumulate in the leaves' `.grad`. */
  backward(gradient?: Tensor | number | BackwardOptions | null, options?: BackwardOptions): void {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor) && typeof gradient !== "number") {
      if (typeof gradient !== "object" || Array.isArray(gradient))
        throw new ValueError(`backward: expected a gradient (a Tensor or a number) or an options object, found ${describeValue(gradient)}`);
      if (options !== undefined)
        throw new ValueError(`backward: expected a gradient (a Tensor or a number) and options, found ${describeValue(gradient)} and ${describeValue(options)}`);
      options = gradient;
      gradient = undefined;
    }
    backward(this, gradient === undefined || gradient === null ? undefined : F.asTensor(gradient, this, "backward", 1), options);
  }

  /** Keeps this non-leaf tensor's gradient in `.grad` during backward. */
  retainGrad(): this {
    this._retain = true;
    return this;
  }

  /** Clears `.grad`. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** A tensor that shares the data but is cut from the graph. */
  detach(): Tensor {
    const t = new Tensor(this.data, this.shape, this.dtype);
    t.name = this.name;
    return t;
  }

  /** A copy with its own data, cut from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, this.dtype);
  }

  /** Sets the name kept on the graph and returns this tensor. */
  named(name: string): this {
    if (typeof name !== "string") throw new ValueError(`named: expected a string, found ${describeValue(name)}`);
    this.name = name;
    return this;
  }

  add(o: Operand): Tensor { return F.add(this, o); }
  sub(o: Operand): Tensor { return F.sub(this, o); }
  mul(o: Operand): Tensor { return F.mul(this, o); }
  div(o: Operand): Tensor { return F.div(this, o); }
  pow(o: Operand): Tensor { return F.pow(this, o); }
  maximum(o: Operand): Tensor { return F.maximum(this, o); }
  minimum(o: Operand): Tensor { return F.minimum(this, o); }
  gt(o: Operand): Tensor { return F.gt(this, o); }
  lt(o: Operand): Tensor { return F.lt(this, o); }
  ge(o: Operand): Tensor { return F.ge(this, o); }
  le(o: Operand): Tensor { return F.le(this, o); }
  eq(o: Operand): Tensor { return F.eq(this, o); }
  ne(o: Operand): Tensor { return F.ne(this, o); }
  neg(): Tensor { return F.neg(this); }
  exp(): Tensor { return F.exp(this); }
  log(): Tensor { return F.log(this); }
  sqrt(): Tensor { return F.sqrt(this); }
  square(): Tensor { return F.mul(this, this); }
  abs(): Tensor { return F.abs(this); }
  sign(): Tensor { return F.sign(this); }
  relu(): Tensor { return F.relu(this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return F.leakyRelu(this, negativeSlope); }
  sigmoid(): Tensor { return F.sigmoid(this); }
  tanh(): Tensor { return F.tanh(this); }
  gelu(): Tensor { return F.gelu(this); }
  softplus(): Tensor { return F.softplus(this); }
  erf(): Tensor { return F.erf(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return F.clamp(this, min, max); }
  /** `where(cond, this, other)`, as PyTorch's `x.where(cond, y)`. */
  where(cond: Tensor, other: Operand): Tensor { return F.where(cond, this, other); }
  matmul(o: Tensor): Tensor { return F.matmul(this, o); }
  sum(axis?: Axes, keepDims = false): Tensor { return F.sum(this, axis, keepDims); }
  mean(axis?: Axes, keepDims = false): Tensor { return F.mean(this, axis, keepDims); }
  max(axis?: Axes, keepDims = false): Tensor { return F.max(this, axis, keepDims); }
  min(axis?: Axes, keepDims = false): Tensor { return F.min(this, axis, keepDims); }
  argmax(axis?: number, keepDims = false): Tensor { return F.argmax(this, axis, keepDims); }
  argmin(axis?: number, keepDims = false): Tensor { return F.argmin(this, axis, keepDims); }
  logSumExp(axis?: Axes, keepDims = false): Tensor { return F.logSumExp(this, axis, keepDims); }
  softmax(axis = -1): Tensor { return F.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return F.logSoftmax(this, axis); }
  reshape(...shape: (number | readonly number[])[]): Tensor { return F.reshape(this, shape.flat()); }
  view(...shape: (number | readonly number[])[]): Tensor { return F.reshape(this, shape.flat()); }
  flatten(startDim = 0, endDim = -1): Tensor { return F.flatten(this, startDim, endDim); }
  squeeze(axis?: Axes): Tensor { return F.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return F.unsqueeze(this, axis); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return F.transpose(this, dim0, dim1); }
  /** The transpose of a 2-D tensor (all axes reversed for other ranks). */
  get T(): Tensor { return F.permute(this, this.shape.map((_, i) => this.shape.length - 1 - i)); }
  permute(...axes: (number | readonly number[])[]): Tensor { return F.permute(this, axes.flat()); }
  expand(...shape: (number | readonly number[])[]): Tensor { return F.expand(this, shape.flat()); }
  slice(axis: number, start: number, end?: number, step = 1): Tensor { return F.slice(this, axis, start, end, step); }
  select(axis: number, index: number): Tensor { return F.select(this, axis, index); }
  gather(axis: number, index: Tensor): Tensor { return F.gather(this, axis, index); }
  indexSelect(axis: number, index: Tensor | readonly number[]): Tensor { return F.indexSelect(this, axis, index); }
  to(dtype: DType): Tensor { return F.cast(this, dtype); }
  float(): Tensor { return F.cast(this, "float32"); }
  double(): Tensor { return F.cast(this, "float64"); }
  int(): Tensor { return F.cast(this, "int32"); }
}
