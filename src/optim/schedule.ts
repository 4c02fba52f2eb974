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

const nonNeg = (kind: string, name: string, v: number, int = false): void => {
  if (!(v >= 0) || !Number.isFinite(v) || (int && !Number.isInteger(v)))
    throw new ValueError(`${kind}: ${name} must be a finite ${int ? "integer" : "number"} >= 0, found ${v}`);
};

/** Throws a ValueError unless `o` is an optimizer. */
const checkOptimizer = (kind: string, o: unknown): void => {
  if (!(o instanceof Optimizer)) throw new ValueError(`${kind}: expected an optimizer (SGD, Adam, ...), found ${o === null ? "null" : typeof o}`);
};

const checkArr = (where: string, name: string, v: unknown, n: number): number[] => {
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === "number" && x >= 0))
    throw new ValueError(`${where}: ${name} must be ${n} number(s) >= 0 (one per parameter group), found ${JSON.stringify(v)}`);
  return [...v];
};

/**
 * A schedule whose learning rate is a function of the number of `step()` calls (`lastEpoch`) and
 * the group's base learning rate (its lr when the schedule was made). Construction sets the lr for
 * `lastEpoch` 0.
 */
abstract class ClosedFormSchedule implements LRSchedule {
  abstract readonly kind: string;
  lastEpoch = 0;
  baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(readonly optimizer: Optimizer) {
    checkOptimizer(new.target.name, optimizer);
    this.baseLrs = optimizer.paramGroups.map((g) => g.hyper.lr);
  }

  protected abstract lrAt(base: number, t: number): number;

