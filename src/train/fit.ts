import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { noGrad } from "../autograd/mode.js";
import { DataLoader, type Dataset } from "../data/dataset.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { mse } from "../losses/regression.js";
import { Module } from "../nn/module.js";
import { describeValue } from "../tensor/format.js";
import { clipGradNorm } from "../optim/clip.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { LRSchedule } from "../optim/schedule.js";
import { argmax, concat } from "../ops/functions.js";
import { Generator as Random } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";

export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** One epoch's record in a history. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface BatchInfo {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  accuracy?: number;
  samplesPerSecond: number;
  /** Seconds left in this epoch at the current speed. */
  eta: number;
}

/** Receives training progress; `fit` picks a live bar on a terminal and one line per epoch elsewhere. */
export interface Reporter {
  start?(info: { epochs: number; steps: number; startEpoch: number }): void;
  batch?(info: BatchInfo): void;
  epoch?(log: EpochLog, info: { epochs: number }): void;
  end?(): void;
}

export interface Callbacks {
  onBatchEnd?(info: BatchInfo): void;
  /** Return `false` to stop training after this epoch. */
  onEpochEnd?(log: EpochLog, history: EpochLog[]): void | boolean;
}

export interface FitOptions {
  optimizer: Optimizer;
  epochs?: number;
  /** A loss function of (output, target), or "crossEntropy" (default) / "mse". */
  loss?: LossFn | "crossEntropy" | "mse";
  metrics?: "accuracy"[];
  /** Used when the training data is a Dataset rather than a DataLoader (default 32). */
  batchSize?: number;
  validation?: Dataset | DataLoader;
  /**
   * Holds out this fraction of the training data, drawn at random from `seed` (as PyTorch's
   * `random_split`), as the validation set: 0.1 trains on 90% and validates on 10%; 0 holds out nothing. Needs a Dataset.
   */
  validationSplit?: number;
  schedule?: LRSchedule;
  callbacks?: Callbacks | Callbacks[];
  /** Seeds the shuffling; epoch e's order depends only on (seed, e), so a resumed run repeats it. */
  seed?: number;
  /** Clip the gradient norm before each step. */
  clipGradNorm?: number;
  /** Resume: the first epoch to run (0-based) and the history so far. */
  startEpoch?: number;
  history?: EpochLog[];
  progress?: "auto" | "bar" | "lines" | "none" | Reporter;
}

const FIT_OPTIONS = [
  "optimizer", "epochs", "loss", "metrics", "batchSize", "validation", "validationSplit", "schedule", "callbacks", "seed",
  "clipGradNorm", "startEpoch", "history", "progress",
] as const;

let barFactory: (() => Reporter) | null = null;

/** @internal the Node entry registers a terminal progress bar here. */
export function setProgressBarFactory(f: () => Reporter): void {
  barFactory = f;
}

function isTTY(): boolean {
  return Boolean((globalThis as any).process?.stdout?.isTTY);
}

const pct = (v: number | undefined) => (v === undefined ? "" : `${(v * 100).toFixed(2)}%`);

/** One plain line per epoch (logs, CI, pipes). */
export function lineReporter(write: (s: string) => void = (s) => console.log(s)): Reporter {
  return {
    epoch(l, { epochs }) {
      const parts = [`epoch ${l.epoch + 1}/${epochs}`, `loss ${l.loss.toFixed(4)}`];
      if (l.accuracy !== undefined) parts.push(`acc ${pct(l.accuracy)}`);
      if (l.valLoss !== undefined) parts.push(`val_loss ${l.valLoss.toFixed(4)}`);
      if (l.valAccuracy !== undefined) parts.push(`val_acc ${pct(l.valAccuracy)}`);
      parts.push(`lr ${l.lr.toPrecision(3)}`, `${Math.round(l.samplesPerSecond)} samples/s`, `${l.seconds.toFixed(1)}s`);
      write(parts.join("  "));
    },
  };
}

