import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { allocResident, kernels as table } from "../kernels/index.js";
import { dtypeOf } from "../tensor/dtype.js";

/** A hyperparameter value: a number, a flag, or a pair such as Adam's `betas`. */
export type HyperValue = number | boolean | readonly number[];
/** The hyperparameters of one parameter group; every optimizer has `lr`. */
export type Hyper = { lr: number } & Record<string, HyperValue>;
/** A per-parameter state array (momentum buffer, moment estimates, ...): flat, in the parameter's dtype. */
export type StateArray = Float32Array | Float64Array;
/** The state of one parameter, by PyTorch-like name (`momentum_buffer`, `exp_avg`, `step`, ...). */
export type ParamState = Record<string, StateArray>;

/** A parameter group as given to a constructor: its tensors and the options it overrides. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> } & Partial<O>;
/** What an optimizer takes: a tensor, tensors, or parameter groups. */
export type ParamsInput<O> = Tensor | Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** A parameter group inside an optimizer; schedules change `hyper.lr`. */
export interface ParamGroup<H extends Hyper = Hyper> {
  readonly params: readonly Tensor[];
  hyper: H;
}

/**
 * What `Optimizer.stateDict` returns. Everything but `state` is plain JSON; `state` maps
 * `"<index>.<name>"` (index in the flat parameter list, groups in order) to a flat typed array in the
 * parameter's dtype, e.g. `"0.momentum_buffer"`, `"1.exp_avg"`, `"1.step"` (length 1).
 */
export interface OptimizerStateDict {
  kind: string;
  /** The constructor's options, resolved (the defaults of every group). */
  hyper: Record<string, HyperValue>;
  /** Per group: how many parameters it holds and its hyperparameters. */
  groups: { size: number; hyper: Record<string, HyperValue> }[];
  /** How many times `step()` was called. */
  step: number;
  state: Record<string, StateArray>;
}

const copyHyper = <H extends Record<string, HyperValue>>(h: H): H => {
  const out: Record<string, HyperValue> = {};
  for (const [k, v] of Object.entries(h)) out[k] = Array.isArray(v) ? [...v] : v;
  return out as H;
};

const isFloatArray = (a: unknown): a is StateArray => a instanceof Float32Array || a instanceof Float64Array;

/**
 * Base class of the optimizers. Subclasses say which state a parameter needs (`stateSpec`) and how
 * one parameter is updated (`update`); updates run in plain loops over `param.data`, outside the
 * graph. Parameters whose `.grad` is null are skipped (their state does not advance).
 *
 * @example
 * class SignSGD extends Optimizer<{ lr: number }> {
 *   override get kind() { return "signsgd"; }
 *   constructor(params: Tensor[], opts: { lr: number }) { super(params, { lr: opts.lr }, opts); }
 *   protected stateSpec() { return {}; }
 *   protected update(p: StateArray, g: TypedArray, _s: ParamState, h: { lr: number }) {
 *     for (let i = 0; i < p.length; i++) p[i] -= h.lr * Math.sign(g[i]);
 *   }
 * }
 */
export abstract class Optimizer<H extends Hyper = Hyper> {
  /** The parameter groups, in order; `params` is their concatenation. */
  readonly paramGroups: ParamGroup<H>[];
  /** Every parameter, flat; state keys index into this list. */
  readonly params: readonly Tensor[];
  /** The resolved constructor options (the defaults of every group). */
  readonly defaults: H;
  /** How many times `step()` was called. */
  stepCount = 0;
  /** Per-parameter state by index in `params`; created on a parameter's first update. */
  protected state = new Map<number, ParamState>();

  /** A short lowercase name, stored in state dicts (`"sgd"`, `"adam"`, ...); subclasses override it. */
  get kind(): string {
    return "optimizer";
  }
  /** The state a parameter of `size` elements needs under `h`: name → length. */
  protected abstract stateSpec(h: H, size: number): Record<string, number>;
  /** Updates one parameter in place; `fresh` is true when its state was just created (zero-filled). */
  protected abstract update(p: StateArray, g: TypedArray, s: ParamState, h: H, fresh: boolean): void;
  /** Throws a ValueError for out-of-range hyperparameters (called per group and on load). */
  protected abstract check(h: H): void;