  protected apply(): void {
    this.lastLr = this.baseLrs.map((b) => this.lrAt(b, this.lastEpoch));
    this.optimizer.paramGroups.forEach((g, i) => (g.hyper.lr = this.lastLr[i]));
  }

  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): ScheduleStateDict {
    return { kind: this.kind, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores the epoch count and base learning rates and sets the optimizer's lrs to the saved ones. */
  loadStateDict(sd: ScheduleStateDict): void {
    const n = this.optimizer.paramGroups.length;
    const w = `${this.kind} schedule: loadStateDict`;
    if (sd?.kind !== this.kind) throw new ValueError(`${w}: the state dict is for schedule "${sd?.kind}"`);
    nonNeg(w, "lastEpoch", sd.lastEpoch, true);
    const baseLrs = checkArr(w, "baseLrs", sd.baseLrs, n);
    const lastLr = checkArr(w, "lastLr", sd.lastLr, n);
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    this.optimizer.paramGroups.forEach((g, i) => (g.hyper.lr = lastLr[i]));
  }
}

export interface StepLROptions {
  stepSize: number;
  gamma?: number;
}

/**
 * `lr = base · gamma^⌊epoch / stepSize⌋`, as PyTorch's `StepLR`. Call `step()` once per epoch,
 * after the epoch's optimizer steps.
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { train(); sched.step(); }
 */
export class StepLR extends ClosedFormSchedule {
  readonly kind = "step";
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, opts: StepLROptions) {
    super(optimizer);
    const { stepSize, gamma = 0.1 } = checkOptions("StepLR", opts, ["stepSize", "gamma"]);
    if (!(Number.isInteger(stepSize) && stepSize >= 1)) throw new ValueError(`StepLR: stepSize must be an integer >= 1, found ${stepSize}`);
    nonNeg("StepLR", "gamma", gamma);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.apply();
  }

  protected lrAt(base: number, t: number): number {
    return base * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/**
 * `lr = base · gammaᵉᵖᵒᶜʰ`, as PyTorch's `ExponentialLR`. Call `step()` once per epoch.
 *
 * @example
 * const sched = new ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends ClosedFormSchedule {
  readonly kind = "exponential";
  readonly gamma: number;

  constructor(optimizer: Optimizer, opts: { gamma: number }) {
    super(optimizer);
    const { gamma } = checkOptions("ExponentialLR", opts, ["gamma"]);
    nonNeg("ExponentialLR", "gamma", gamma);
    this.gamma = gamma;
    this.apply();
  }

  protected lrAt(base: number, t: number): number {
    return base * this.gamma ** t;
  }
}

export interface CosineAnnealingLROptions {
  /** When the lr first reaches etaMin, warmup included, in `step()` calls. */
  tMax: number;
  etaMin?: number;
  warmupSteps?: number;
}

/**
 * Linear warmup then cosine annealing. With `w = warmupSteps` and `T = tMax − w`, after t calls of
 * `step()`: `lr = base · t / w` for t < w (0 at first), then
 * `lr = etaMin + (base − etaMin) · (1 + cos(π · (t − w) / T)) / 2`, which reaches etaMin at t = tMax
 * and, as PyTorch's, goes on periodically: it rises back to base at t = tMax + T, and so on. Without
 * warmup this is PyTorch's `CosineAnnealingLR` exactly: after the first step each lr comes, as in
 * PyTorch's `step()`, from the group's current lr by PyTorch's recursive form of that formula (the
 * same values up to rounding, and the same roundings as PyTorch's), so an lr changed by hand is
 * followed as PyTorch follows it. With warmup the cosine part is PyTorch's `CosineAnnealingLR` with
 * `T_max = tMax − w`, started at t = w. Call `step()` once per epoch, or once per optimizer step
 * when `tMax` and `warmupSteps` count steps (the usual choice with warmup); to hold at etaMin,
 * stop calling `step()` at tMax.
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 10_000, warmupSteps: 500 });
 * for (const batch of batches) { trainStep(batch); sched.step(); }
 */
export class CosineAnnealingLR extends ClosedFormSchedule {
  readonly kind = "cosine";
  readonly tMax: number;
  readonly etaMin: number;
  readonly warmupSteps: number;

  constructor(optimizer: Optimizer, opts: CosineAnnealingLROptions) {
    super(optimizer);
    const { tMax, etaMin = 0, warmupSteps = 0 } = checkOptions("CosineAnnealingLR", opts, ["tMax", "etaMin", "warmupSteps"]);
    if (!(Number.isInteger(tMax) && tMax >= 1)) throw new ValueError(`CosineAnnealingLR: tMax must be an integer >= 1, found ${tMax}`);
    nonNeg("CosineAnnealingLR", "etaMin", etaMin);
    nonNeg("CosineAnnealingLR", "warmupSteps", warmupSteps, true);
    if (warmupSteps >= tMax) throw new ValueError(`CosineAnnealingLR: warmupSteps (${warmupSteps}) must be < tMax (${tMax})`);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.warmupSteps = warmupSteps;
    this.apply();
  }

  /** The warmup, and base at t = w where the cosine starts; `step()` computes the rest. */
  protected lrAt(base: number, t: number): number {
    return t < this.warmupSteps ? (base * t) / this.warmupSteps : base;
  }

  override step(): void {
    this.lastEpoch++;
    const t = this.lastEpoch - this.warmupSteps;
    if (t <= 0) return this.apply();
    const T = this.tMax - this.warmupSteps;
    const e = this.etaMin;
    // NOTE: PyTorch's recursive form (torch/optim/lr_scheduler.py, CosineAnnealingLR.get_lr), term for term.
    this.lastLr = this.optimizer.paramGroups.map(({ hyper: { lr } }, i) =>
      (t - 1 - T) % (2 * T) === 0
        ? lr + ((this.baseLrs[i] - e) * (1 - Math.cos(Math.PI / T))) / 2
        : ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - e) + e,
    );
    this.optimizer.paramGroups.forEach((g, i) => (g.hyper.lr = this.lastLr[i]));
  }
}

/** Keeps the learning rate as it is; what `makeSchedule("none", ...)` returns. */
export class NoSchedule extends ClosedFormSchedule {
  readonly kind = "none";

  constructor(optimizer: Optimizer) {
    super(optimizer);
    this.apply();
  }

