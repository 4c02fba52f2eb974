import { ShapeError, ValueError } from "../errors.js";
import { noGrad } from "../autograd/mode.js";
import { cast } from "../ops/functions.js";
import { type DType, isFloat } from "../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

type Kind = "param" | "buffer";

/** What `loadStateDict` left out when not strict. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The base class of layers and models, as PyTorch's `nn.Module`. A module registers its parameters,
 * buffers (state that is saved but not trained, such as BatchNorm's running statistics) and
 * submodules by name with `registerParameter`, `registerBuffer` and `registerModule`; each
 * registration also defines a property of that name that reads and writes the registered value, so
 * `this.weight` is always the tensor that `parameters()`, `stateDict()` and `to()` see. Declare such
 * properties with `declare` in TypeScript, so that no class field shadows them.
 *
 * @example
 * class MLP extends Module {
 *   declare fc1: Linear;
 *   declare fc2: Linear;
 *   constructor() {
 *     super();
 *     this.registerModule("fc1", new Linear(784, 128));
 *     this.registerModule("fc2", new Linear(128, 10));
 *   }
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.call(this.fc1.call(x).relu());
 *   }
 * }
 * new MLP().stateDict(); // keys fc1.weight, fc1.bias, fc2.weight, fc2.bias
 */
export abstract class Module {
  /** Training mode (dropout active, BatchNorm on batch statistics); set with `train()` and `eval()`. */
  training = true;
  private readonly _params = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _modules = new Map<string, Module>();
  private readonly _properties = new Map<string, string>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Runs `forward`. */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /**
   * Registers a trainable tensor (or null, for an absent optional parameter such as a bias) under
   * `name`; a float tensor gets `requiresGrad = true`. Returns the tensor.
   */
  protected registerParameter<T extends Tensor | null>(name: string, t: T): T {
    if (t !== null) {
      if (!t.isLeaf) throw new ValueError(`registerParameter: "${name}" must be a leaf tensor (use .detach())`);
      if (isFloat(t.dtype)) t.requiresGrad = true;
    }
    this.define(name, this._params, t);
    return t;
  }

  /**
   * Registers a tensor that is part of the state but not trained, kept in `stateDict` (null: absent).
   * `property` names the accessor when it differs from the state-dict name (`running_mean` → `runningMean`).
   */
  protected registerBuffer<T extends Tensor | null>(name: string, t: T, property = name): T {
    this.define(name, this._buffers, t, property);
    return t;
  }

  /** Registers a submodule; its parameters are named `name.…`. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new ValueError(`registerModule: "${name}" must be a Module`);
    this.define(name, this._modules, m);
    return m;
  }

  private define<V>(name: string, map: Map<string, V>, value: V, property = name): void {
    if (name === "" || name.includes(".")) throw new ValueError(`${this.typeName}: invalid name "${name}" (non-empty, without ".")`);
    for (const other of [this._params, this._buffers, this._modules] as Map<string, unknown>[])
      if (other !== map && other.has(name)) throw new ValueError(`${this.typeName}: "${name}" is already registered as another kind`);
    const own = Object.getOwnPropertyDescriptor(this, property);
    const taken = own === undefined ? property in this : "value" in own && own.value !== undefined && this._properties.get(name) !== property;
    if (property === "training" || taken) throw new ValueError(`${this.typeName}: "${property}" is a reserved name (already a property)`);
    map.set(name, value);
    this._properties.set(name, property);
    Object.defineProperty(this, property, {
      get: () => map.get(name),
      set: (v: V) => {
        if (map === this._modules ? !(v instanceof Module) : !(v instanceof Tensor || v === null))
          throw new ValueError(`${this.typeName}: cannot assign ${v === null ? "null" : typeof v} to "${property}"`);
        map.set(name, v);
      },
      enumerable: true,
      configurable: true,
    });
  }

  /** Replaces a registered tensor, keeping the property in step when a class field shadows the accessor. */
  private replace(kind: Kind, name: string, t: Tensor | null): void {
    (kind === "param" ? this._params : this._buffers).set(name, t);
    const property = this._properties.get(name) ?? name;
    const d = Object.getOwnPropertyDescriptor(this, property);
    if (d !== undefined && "value" in d) (this as any)[property] = t;
  }

  private get typeName(): string {
    return this.constructor.name;
  }

  /** Sets training mode (recursively); returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this._modules.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** The direct submodules with their names. */
  namedChildren(): [string, Module][] {
    return [...this._modules];
  }

  children(): Module[] {
    return [...this._modules.values()];
  }

  /** This module and every descendant, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this._modules) out.push(...m.namedModules(join(prefix, n)));
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

  private collect(kind: Kind | "both", prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    if (kind !== "buffer") for (const [n, t] of this._params) if (t !== null) out.push([join(prefix, n), t]);
    if (kind !== "param") for (const [n, t] of this._buffers) if (t !== null) out.push([join(prefix, n), t]);
    for (const [n, m] of this._modules) out.push(...m.collect(kind, join(prefix, n)));
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
  loadStateDict(sd: Record<string, Tensor>, { strict = true }: { strict?: boolean } = {}): LoadResult {
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
    noGrad(() => {
      for (const [n, p] of this._params)
        if (p !== null && isFloat(p.dtype) && p.dtype !== dtype) this.replace("param", n, cast(p, dtype).requiresGrad_(p.requiresGrad));
      for (const [n, b] of this._buffers) if (b !== null && isFloat(b.dtype) && b.dtype !== dtype) this.replace("buffer", n, cast(b, dtype));
    });
    for (const m of this._modules.values()) m.to(dtype);
    return this;
  }

  /** @internal finds the module and kind that own a dotted state-dict name. */
  _slot(key: string): { owner: Module; kind: Kind; name: string } {
    const parts = key.split(".");
    let m: Module = this;
    for (const p of parts.slice(0, -1)) {
      const c = m._modules.get(p);
      if (c === undefined) throw new ValueError(`${this.typeName}: no submodule "${p}" in "${key}"`);
      m = c;
    }
    const name = parts[parts.length - 1];
    const kind = m._params.has(name) ? "param" : m._buffers.has(name) ? "buffer" : null;
    if (kind === null) throw new ValueError(`${this.typeName}: no parameter or buffer "${key}"`);
    return { owner: m, kind, name };
  }

  /** @internal */
  _get(kind: Kind, name: string): Tensor | null {
    return (kind === "param" ? this._params.get(name) : this._buffers.get(name)) ?? null;
  }

  /** @internal */
  _replace(kind: Kind, name: string, t: Tensor | null): void {
    this.replace(kind, name, t);
  }

  /** The arguments shown between the parentheses of `toString`, e.g. `inFeatures=784, outFeatures=256, bias=true`. */
  extraRepr(): string {
    return "";
  }

  /** A PyTorch-like tree of the module and its children. */
  toString(): string {
    const extra = this.extraRepr();
    if (this._modules.size === 0) return `${this.typeName}(${extra})`;
    const lines = extra === "" ? [] : [extra];
    for (const [n, m] of this._modules) lines.push(`(${n}): ${m.toString().split("\n").join("\n  ")}`);
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
  const saved: [Module, Kind, string, Tensor | null][] = [];
  try {
    for (const [key, t] of Object.entries(tensors)) {
      const { owner, kind, name } = module._slot(key);
      saved.push([owner, kind, name, owner._get(kind, name)]);
      owner._replace(kind, name, t);
    }
    return module.forward(...inputs);
  } finally {
    for (const [owner, kind, name, t] of saved.reverse()) owner._replace(kind, name, t);
  }
}