function resolveReporter(p: FitOptions["progress"]): Reporter {
  if (p === undefined || p === "auto") return isTTY() && barFactory ? barFactory() : lineReporter();
  if (p === "bar") return barFactory ? barFactory() : lineReporter();
  if (p === "lines") return lineReporter();
  if (p === "none") return {};
  return p;
}

function resolveLoss(loss: FitOptions["loss"]): LossFn {
  if (loss === undefined || loss === "crossEntropy") return (o, t) => crossEntropy(o, t);
  if (loss === "mse") return (o, t) => mse(o, t);
  if (typeof loss === "function") return loss;
  throw new ValueError(`fit: unknown loss ${JSON.stringify(loss)}; expected "crossEntropy", "mse" or a function`);
}

function correct(output: Tensor, target: Tensor): number {
  if (target.dtype !== "int32" || output.ndim !== 2) return NaN;
  const pred = argmax(output, 1).data;
  let c = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === target.data[i]) c++;
  return c;
}

function loaderOf(data: Dataset | DataLoader, batchSize: number, shuffle: boolean, generator?: Random): DataLoader {
  if (data instanceof DataLoader) return data;
  return new DataLoader(data, { batchSize, shuffle, generator });
}

function checkModel(where: string, model: unknown): void {
  if (!(model instanceof Module)) throw new ValueError(`${where}: expected a Module (e.g. nn.Sequential), found ${describeValue(model)}`);
}

function checkData(where: string, data: unknown): void {
  const ok = data instanceof DataLoader || (typeof data === "object" && data !== null && typeof (data as Dataset).length === "number" && typeof (data as Dataset).get === "function");
  if (!ok) throw new ValueError(`${where}: expected a Dataset (such as a TensorDataset) or a DataLoader, found ${describeValue(data)}`);
}

/** The samples at `indices` of a data set, as a data set (for `validationSplit`). */
function subset(data: Dataset, indices: Int32Array): Dataset {
  const at = (i: number) => {
    if (!(i >= 0 && i < indices.length)) throw new ValueError(`fit: index ${i} is out of range for ${indices.length} samples`);
    return indices[i];
  };
  return {
    length: indices.length,
    get: (i) => data.get(at(i)),
    getBatch: data.getBatch ? (idx) => data.getBatch!(Array.from(idx, at)) : undefined,
  };
}

/**
 * Splits `data` as `validationSplit` does, as PyTorch's `random_split` with a seeded generator:
 * `n − floor(n · (1 − fraction))` samples drawn at random (from `seed`) validate, the rest train; both keep
 * the data's order, and the same seed gives the same split on every run (and on resume).
 * @example const { train, validation } = splitValidation(fromRaw(spiral(100)), 0.1); // 270 and 30 samples
 */
export function splitValidation(data: Dataset, fraction: number, seed = 0): { train: Dataset; validation: Dataset } {
  checkData("splitValidation", data);
  if (!(fraction > 0 && fraction < 1)) throw new ValueError(`fit: validationSplit must be a number in (0, 1), found ${fraction}`);
  if (!Number.isInteger(seed)) throw new ValueError(`splitValidation: seed must be an integer, found ${seed}`);
  const n = data.length;
  const nTrain = Math.floor(n * (1 - fraction)), nVal = n - nTrain;
  if (nTrain === 0 || nVal === 0) throw new ValueError(`fit: validationSplit ${fraction} of ${n} samples leaves ${nTrain === 0 ? "no training" : "no validation"} samples`);
  const perm = new Random(seed).permutation(n);
  const validation = perm.slice(0, nVal).sort();
  const train = perm.slice(nVal).sort();
  return { train: subset(data, train), validation: subset(data, validation) };
}

function finite(params: readonly Tensor[]): boolean {
  for (const p of params) for (let i = 0; i < p.data.length; i++) if (!Number.isFinite(p.data[i])) return false;
  return true;
}

