import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Optimizer } from "./optimizer.js";

/** What every schedule offers; `step(metric)` takes the monitored value for `ReduceLROnPlateau`. */
export interface LRSchedule {
  readonly optimizer: Optimizer;
  readonly kind: string;
  step(metric?: number): void;
  /** The learning rate of each parameter group, as last set. */
  getLastLr(): number[];
  stateDict(): ScheduleStateDict;
  loadStateDict(sd: ScheduleStateDict): void;
}

/** A schedule's state: plain JSON. */
export interface ScheduleStateDict {
  kind: string;
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [extra: string]: unknown;
}

/**
 * A learning rate as a function of the step count t, in optax's style. `lr` is the group's current
 * lr; only `cosineDecay` (PyTorch's recursive form) reads it, the others are pure functions of t.
 */
export type Schedule = (t: number, lr: number) => number;

/** `lr` at every step. */
export const constant = (lr: number): Schedule => () => lr;

/** `lr · gamma^⌊t / stepSize⌋`. */
export const stepDecay = ({ lr, stepSize, gamma }: { lr: number; stepSize: number; gamma: number }): Schedule => (t) => lr * gamma ** Math.floor(t / stepSize);

/** `lr · gammaᵗ`. */
export const exponentialDecay = ({ lr, gamma }: { lr: number; gamma: number }): Schedule => (t) => lr * gamma ** t;

/** `lr · t / steps`: 0 at t = 0, lr at t = steps. */
export const linearWarmup = ({ lr, steps }: { lr: number; steps: number }): Schedule => (t) => (lr * t) / steps;

/**
 * `etaMin + (lr − etaMin) · (1 + cos(π t / tMax)) / 2`, periodic past tMax (back at lr at 2·tMax), as
 * PyTorch's `CosineAnnealingLR`: for t ≥ 1 it is computed, as PyTorch's `step()` computes it, from the
 * current lr by PyTorch's recursive form (the same values up to rounding, and PyTorch's roundings),
 * so an lr changed by hand is followed as PyTorch follows it.
 */
export const cosineDecay = ({ lr: base, tMax: T, etaMin: e }: { lr: number; tMax: number; etaMin: number }): Schedule => (t, lr) =>
  // NOTE: PyTorch's recursive form (torch/optim/lr_scheduler.py, CosineAnnealingLR.get_lr), term for term.
  t === 0
    ? base
    : (t - 1 - T) % (2 * T) === 0
      ? lr + ((base - e) * (1 - Math.cos(Math.PI / T))) / 2
      : ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - e) + e;

/**
 * `schedules[i]` from step `boundaries[i − 1]` on (the first from 0), each counting its steps from
 * its start, as optax's `join_schedules`. `boundaries` are increasing, one fewer than `schedules`.
 * @example const warmupCosine = join([linearWarmup({ lr, steps: 500 }), cosineDecay({ lr, tMax: 9_500, etaMin: 0 })], [500]);
 */
export const join = (schedules: readonly Schedule[], boundaries: readonly number[]): Schedule => (t, lr) => {
  const i = boundaries.filter((b) => t >= b).length;
  return schedules[i](t - (i ? boundaries[i - 1] : 0), lr);
};

/** What a value must be, and the test. */
type Rule = readonly [mustBe: string, ok: (v: unknown) => boolean];
const num0: Rule = ["a finite number >= 0", (v) => typeof v === "number" && Number.isFinite(v) && v >= 0];
const int0: Rule = ["a finite integer >= 0", (v) => Number.isInteger(v) && (v as number) >= 0];
const int1: Rule = ["an integer >= 1", (v) => Number.isInteger(v) && (v as number) >= 1];
const oneOf = (...xs: string[]): Rule => [xs.map((x) => JSON.stringify(x)).join(" or "), (v) => xs.includes(v as string)];

const perGroup = (n: number): Rule =>
  [`${n} number(s) >= 0 (one per parameter group)`, (v) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && x >= 0)];

function check(where: string, name: string, v: unknown, [mustBe, ok]: Rule): void {
  if (!ok(v)) throw new ValueError(`${where}: ${name} must be ${mustBe}, found ${typeof v === "string" || Array.isArray(v) ? JSON.stringify(v) : String(v)}`);
}

/** A schedule's options: each one's default (undefined where it is required) and rule. */
type Spec<T> = { readonly [K in keyof T]-?: readonly [fallback: T[K] | undefined, rule: Rule] };

