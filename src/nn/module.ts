import { ShapeError, ValueError } from "../errors.js";
import { noGrad } from "../autograd/mode.js";
import { cast } from "../ops/functions.js";
import { checkOptions } from "../options.js";
import { type DType, isFloat } from "../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

type Kind = "param" | "buffer";

/** A parameter or buffer found on a module: its property, its state-dict name, its kind and value. */
interface Member {
  prop: string;
  key: string;
  kind: Kind;
  t: Tensor;
}

/** What `loadStateDict` left out when not strict. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The base class of layers and models, as PyTorch's `nn.Module`. A module's parameters, buffers and
 * submodules are its own properties, found when they are needed (by `parameters()`, `stateDict()`,
 * `children()`, `train()`, `to()`, `toString()`, ...) by walking the object's own enumerable
 * properties in definition order (JavaScript lists integer-like names such as "0" first). So class
 * fields, constructor assignments and later reassignments all count, as PyTorch's `__setattr__`:
 * - a property holding a Module is a submodule, named by the property;
 * - a property holding a Tensor is a parameter when it was registered with `registerParameter`, or
 *   when it is a leaf tensor with `requiresGrad` (PyTorch's `nn.Parameter`); once a walk has seen it
 *   as a parameter (the first `parameters()` does) it stays one, so freezing it
 *   (`requiresGrad = false`) or assigning another tensor keeps it in `parameters()` and `stateDict()`;
 * - a Tensor registered with `registerBuffer` is a buffer (saved, not trained); any other tensor
 *   property is plain state, neither trained nor saved, like a plain tensor attribute in PyTorch.
 * Arrays of modules are not looked into: use `ModuleList` (or `ModuleDict`), as in PyTorch.
 *
 * @example
 * class MLP extends Module {
 *   fc1 = new Linear(784, 128);
 *   fc2 = new Linear(128, 10);
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.call(this.fc1.call(x).relu());
 *   }
 * }
 * new MLP().stateDict(); // keys fc1.weight, fc1.bias, fc2.weight, fc2.bias
 */