  /**
   * @param params tensors or parameter groups (`[{ params, lr, ... }]`; a group's options override `defaults`)
   * @param defaults every hyperparameter, resolved
   * @param given the options as the caller wrote them, checked for unknown names
   */
  protected constructor(params: ParamsInput<object>, defaults: H, given: object = {}) {
    this.defaults = defaults;
    checkOptions<Record<string, unknown>>(this.kind, given as Record<string, unknown>, Object.keys(defaults));
    this.checkHyper(defaults);
    if (!(params instanceof Tensor) && typeof (params as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function")
      throw new ValueError(`${this.kind}: expected a tensor, a list of tensors or a list of parameter groups, found ${params === null ? "null" : typeof params}`);
    const list = params instanceof Tensor ? [params] : [...(params as Iterable<Tensor | ParamGroupInput<object>>)];
    if (list.length === 0) throw new ValueError(`${this.kind}: got an empty parameter list`);
    const groups: ParamGroupInput<object>[] = list.every((x) => x instanceof Tensor)
      ? [{ params: list as Tensor[] }]
      : list.map((g, i) => {
          if (g instanceof Tensor || typeof g !== "object" || g === null || !("params" in g))
            throw new ValueError(`${this.kind}: parameter group ${i} must be an object with params (do not mix tensors and groups)`);
          return g;
        });
    const seen = new Set<Tensor>();
    const flat: Tensor[] = [];
    this.paramGroups = groups.map((g, gi) => {
      const ps = g.params instanceof Tensor ? [g.params] : [...g.params];
      if (ps.length === 0) throw new ValueError(`${this.kind}: parameter group ${gi} has no parameters`);
      for (const p of ps) {
        const where = `${this.kind}: parameter ${flat.length}`;
        if (!(p instanceof Tensor)) throw new ValueError(`${where} is not a Tensor`);
        if (p.dtype === "int32") throw new DTypeError(`${where} has dtype int32; only float32 and float64 tensors can be optimized`);
        if (!p.isLeaf) throw new ValueError(`${where} is not a leaf tensor (it was produced by ${p.op}); optimize leaves only`);
        if (seen.has(p)) throw new ValueError(`${where} appears more than once`);
        seen.add(p);
        flat.push(p);
      }
      const { params: _, ...over } = g;
      checkOptions<Record<string, unknown>>(`${this.kind}: parameter group ${gi}`, over, Object.keys(defaults));
      const hyper = copyHyper(defaults) as Record<string, HyperValue>;
      for (const [k, v] of Object.entries(over)) if (v !== undefined) hyper[k] = Array.isArray(v) ? [...v] : (v as HyperValue);
      this.checkHyper(hyper as H);
      return { params: ps, hyper: hyper as H };
    });
    this.params = flat;
  }

  /** The learning rate of the first group. */
  get lr(): number {
    return this.paramGroups[0].hyper.lr;
  }

  /** Sets the learning rate of every group. */
  set lr(v: number) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${this.kind}: lr must be a finite number >= 0, found ${v}`);
    for (const g of this.paramGroups) g.hyper.lr = v;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    let idx = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const i = idx++;
        if (p.grad === null) continue;
        if (p.grad.data.length !== p.data.length)
          throw new ShapeError(`${this.kind}.step: parameter ${i} has ${p.data.length} elements but its gradient has ${p.grad.data.length}`);
        const [s, fresh] = this.stateFor(i, p, group.hyper);
        this.update(p.data as StateArray, p.grad.data, s, group.hyper, fresh);
      }
    }
    this.stepCount++;
  }

  /** Sets every parameter's `.grad` to null. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** A snapshot (copies) of the hyperparameters, step count and per-parameter state. */
  stateDict(): OptimizerStateDict {
    const state: Record<string, StateArray> = {};
    for (const i of [...this.state.keys()].sort((a, b) => a - b))
      for (const [name, arr] of Object.entries(this.state.get(i)!)) state[`${i}.${name}`] = arr.slice();
    return {
      kind: this.kind,
      hyper: copyHyper(this.defaults),
      groups: this.paramGroups.map((g) => ({ size: g.params.length, hyper: copyHyper(g.hyper) })),
      step: this.stepCount,
      state,
    };
  }

  /**
   * Restores what `stateDict` returned (hyperparameters, learning rates included, step count and
   * state). Everything is checked before anything changes: the kind, the group sizes, the
   * hyperparameters, every state key (a known name for a parameter that exists) and its length.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.kind}.loadStateDict`;
    if (typeof sd !== "object" || sd === null) throw new ValueError(`${where}: expected a state dict object`);
    if (sd.kind !== this.kind) throw new ValueError(`${where}: the state dict is for optimizer "${sd.kind}", this one is "${this.kind}"`);
    if (!Number.isInteger(sd.step) || sd.step < 0) throw new ValueError(`${where}: step must be an integer >= 0, found ${sd.step}`);
    if (!Array.isArray(sd.groups) || sd.groups.length !== this.paramGroups.length)
      throw new ValueError(`${where}: expected ${this.paramGroups.length} parameter group(s), found ${Array.isArray(sd.groups) ? sd.groups.length : "none"}`);
    const defaults = this.loadHyper(sd.hyper, `${where}: hyper`);
    const hypers = sd.groups.map((g, gi) => {
      const n = this.paramGroups[gi].params.length;
      if (g?.size !== n) throw new ValueError(`${where}: group ${gi} has ${n} parameter(s), the state dict has ${g?.size}`);
      return this.loadHyper(g.hyper, `${where}: group ${gi}`);
    });
    const groupOf: H[] = [];
    hypers.forEach((h, gi) => this.paramGroups[gi].params.forEach(() => groupOf.push(h)));
    if (typeof sd.state !== "object" || sd.state === null) throw new ValueError(`${where}: state must be an object`);
    const state = new Map<number, ParamState>();
    for (const [key, arr] of Object.entries(sd.state)) {
      const m = /^(\d+)\.([A-Za-z_]+)$/.exec(key);
      if (!m) throw new ValueError(`${where}: state key "${key}" is not of the form "<index>.<name>"`);
      const i = Number(m[1]);
      if (i >= this.params.length) throw new ValueError(`${where}: state key "${key}" names parameter ${i}, but there are ${this.params.length}`);
      const p = this.params[i];
      const spec = this.stateSpec(groupOf[i], p.data.length);
      if (!(m[2] in spec))
        throw new ValueError(`${where}: unexpected state key "${key}"; ${this.kind} keeps ${Object.keys(spec).map((s) => `"${s}"`).join(", ") || "no state"} for parameter ${i}`);
      if (!isFloatArray(arr)) throw new ValueError(`${where}: state "${key}" must be a Float32Array or Float64Array`);
      if (arr.length !== spec[m[2]]) throw new ValueError(`${where}: state "${key}" has length ${arr.length}, expected ${spec[m[2]]}`);
      const copy = p.dtype === "float64" ? new Float64Array(arr) : new Float32Array(arr);
      if (!state.has(i)) state.set(i, {});
      state.get(i)![m[2]] = copy;
    }
    for (const [i, s] of state)
      for (const name of Object.keys(this.stateSpec(groupOf[i], this.params[i].data.length)))
        if (!(name in s)) throw new ValueError(`${where}: state key "${i}.${name}" is missing (parameter ${i} has other state)`);
    Object.assign(this.defaults, defaults);
    hypers.forEach((h, gi) => (this.paramGroups[gi].hyper = h));
    this.state = state;
    this.stepCount = sd.step;
  }

  private stateFor(i: number, p: Tensor, h: H): [ParamState, boolean] {
    const spec = this.stateSpec(h, p.data.length);
    let s = this.state.get(i);
    let fresh = false;
    for (const [name, n] of Object.entries(spec)) {
      if (s?.[name]) continue;
      s ??= {};
      s[name] = allocResident(p.dtype, n) as StateArray;
      fresh = true;
    }
    if (s) this.state.set(i, s);
    return [s ?? {}, fresh];
  }

  private checkHyper(h: H): void {
    for (const [k, d] of Object.entries(this.defaults)) {
      const v = h[k];
      const ok = Array.isArray(d)
        ? Array.isArray(v) && v.length === d.length && v.every((x) => typeof x === "number" && Number.isFinite(x))
        : typeof v === typeof d && (typeof v !== "number" || Number.isFinite(v));
      if (!ok) throw new ValueError(`${this.kind}: ${k} must be ${Array.isArray(d) ? `${d.length} finite numbers` : `a finite ${typeof d}`}, found ${JSON.stringify(v)}`);
    }
    this.check(h);
  }

  private loadHyper(h: unknown, where: string): H {
    if (typeof h !== "object" || h === null) throw new ValueError(`${where}: hyperparameters missing`);
    for (const k of Object.keys(this.defaults)) if (!(k in h)) throw new ValueError(`${where}: hyperparameter "${k}" is missing`);
    for (const k of Object.keys(h)) if (!(k in this.defaults)) throw new ValueError(`${where}: unknown hyperparameter "${k}"`);
    const out = copyHyper(h as H);
    this.checkHyper(out);
    return out;
  }
}

/** @internal The kernels for one parameter's update: its dtype's, or the reference's when its gradient's differs. */
export function kernels(p: StateArray, g: TypedArray) {
  const d = dtypeOf(p);
  return table(d === dtypeOf(g) ? d : "mixed");
}

/** @internal The momentum buffer of SGD without momentum. */
export const EMPTY = new Float32Array(0);

/** @internal Range checks shared by the optimizers. */
export function atLeast(kind: string, name: string, v: number, min = 0): void {
  if (!(v >= min)) throw new ValueError(`${kind}: ${name} must be >= ${min}, found ${v}`);
}

/** @internal */
export function unitInterval(kind: string, name: string, v: number): void {
  if (!(v >= 0 && v < 1)) throw new ValueError(`${kind}: ${name} must be in [0, 1), found ${v}`);
}