/** Checks a schedule's optimizer, then its options (names, then values); returns them with their defaults. */
function parse<T extends object>(kind: string, optimizer: unknown, opts: T | undefined, spec: Spec<T>): Required<T> {
  checkOptimizer(kind, optimizer);
  const o = { ...checkOptions(kind, opts, Object.keys(spec) as (keyof T & string)[]) } as Record<string, unknown>;
  for (const [k, [fallback, rule]] of Object.entries<readonly [unknown, Rule]>(spec)) {
    if (o[k] === undefined) o[k] = fallback;
    check(kind, k, o[k], rule);
  }
  return o as Required<T>;
}

function checkOptimizer(kind: string, o: unknown): void {
  if (!(o instanceof Optimizer)) throw new ValueError(`${kind}: expected an optimizer (SGD, Adam, ...), found ${o === null ? "null" : typeof o}`);
}

/** Where loading `sd` into a schedule of `kind` is, for errors; throws unless `sd` is of that kind. */
function loading(sd: ScheduleStateDict, kind: string): string {
  const w = `${kind} schedule: loadStateDict`;
  if (sd?.kind !== kind) throw new ValueError(`${w}: the state dict is for schedule "${sd?.kind}"`);
  return w;
}

/**
 * Drives an optimizer's learning rates by a schedule: each parameter group gets `schedule(base)`,
 * made from its base lr (its lr when the scheduler was made), and after t calls of `step()` its lr is
 * `schedule(base)(t, lr)`; construction sets it for t = 0. StepLR, ExponentialLR, CosineAnnealingLR
 * and NoSchedule are this class with their schedule; ReduceLROnPlateau adds a step driven by a
 * metric. `kind` names the schedule in state dicts.
 *
 * @example
 * const sched = new LRScheduler(opt, "warmup-exponential", (lr) => join([linearWarmup({ lr, steps: 100 }), exponentialDecay({ lr, gamma: 0.999 })], [100]));
 * for (const batch of batches) { trainStep(batch); sched.step(); }
 */
export class LRScheduler implements LRSchedule {
  /** The number of `step()` calls so far. */
  lastEpoch = 0;
  baseLrs: number[];
  private lastLr: number[] = [];
  private schedules: Schedule[];

  constructor(readonly optimizer: Optimizer, readonly kind: string, private readonly schedule: (baseLr: number) => Schedule) {
    checkOptimizer(new.target.name, optimizer);
    this.baseLrs = optimizer.paramGroups.map((g) => g.hyper.lr);
    this.schedules = this.baseLrs.map((b) => schedule(b));
    this.setLrs(this.schedules.map((s, i) => s(0, this.baseLrs[i])));
  }

  /** Counts a step and sets each group's lr from its schedule. */
  step(): void {
    this.lastEpoch++;
    this.setLrs(this.optimizer.paramGroups.map((g, i) => this.schedules[i](this.lastEpoch, g.hyper.lr)));
  }