/** Training stopped because the loss (or the weights) became NaN or ±∞; the message names the epoch and the step. */
export class DivergenceError extends ValueError {
  override name = "DivergenceError";
}

function diverged(what: string, epoch: number, epochs: number, step: number, steps: number, lr: number): DivergenceError {
  return new DivergenceError(
    `fit: ${what} at epoch ${epoch + 1}/${epochs}, step ${step}/${steps} (lr ${lr}); training stopped before the weights were updated with it: try a smaller learning rate`,
  );
}

/**
 * Trains `model` on `trainData`, epoch after epoch, and returns the history. Progress shows as a
 * live bar on a terminal and one line per epoch elsewhere. A loss that becomes NaN or ±∞ stops
 * training with a {@link DivergenceError} naming the epoch and step, before the optimizer applies it
 * and before `onEpochEnd` (so a checkpoint saved there is never overwritten with bad weights).
 *
 * @example
 * const history = fit(model, train, { epochs: 3, optimizer: new SGD(model.parameters(), { lr: 0.1 }), batchSize: 64, validation: test, metrics: ["accuracy"] });
 */
export function fit(model: Module, trainData: Dataset | DataLoader, opts: FitOptions): EpochLog[] {
  const steps = fitSteps(model, trainData, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The training of {@link fit}, one batch at a time: yields after every optimizer step and returns the
 * history, so a caller can hand control back to the event loop between steps (a signal handler, a
 * browser page). Stopping early (`return()` on the iterator) ends the reporter.
 *
 * @example
 * for (const step of fitSteps(model, train, { optimizer, epochs: 2 })) if (step.loss < 0.01) break;
 */
export function* fitSteps(model: Module, trainData: Dataset | DataLoader, options: FitOptions): Generator<BatchInfo, EpochLog[], void> {
  checkModel("fit", model);
  checkData("fit", trainData);
  const opts = checkOptions("fit", options, FIT_OPTIONS);
  if (!opts.optimizer) throw new ValueError(`fit: the optimizer option is required, e.g. { optimizer: new SGD(model.parameters(), { lr: 0.1 }) }`);
  const epochs = opts.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, found ${epochs}`);
  const lossFn = resolveLoss(opts.loss);
  const withAcc = (opts.metrics ?? []).includes("accuracy");
  let validation = opts.validation;
  if (opts.validationSplit !== undefined && opts.validationSplit !== 0) {
    if (validation) throw new ValueError(`fit: give validation or validationSplit, not both`);
    if (trainData instanceof DataLoader) throw new ValueError(`fit: validationSplit needs a Dataset, not a DataLoader (split the data set, then pass validation)`);
    ({ train: trainData, validation } = splitValidation(trainData, opts.validationSplit, opts.seed ?? 0));
  }
  const size = trainData instanceof DataLoader ? trainData.dataset.length : trainData.length;
  if (size === 0) throw new ValueError(`fit: the training data has no samples`);
  const callbacks = opts.callbacks === undefined ? [] : Array.isArray(opts.callbacks) ? opts.callbacks : [opts.callbacks];
  const history = [...(opts.history ?? [])];
  const seed = opts.seed ?? 0;
  const given = trainData instanceof DataLoader ? trainData : null;
  const startEpoch = opts.startEpoch ?? 0;
  const steps = loaderOf(trainData, opts.batchSize ?? 32, true).length;
  const reporter = resolveReporter(opts.progress);
  reporter.start?.({ epochs, steps, startEpoch });
  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const loader = given ?? loaderOf(trainData, opts.batchSize ?? 32, true, new Random(seed * 1_000_003 + epoch));
      model.train();
      const t0 = performance.now();
      let lossSum = 0, correctSum = 0, seen = 0, step = 0;
      for (const [x, y] of loader) {
        const out = model.call(x);
        const loss = lossFn(out, y);
        const value = loss.item();
        if (!Number.isFinite(value)) throw diverged(`the loss became ${value}`, epoch, epochs, step + 1, loader.length, opts.optimizer.lr);
        opts.optimizer.zeroGrad();
        loss.backward();
        if (opts.clipGradNorm !== undefined) clipGradNorm(opts.optimizer.params, opts.clipGradNorm);
        opts.optimizer.step();
        const n = x.shape[0];
        lossSum += value * n;
        if (withAcc) correctSum += correct(out, y);
        seen += n;
        step++;
        const secs = (performance.now() - t0) / 1000;
        const info: BatchInfo = {
          epoch, epochs, step, steps: loader.length, loss: lossSum / seen, accuracy: withAcc ? correctSum / seen : undefined,
          samplesPerSecond: seen / Math.max(secs, 1e-9), eta: (secs / step) * (loader.length - step),
        };
        reporter.batch?.(info);
        for (const c of callbacks) c.onBatchEnd?.(info);
        yield info;
      }
      if (!finite(opts.optimizer.params)) throw diverged("the weights became non-finite", epoch, epochs, step, loader.length, opts.optimizer.lr);
      const seconds = (performance.now() - t0) / 1000;
      const log: EpochLog = {
        epoch, loss: lossSum / Math.max(seen, 1), lr: opts.optimizer.lr, seconds, samplesPerSecond: seen / Math.max(seconds, 1e-9),
      };
      if (withAcc) log.accuracy = correctSum / Math.max(seen, 1);
      if (validation) {
        const v = evaluate(model, validation, { loss: lossFn, batchSize: opts.batchSize ?? 32 });
        log.valLoss = v.loss;
        if (withAcc) log.valAccuracy = v.accuracy;
      }
      history.push(log);
      reporter.epoch?.(log, { epochs });
      if (opts.schedule) opts.schedule.step(log.valLoss ?? log.loss);
      let stop = false;
      for (const c of callbacks) if (c.onEpochEnd?.(log, history) === false) stop = true;
      if (stop) break;
    }
  } finally {
    reporter.end?.();
  }
  return history;
}

/** Loss and accuracy of `model` on `data` (eval mode, no graph). */
export function evaluate(
  model: Module,
  data: Dataset | DataLoader,
  options?: { loss?: FitOptions["loss"]; batchSize?: number },
): { loss: number; accuracy: number; n: number } {
  checkModel("evaluate", model);
  checkData("evaluate", data);
  const opts = checkOptions("evaluate", options, ["loss", "batchSize"]);
  const lossFn = resolveLoss(opts.loss);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let lossSum = 0, correctSum = 0, n = 0;
      for (const [x, y] of loaderOf(data, opts.batchSize ?? 256, false)) {
        const out = model.call(x);
        lossSum += lossFn(out, y).item() * x.shape[0];
        correctSum += correct(out, y);
        n += x.shape[0];
      }
      if (n === 0) throw new ValueError(`evaluate: the data has no samples`);
      return { loss: lossSum / n, accuracy: correctSum / n, n };
    });
  } finally {
    model.train(wasTraining);
  }
}

/** The model's outputs for a batch of inputs (eval mode, no graph), computed in batches. */
export function predict(model: Module, x: Tensor, options?: { batchSize?: number }): Tensor {
  checkModel("predict", model);
  if (!(x instanceof Tensor) || x.ndim === 0) throw new ValueError(`predict: expected a batch of inputs as a Tensor [n, ...], found ${x instanceof Tensor ? "a scalar" : describeValue(x)}`);
  const opts = checkOptions("predict", options, ["batchSize"]);
  const bs = opts.batchSize ?? 256;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const outs: Tensor[] = [];
      for (let i = 0; i < x.shape[0]; i += bs) outs.push(model.call(x.slice(0, i, i + bs)));
      return outs.length === 1 ? outs[0] : concat(outs, 0);
    });
  } finally {
    model.train(wasTraining);
  }
}