export abstract class Module {
  /** Training mode (dropout active, BatchNorm on batch statistics); set with `train()` and `eval()`. */
  training = true;
  /** Properties known to hold a parameter or a buffer, with their state-dict names. */
  readonly #slots = new Map<string, { kind: Kind; key: string }>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Runs `forward`. */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /**
   * Sets `this[name]` to a trainable tensor (or null, for an absent optional parameter such as a
   * bias) and makes `name` a parameter for good; a float tensor gets `requiresGrad = true`. Returns
   * the tensor. Needed only for a tensor that does not already require gradients.
   */
  protected registerParameter<T extends Tensor | null>(name: string, t: T): T {
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new ValueError(`${this.typeName}.registerParameter: "${name}" must be a Tensor or null, found ${typeof t}`);
      if (!t.isLeaf) throw new ValueError(`registerParameter: "${name}" must be a leaf tensor (use .detach())`);
      if (isFloat(t.dtype)) t.requiresGrad = true;
    }
    this.#define(name, name, "param", t);
    return t;
  }

  /**
   * Sets a tensor that is part of the state but not trained, kept in `stateDict` (null: absent).
   * `property` names the property when it differs from the state-dict name (`running_mean` → `runningMean`).
   */
  protected registerBuffer<T extends Tensor | null>(name: string, t: T, property = name): T {
    if (t !== null && !(t instanceof Tensor)) throw new ValueError(`${this.typeName}.registerBuffer: "${name}" must be a Tensor or null, found ${typeof t}`);
    this.#define(name, property, "buffer", t);
    return t;
  }

  /** Sets a submodule under `name` (the same as assigning `this[name]`); its parameters are named `name.…`. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new ValueError(`registerModule: "${name}" must be a Module`);
    this.#define(name, name, null, m);
    return m;
  }

  #define(key: string, prop: string, kind: Kind | null, value: unknown): void {
    for (const n of new Set([key, prop]))
      if (n === "" || n.includes(".")) throw new ValueError(`${this.typeName}: invalid name "${n}" (non-empty, without ".")`);
    if (prop === "training" || (prop in this && !Object.hasOwn(this, prop)))
      throw new ValueError(`${this.typeName}: "${prop}" is a reserved name (already a property)`);
    const self = this as unknown as Record<string, unknown>;
    const old = Object.hasOwn(this, prop) ? (self[prop] instanceof Module ? null : this.#slots.get(prop)?.kind) : undefined;
    if (old !== undefined && old !== kind) throw new ValueError(`${this.typeName}: "${prop}" is already registered as another kind`);
    if (kind === null) this.#slots.delete(prop);
    else this.#slots.set(prop, { kind, key });
    self[prop] = value;
  }

  /** This module's own parameters and buffers (in property order) and submodules. */
  #members(): { tensors: Member[]; modules: [string, Module][] } {
    const tensors: Member[] = [];
    const modules: [string, Module][] = [];
    for (const [prop, v] of Object.entries(this)) {
      if (v instanceof Module) {
        modules.push([prop, v]);
        continue;
      }
      let slot = this.#slots.get(prop);
      if (slot === undefined && v instanceof Tensor && v.isLeaf && v.requiresGrad) this.#slots.set(prop, (slot = { kind: "param", key: prop }));
      if (slot === undefined || v === null) continue;
      if (!(v instanceof Tensor))
        throw new ValueError(`${this.typeName}: "${prop}" is a ${slot.kind === "param" ? "parameter" : "buffer"} but holds ${typeof v} (expected a Tensor or null)`);
      tensors.push({ prop, key: slot.key, kind: slot.kind, t: v });
    }
    return { tensors, modules };
  }

  private get typeName(): string {
    return this.constructor.name;
  }

  /** Sets training mode (recursively); returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** The direct submodules with their names. */
  namedChildren(): [string, Module][] {
    return this.#members().modules;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.namedChildren()) out.push(...m.namedModules(join(prefix, n)));
    return out;
  }

  /** Every parameter with its state-dict name (`0.weight`, `fc1.bias`), each shared tensor once. */
  namedParameters(): [string, Tensor][] {
    return unique(this.collect("param"));
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer with its state-dict name (`bn.running_mean`). */
  namedBuffers(): [string, Tensor][] {
    return unique(this.collect("buffer"));
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Own parameters, then own buffers, then each submodule's, as PyTorch's `state_dict`. */
  private collect(kind: Kind | "both", prefix = ""): [string, Tensor][] {
    const { tensors, modules } = this.#members();
    const out: [string, Tensor][] = [];
    for (const k of ["param", "buffer"] as const)
      if (kind === k || kind === "both") for (const m of tensors) if (m.kind === k) out.push([join(prefix, m.key), m.t]);
    for (const [n, m] of modules) out.push(...m.collect(kind, join(prefix, n)));
    return out;
  }

  /** The number of parameter elements (only those with `requiresGrad` when `trainableOnly`). */
  numParameters(trainableOnly = false): number {
    return this.parameters().reduce((s, p) => s + (trainableOnly && !p.requiresGrad ? 0 : p.size), 0);
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters and buffers by name, PyTorch's `state_dict` (tensors share the module's data).
   * @example new Sequential(new Linear(4, 2), new ReLU()).stateDict(); // { "0.weight": …, "0.bias": … }
   */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [n, t] of this.collect("both")) sd[n] = t.detach();
    return sd;
  }

  /**
   * Copies a state dict's values into this module's tensors (converting dtypes). Everything is
   * checked before anything is copied: shape mismatches always throw a ShapeError; missing and
   * unexpected keys throw a ValueError when `strict`, and are returned otherwise.
   */
  loadStateDict(sd: Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const { strict = true } = checkOptions("loadStateDict", opts, ["strict"]);
    const own = new Map(this.collect("both"));
    const missingKeys = [...own.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !own.has(k));
    const mismatches: string[] = [];
    for (const [k, t] of own) {
      const s = sd[k];
      if (s === undefined) continue;
      if (!(s instanceof Tensor)) mismatches.push(`"${k}": expected a Tensor, found ${typeof s}`);
      else if (!shapesEqual(s.shape, t.shape)) mismatches.push(`"${k}": expected shape ${fmtShape(t.shape)}, found ${fmtShape(s.shape)}`);
    }
    const keysBad = strict && (missingKeys.length > 0 || unexpectedKeys.length > 0);
    if (keysBad || mismatches.length > 0) {
      const quote = (ks: string[]) => ks.map((k) => `"${k}"`).join(", ");
      const lines = [
        ...(strict && missingKeys.length > 0 ? [`missing keys: ${quote(missingKeys)}`] : []),
        ...(strict && unexpectedKeys.length > 0 ? [`unexpected keys: ${quote(unexpectedKeys)}`] : []),
        ...mismatches,
      ];
      const msg = `loadStateDict: cannot load the state dict into ${this.typeName}:\n  ${lines.join("\n  ")}`;
      throw keysBad ? new ValueError(msg) : new ShapeError(msg);
    }
    for (const [k, t] of own) if (sd[k] !== undefined) t.data.set(sd[k].data);
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Converts every float parameter and buffer to `dtype` (recursively), replacing the tensors under
   * the same names; gradients are dropped. Returns this.
   * @example const m = new Linear(3, 2).to("float64"); // for gradcheck
   */
  to(dtype: DType): this {
    const self = this as unknown as Record<string, Tensor>;
    noGrad(() => {
      for (const { prop, kind, t } of this.#members().tensors)
        if (isFloat(t.dtype) && t.dtype !== dtype) self[prop] = kind === "param" ? cast(t, dtype).requiresGrad_(t.requiresGrad) : cast(t, dtype);
    });
    for (const m of this.children()) m.to(dtype);
    return this;
  }

  /** @internal the module and property that hold a dotted state-dict name. */
  _slot(key: string): { owner: Module; prop: string } {
    const parts = key.split(".");
    let m: Module = this;
    for (const p of parts.slice(0, -1)) {
      const c = (m as unknown as Record<string, unknown>)[p];
      if (!Object.hasOwn(m, p) || !(c instanceof Module)) throw new ValueError(`${this.typeName}: no submodule "${p}" in "${key}"`);
      m = c;
    }
    const name = parts[parts.length - 1];
    m.#members();
    const prop = [...m.#slots].find(([, s]) => s.key === name)?.[0];
    if (prop === undefined) throw new ValueError(`${this.typeName}: no parameter or buffer "${key}"`);
    return { owner: m, prop };
  }

  /** The arguments shown between the parentheses of `toString`, e.g. `inFeatures=784, outFeatures=256, bias=true`. */
  extraRepr(): string {
    return "";
  }

  /** A PyTorch-like tree of the module and its children. */
  toString(): string {
    const extra = this.extraRepr();
    const children = this.namedChildren();
    if (children.length === 0) return `${this.typeName}(${extra})`;
    const lines = extra === "" ? [] : [extra];
    for (const [n, m] of children) lines.push(`(${n}): ${m.toString().split("\n").join("\n  ")}`);
    return `${this.typeName}(\n  ${lines.join("\n  ")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

function unique(list: [string, Tensor][]): [string, Tensor][] {
  const seen = new Set<Tensor>();
  return list.filter(([, t]) => !seen.has(t) && seen.add(t) !== undefined);
}

/**
 * Runs `module.forward(...inputs)` with some of its parameters or buffers replaced, by state-dict
 * name, for this call only (PyTorch's `torch.func.functional_call`). Gradients then flow to the given
 * tensors, which makes any module a function of its parameters, e.g. for `gradcheck`.
 *
 * @example
 * const lin = new Linear(3, 2).to("float64");
 * gradcheck((x, w, b) => functionalCall(lin, { weight: w, bias: b }, x), [x, lin.weight, lin.bias!]);
 */
export function functionalCall(module: Module, tensors: Record<string, Tensor>, ...inputs: Tensor[]): Tensor {
  if (!(module instanceof Module)) throw new ValueError(`functionalCall: expected a Module, found ${module === null ? "null" : typeof module}`);
  if (typeof tensors !== "object" || tensors === null) throw new ValueError(`functionalCall: expected tensors by state-dict name, found ${tensors === null ? "null" : typeof tensors}`);
  const saved: [Record<string, unknown>, string, unknown][] = [];
  try {
    for (const [key, t] of Object.entries(tensors)) {
      const { owner, prop } = module._slot(key);
      const o = owner as unknown as Record<string, unknown>;
      saved.push([o, prop, o[prop]]);
      o[prop] = t;
    }
    return module.forward(...inputs);
  } finally {
    for (const [o, prop, t] of saved.reverse()) o[prop] = t;
  }
}
