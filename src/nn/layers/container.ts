import { ValueError } from "../../errors.js";
import { add } from "../../ops/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/**
 * Modules applied in order; they are named 0, 1, 2, … (so the state dict has `0.weight`, `2.bias`).
 * @example
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * model.at(0); // the first Linear
 * model.call(randn([64, 784])).shape; // [64, 10]
 */
export class Sequential extends Module implements Iterable<Module> {
  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end; returns this. */
  append(m: Module): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  get length(): number {
    return this.children().length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new ValueError(`Sequential.at: index ${i} is out of range for ${n} modules`);
    return this.children()[i < 0 ? i + n : i];
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(...inputs: Tensor[]): Tensor {
    const mods = this.children();
    if (mods.length === 0) return inputs[0];
    let x = mods[0].call(...inputs);
    for (const m of mods.slice(1)) x = m.call(x);
    return x;
  }
}

/**
 * A skip connection: x + fn(x).
 * @example new Residual(new Sequential(new Linear(16, 16), new ReLU())).call(randn([4, 16]));
 */
export class Residual extends Module {
  declare fn: Module;

  constructor(fn: Module) {
    super();
    this.registerModule("fn", fn);
  }

  forward(x: Tensor): Tensor {
    return add(x, this.fn.call(x));
  }
}
