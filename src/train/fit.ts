import { ValueError } from "../errors.js";
import { noGrad } from "../autograd/mode.js";
import { DataLoader, type Dataset } from "../data/dataset.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { mse } from "../losses/regression.js";
import type { Module } from "../nn/module.js";
import { clipGradNorm } from "../optim/clip.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { LRSchedule } from "../optim/schedule.js";
import { argmax, concat } from "../ops/functions.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

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

function loaderOf(data: Dataset | DataLoader, batchSize: number, shuffle: boolean, generator?: Generator): DataLoader {
  if (data instanceof DataLoader) return data;
  return new DataLoader(data, { batchSize, shuffle, generator });
}

/**
 * Trains `model` on `trainData`, epoch after epoch, and returns the history. Progress shows as a
 * live bar on a terminal and one line per epoch elsewhere.
 *
 * @example
 * const history = fit(model, train, { epochs: 3, optimizer: new SGD(model.parameters(), { lr: 0.1 }), batchSize: 64, validation: test, metrics: ["accuracy"] });
 */
export function fit(model: Module, trainData: Dataset | DataLoader, opts: FitOptions): EpochLog[] {
  const epochs = opts.epochs ?? 1;
  const lossFn = resolveLoss(opts.loss);
  const withAcc = (opts.metrics ?? []).includes("accuracy");
  const reporter = resolveReporter(opts.progress);
  const callbacks = opts.callbacks === undefined ? [] : Array.isArray(opts.callbacks) ? opts.callbacks : [opts.callbacks];
  const history = [...(opts.history ?? [])];
  const seed = opts.seed ?? 0;
  const given = trainData instanceof DataLoader ? trainData : null;
  const startEpoch = opts.startEpoch ?? 0;
  const steps = loaderOf(trainData, opts.batchSize ?? 32, true).length;
  reporter.start?.({ epochs, steps, startEpoch });
  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const loader = given ?? loaderOf(trainData, opts.batchSize ?? 32, true, new Generator(seed * 1_000_003 + epoch));
      model.train();
      const t0 = performance.now();
      let lossSum = 0, correctSum = 0, seen = 0, step = 0;
      for (const [x, y] of loader) {
        const out = model.call(x);
        const loss = lossFn(out, y);
        opts.optimizer.zeroGrad();
        loss.backward();
        if (opts.clipGradNorm !== undefined) clipGradNorm(opts.optimizer.params, opts.clipGradNorm);
        opts.optimizer.step();
        const n = x.shape[0];
        lossSum += loss.item() * n;
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
      }
      const seconds = (performance.now() - t0) / 1000;
      const log: EpochLog = {
        epoch, loss: lossSum / Math.max(seen, 1), lr: opts.optimizer.lr, seconds, samplesPerSecond: seen / Math.max(seconds, 1e-9),
      };
      if (withAcc) log.accuracy = correctSum / Math.max(seen, 1);
      if (opts.validation) {
        const v = evaluate(model, opts.validation, { loss: lossFn, batchSize: opts.batchSize ?? 32 });
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
  opts: { loss?: FitOptions["loss"]; batchSize?: number } = {},
): { loss: number; accuracy: number; n: number } {
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
      return { loss: lossSum / Math.max(n, 1), accuracy: correctSum / Math.max(n, 1), n };
    });
  } finally {
    model.train(wasTraining);
  }
}

/** The model's outputs for a batch of inputs (eval mode, no graph), computed in batches. */
export function predict(model: Module, x: Tensor, opts: { batchSize?: number } = {}): Tensor {
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