  protected lrAt(base: number): number {
    return base;
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
export class ReduceLROnPlateau implements LRSchedule {
  readonly kind = "plateau";
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptimizer("ReduceLROnPlateau", optimizer);
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel", cooldown = 0, minLr = 0, eps = 1e-8 } = checkOptions(
      "ReduceLROnPlateau", options, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"],
    );
    const k = "ReduceLROnPlateau";
    if (mode !== "min" && mode !== "max") throw new ValueError(`${k}: mode must be "min" or "max", found ${JSON.stringify(mode)}`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs") throw new ValueError(`${k}: thresholdMode must be "rel" or "abs", found ${JSON.stringify(thresholdMode)}`);
    if (!(factor >= 0 && factor < 1)) throw new ValueError(`${k}: factor must be in [0, 1), found ${factor}`);
    nonNeg(k, "patience", patience, true);
    nonNeg(k, "cooldown", cooldown, true);
    nonNeg(k, "threshold", threshold);
    nonNeg(k, "eps", eps);
    const n = optimizer.paramGroups.length;
    const mins = typeof minLr === "number" ? new Array<number>(n).fill(minLr) : [...minLr];
    if (mins.length !== n) throw new ValueError(`${k}: minLr has ${mins.length} values but the optimizer has ${n} parameter group(s)`);
    mins.forEach((m) => nonNeg(k, "minLr", m));
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.minLrs = mins;
    this.best = mode === "min" ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.hyper.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold: th } = this;
    if (this.mode === "min") return a < (this.thresholdMode === "rel" ? best * (1 - th) : best - th);
    return a > (this.thresholdMode === "rel" ? best * (1 + th) : best + th);
  }

  /** Records `metric` (the monitored value for this epoch) and reduces the lr when it has plateaued. */
  step(metric?: number): void {
    if (typeof metric !== "number") throw new ValueError(`ReduceLROnPlateau.step: pass the monitored metric, found ${metric}`);
    this.lastEpoch++;
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
    this.lastLr = this.optimizer.paramGroups.map((g) => g.hyper.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): ScheduleStateDict {
    const { kind, lastEpoch, best, numBadEpochs, cooldownCounter } = this;
    return { kind, lastEpoch, baseLrs: [], lastLr: [...this.lastLr], best, numBadEpochs, cooldownCounter };
  }

  /** Restores the counters and the best value and sets the optimizer's lrs to the saved ones. */
  loadStateDict(sd: ScheduleStateDict): void {
    const w = "plateau schedule: loadStateDict";
    if (sd?.kind !== this.kind) throw new ValueError(`${w}: the state dict is for schedule "${sd?.kind}"`);
    for (const k of ["lastEpoch", "numBadEpochs", "cooldownCounter"] as const) nonNeg(w, k, sd[k] as number, true);
    const best = sd.best === null ? (this.mode === "min" ? Infinity : -Infinity) : sd.best;
    if (typeof best !== "number") throw new ValueError(`${w}: best must be a number, found ${JSON.stringify(sd.best)}`);
    const lastLr = checkArr(w, "lastLr", sd.lastLr, this.optimizer.paramGroups.length);
    this.lastEpoch = sd.lastEpoch;
    this.numBadEpochs = sd.numBadEpochs as number;
    this.cooldownCounter = sd.cooldownCounter as number;
    this.best = best;
    this.lastLr = lastLr;
    this.optimizer.paramGroups.forEach((g, i) => (g.hyper.lr = lastLr[i]));
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
  checkOptions("makeSchedule", options, [
    "stepSize", "gamma", "tMax", "etaMin", "warmupSteps", "mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps",
  ]);
  const need = (k: keyof ScheduleOptions): number => {
    const v = options[k];
    if (typeof v !== "number") throw new ValueError(`makeSchedule: the "${name}" schedule needs ${k}`);
    return v;
  };
  switch (name) {
    case "step":
      return new StepLR(optimizer, { stepSize: need("stepSize"), gamma: options.gamma });
    case "exponential":
      return new ExponentialLR(optimizer, { gamma: need("gamma") });
    case "cosine":
      return new CosineAnnealingLR(optimizer, { tMax: need("tMax"), etaMin: options.etaMin, warmupSteps: options.warmupSteps });
    case "plateau": {
      const { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps } = options;
      return new ReduceLROnPlateau(optimizer, { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps });
    }
    case "none":
      return new NoSchedule(optimizer);
    default:
      throw new ValueError(`makeSchedule: unknown schedule ${JSON.stringify(name)}; expected one of step, exponential, cosine, plateau, none`);
  }
}