  private setLrs(lrs: number[]): void {
    this.lastLr = lrs;
    this.optimizer.paramGroups.forEach((g, i) => (g.hyper.lr = lrs[i]));
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The first group's learning rate, as last set. */
  get lr(): number {
    return this.lastLr[0];
  }

  stateDict(): ScheduleStateDict {
    return { kind: this.kind, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores the step count and base learning rates and sets the optimizer's lrs to the saved ones. */
  loadStateDict(sd: ScheduleStateDict): void {
    const w = loading(sd, this.kind);
    const n = this.optimizer.paramGroups.length;
    check(w, "lastEpoch", sd.lastEpoch, int0);
    check(w, "baseLrs", sd.baseLrs, perGroup(n));
    check(w, "lastLr", sd.lastLr, perGroup(n));
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.schedules = this.baseLrs.map((b) => this.schedule(b));
    this.setLrs([...sd.lastLr]);
  }
}

export interface StepLROptions {
  stepSize: number;
  gamma?: number;
}
const STEP: Spec<StepLROptions> = { stepSize: [undefined, int1], gamma: [0.1, num0] };

/**
 * `lr = base · gamma^⌊epoch / stepSize⌋`, as PyTorch's `StepLR`. Call `step()` once per epoch,
 * after the epoch's optimizer steps.
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { train(); sched.step(); }
 */
export class StepLR extends LRScheduler {
  declare readonly stepSize: number;
  declare readonly gamma: number;

  constructor(optimizer: Optimizer, opts: StepLROptions) {
    const o = parse("StepLR", optimizer, opts, STEP);
    super(optimizer, "step", (lr) => stepDecay({ lr, ...o }));
    Object.assign(this, o);
  }
}

const EXPONENTIAL: Spec<{ gamma: number }> = { gamma: [undefined, num0] };

/**
 * `lr = base · gammaᵉᵖᵒᶜʰ`, as PyTorch's `ExponentialLR`. Call `step()` once per epoch.
 *
 * @example
 * const sched = new ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  declare readonly gamma: number;

  constructor(optimizer: Optimizer, opts: { gamma: number }) {
    const o = parse("ExponentialLR", optimizer, opts, EXPONENTIAL);
    super(optimizer, "exponential", (lr) => exponentialDecay({ lr, ...o }));
    Object.assign(this, o);
  }
}

export interface CosineAnnealingLROptions {
  /** When the lr first reaches etaMin, warmup included, in `step()` calls. */
  tMax: number;
  etaMin?: number;
  warmupSteps?: number;
}
const COSINE: Spec<CosineAnnealingLROptions> = { tMax: [undefined, int1], etaMin: [0, num0], warmupSteps: [0, int0] };

/**
 * PyTorch's `CosineAnnealingLR` exactly (lrs changed by hand included), after an optional linear
 * warmup: with `w = warmupSteps`, `linearWarmup` for t < w (0 at first), then `cosineDecay` over
 * `tMax − w` steps, which reaches etaMin at t = tMax and goes on periodically, as PyTorch's (back to
 * base at t = 2·tMax − w, ...). Call `step()` once per epoch, or once per optimizer step when `tMax`
 * and `warmupSteps` count steps (the usual choice with warmup); to hold at etaMin, stop calling
 * `step()` at tMax.
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 10_000, warmupSteps: 500 });
 * for (const batch of batches) { trainStep(batch); sched.step(); }
 */
export class CosineAnnealingLR extends LRScheduler {
  declare readonly tMax: number;
  declare readonly etaMin: number;
  declare readonly warmupSteps: number;

  constructor(optimizer: Optimizer, opts: CosineAnnealingLROptions) {
    const o = parse("CosineAnnealingLR", optimizer, opts, COSINE);
    const { tMax, etaMin, warmupSteps: w } = o;
    if (w >= tMax) throw new ValueError(`CosineAnnealingLR: warmupSteps (${w}) must be < tMax (${tMax})`);
    const cosine = (lr: number) => cosineDecay({ lr, tMax: tMax - w, etaMin });
    super(optimizer, "cosine", w ? (lr) => join([linearWarmup({ lr, steps: w }), cosine(lr)], [w]) : cosine);
    Object.assign(this, o);
  }
}

/**
 * Keeps each group's learning rate at its base lr; what `makeSchedule("none", ...)` returns.
 * @example const sched = new NoSchedule(opt);
 */
export class NoSchedule extends LRScheduler {
  constructor(optimizer: Optimizer) {
    super(optimizer, "none", constant);
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  /** A floor for every group, or one per group. */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped. */
  eps?: number;
}
const PLATEAU: Spec<ReduceLROnPlateauOptions> = {
  mode: ["min", oneOf("min", "max")],
  factor: [0.1, ["in [0, 1)", (v) => typeof v === "number" && v >= 0 && v < 1]],
  patience: [10, int0],
  threshold: [1e-4, num0],
  thresholdMode: ["rel", oneOf("rel", "abs")],
  cooldown: [0, int0],
  minLr: [0, ["a number or an array", (v) => typeof v === "number" || Array.isArray(v)]],
  eps: [1e-8, num0],
};

/**
 * Multiplies the learning rate by `factor` when the monitored metric has not improved for more than
 * `patience` calls of `step(metric)`, as PyTorch's `ReduceLROnPlateau`: improvement means
 * `metric < best·(1 − threshold)` in "min" mode ("rel"; `best − threshold` with "abs"), and
 * `metric > best·(1 + threshold)` in "max" mode; after a reduction, `cooldown` calls pass during
 * which bad epochs are not counted; the lr never goes below `minLr`. Call `step(metric)` once per
 * epoch with the validation value.
 *
 * @example
 * const sched = new ReduceLROnPlateau(opt, { patience: 5, factor: 0.5 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validate()); }
 */
export class ReduceLROnPlateau extends LRScheduler {
  declare readonly mode: "min" | "max";
  declare readonly factor: number;
  declare readonly patience: number;
  declare readonly threshold: number;
  declare readonly thresholdMode: "rel" | "abs";
  declare readonly cooldown: number;
  declare readonly eps: number;
  readonly minLrs: number[];
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const k = "ReduceLROnPlateau";
    const { minLr, ...o } = parse(k, optimizer, options, PLATEAU);
    const n = optimizer.paramGroups.length;
    const minLrs = typeof minLr === "number" ? new Array<number>(n).fill(minLr) : [...minLr];
    if (minLrs.length !== n) throw new ValueError(`${k}: minLr has ${minLrs.length} values but the optimizer has ${n} parameter group(s)`);
    minLrs.forEach((m) => check(k, "minLr", m, num0));
    // NOTE: its schedule keeps the current lrs; `step(metric)` lowers them.
    super(optimizer, "plateau", () => (_t, lr) => lr);
    Object.assign(this, o);
    this.minLrs = minLrs;
    this.best = o.mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { best, threshold: th } = this;
    if (this.mode === "min") return a < (this.thresholdMode === "rel" ? best * (1 - th) : best - th);
    return a > (this.thresholdMode === "rel" ? best * (1 + th) : best + th);
  }

  /** Records `metric` (the monitored value for this epoch) and reduces the lr when it has plateaued. */
  override step(metric?: number): void {
    if (typeof metric !== "number") throw new ValueError(`ReduceLROnPlateau.step: pass the monitored metric, found ${metric}`);
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const lr = Math.max(g.hyper.lr * this.factor, this.minLrs[i]);
        if (g.hyper.lr - lr > this.eps) g.hyper.lr = lr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    super.step();
  }

  override stateDict(): ScheduleStateDict {
    const { best, numBadEpochs, cooldownCounter } = this;
    // NOTE: baseLrs stay empty, as in the checkpoints written before: a plateau's lrs come from the current ones.
    return { ...super.stateDict(), baseLrs: [], best, numBadEpochs, cooldownCounter };
  }

  /** Restores the counters and the best value and sets the optimizer's lrs to the saved ones. */
  override loadStateDict(sd: ScheduleStateDict): void {
    const w = loading(sd, this.kind);
    check(w, "numBadEpochs", sd.numBadEpochs, int0);
    check(w, "cooldownCounter", sd.cooldownCounter, int0);
    const best = sd.best === null ? (this.mode === "min" ? Infinity : -Infinity) : sd.best;
    if (typeof best !== "number") throw new ValueError(`${w}: best must be a number, found ${JSON.stringify(sd.best)}`);
    super.loadStateDict({ ...sd, baseLrs: this.baseLrs });
    this.best = best;
    this.numBadEpochs = sd.numBadEpochs as number;
    this.cooldownCounter = sd.cooldownCounter as number;
  }
}

export type ScheduleName = "step" | "exponential" | "cosine" | "plateau" | "none";
/** The options of every schedule, for `makeSchedule`; each schedule reads its own. */
export type ScheduleOptions = Partial<StepLROptions & CosineAnnealingLROptions & ReduceLROnPlateauOptions> & { gamma?: number };

/**
 * Makes a schedule by name (for the CLI). "step" needs `stepSize`, "exponential" `gamma`, "cosine"
 * `tMax`; "none" keeps the lr constant. Every result has `step(metric?)`; only "plateau" uses the metric.
 *
 * @example
 * const sched = makeSchedule("cosine", opt, { tMax: epochs, warmupSteps: 2 });
 */
export function makeSchedule(name: ScheduleName, optimizer: Optimizer, options: ScheduleOptions = {}): LRSchedule {
  const all = [...new Set([STEP, EXPONENTIAL, COSINE, PLATEAU].flatMap((s) => Object.keys(s)))] as (keyof ScheduleOptions)[];
  const o: Record<string, unknown> = checkOptions("makeSchedule", options, all);
  /** The options of `spec` from `options`; a required one missing is an error. */
  const pick = <T>(spec: Spec<T>): T =>
    Object.fromEntries(Object.entries<readonly [unknown, Rule]>(spec).map(([k, [fallback]]) => {
      if (fallback === undefined && o[k] === undefined) throw new ValueError(`makeSchedule: the "${name}" schedule needs ${k}`);
      return [k, o[k]];
    })) as T;
  switch (name) {
    case "step": return new StepLR(optimizer, pick(STEP));
    case "exponential": return new ExponentialLR(optimizer, pick(EXPONENTIAL));
    case "cosine": return new CosineAnnealingLR(optimizer, pick(COSINE));
    case "plateau": return new ReduceLROnPlateau(optimizer, pick(PLATEAU));
    case "none": return new NoSchedule(optimizer);
  }
  throw new ValueError(`makeSchedule: unknown schedule ${JSON.stringify(name)}; expected one of step, exponential, cosine, plateau, none`);
}
