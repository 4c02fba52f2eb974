import { ValueError } from "../../errors.js";
import { add } from "../../ops/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/**
 * A list of modules, as PyTorch's `nn.ModuleList`: indexable (`list[0]`, `list.at(-1)`), iterable,
 * with `append`, `extend` and `length`; the modules are named 0, 1, 2, … (`0.weight`). It has no
 * `forward`: a model calls its modules. Keep modules in one of these, not in a plain array, whose
 * contents a Module does not look into.
 * @example
 * class Net extends Module {
 *   layers = new ModuleList([new Linear(4, 8), new Linear(8, 2)]);
 *   forward(x: Tensor): Tensor { for (const l of this.layers) x = l.call(x).relu(); return x; }
 * }
 */
export class ModuleList extends Module implements Iterable<Module> {
  readonly [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Adds a module at the end; returns this. */
  append(m: Module): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  /** Adds each module at the end; returns this. */
  extend(modules: Iterable<Module>): this {
    if (typeof (modules as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function" || typeof modules === "string")
      throw new ValueError(`${this.constructor.name}: expected modules in an array (or another iterable), found ${JSON.stringify(modules) ?? typeof modules}`);
    for (const m of modules) this.append(m);
    return this;
  }

  get length(): number {
    return this.children().length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new ValueError(`${this.constructor.name}.at: index ${i} is out of range for ${n} modules`);
    return this.children()[i < 0 ? i + n : i];
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(..._inputs: Tensor[]): Tensor {
    throw new ValueError(`${this.constructor.name} has no forward: call its modules`);
  }
}

/**
 * Modules applied in order; they are named 0, 1, 2, … (so the state dict has `0.weight`, `2.bias`).
 * Indexable and iterable like a ModuleList.
 * @example
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * model.at(0); // the first Linear
 * model.call(randn([64, 784])).shape; // [64, 10]
 */
export class Sequential extends ModuleList {
  constructor(...modules: Module[]) {
    super(modules);
  }

  override forward(...inputs: Tensor[]): Tensor {
    const mods = this.children();
    if (mods.length === 0) return inputs[0];
    let x = mods[0].call(...inputs);
    for (const m of mods.slice(1)) x = m.call(x);
    return x;
  }
}

/**
 * Modules by name, as PyTorch's `nn.ModuleDict`: `get`, `set`, `has`, `delete`, `keys`, `values`,
 * `entries`, `length`, and iteration over the names. Each module is also a property (`dict.encoder`),
 * named so in the state dict (`encoder.weight`). Names follow insertion order, except that
 * integer-like names come first (JavaScript's property order); names of methods are reserved.
 * @example const heads = new ModuleDict({ cls: new Linear(16, 10), box: new Linear(16, 4) });
 */
export class ModuleDict extends Module implements Iterable<string> {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    if (typeof modules !== "object" || modules === null)
      throw new ValueError(`ModuleDict: expected an object of modules by name (or [name, module] pairs), found ${JSON.stringify(modules) ?? typeof modules}`);
    for (const e of Symbol.iterator in modules ? (modules as Iterable<[string, Module]>) : Object.entries(modules)) {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "string") throw new ValueError(`ModuleDict: expected [name, module] pairs, found ${JSON.stringify(e)}`);
      this.set(e[0], e[1]);
    }
  }

  get(key: string): Module | undefined {
    return this.has(key) ? ((this as unknown as Record<string, Module>)[key]) : undefined;
  }

  /** Adds or replaces the module under `key` (a replaced one keeps its place); returns this. */
  set(key: string, m: Module): this {
    if (typeof key !== "string") throw new ValueError(`ModuleDict.set: the name must be a string, found ${JSON.stringify(key)}`);
    this.registerModule(key, m);
    return this;
  }

  has(key: string): boolean {
    return Object.hasOwn(this, key) && (this as unknown as Record<string, unknown>)[key] instanceof Module;
  }

  /** Removes the module under `key`; returns it (PyTorch's `pop`). */
  delete(key: string): Module | undefined {
    const m = this.get(key);
    if (m !== undefined) delete (this as unknown as Record<string, unknown>)[key];
    return m;
  }

  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  values(): Module[] {
    return this.children();
  }

  entries(): [string, Module][] {
    return this.namedChildren();
  }

  get length(): number {
    return this.namedChildren().length;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  forward(..._inputs: Tensor[]): Tensor {
    throw new ValueError(`ModuleDict has no forward: call its modules`);
  }
}

/**
 * A skip connection: x + fn(x).
 * @example new Residual(new Sequential(new Linear(16, 16), new ReLU())).call(randn([4, 16]));
 */
export class Residual extends Module {
  readonly fn: Module;

  constructor(fn: Module) {
    super();
    this.fn = this.registerModule("fn", fn);
  }

  forward(x: Tensor): Tensor {
    return add(x, this.fn.call(x));
  }
}
