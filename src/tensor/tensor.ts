import { DTypeError, ValueError } from "../errors.js";
import type { DType, TypedArray } from "./dtype.js";
import { type Shape, fmtShape } from "./shape.js";
import { describeValue, formatTensor } from "./format.js";

/** A recorded op application: the edge list of the graph. Released after backward unless retained. */
export interface Node {
  def: { name: string; vjp: ((g: Tensor, ctx: any) => (Tensor | null)[]) | null; formula: Readonly<Record<string, string>>; remark?: string };
  inputs: readonly Tensor[];
  attrs: unknown;
  output: Tensor | null;
  released: boolean;
}

/**
 * An n-dimensional array with reverse-mode automatic differentiation. Data is always a contiguous
 * typed array; tensors are garbage-collected like any object (there is no `dispose`). The ops
 * (`add`, `matmul`, …) and `backward` are methods installed by the ops layer (src/ops/functions.ts).
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
}
