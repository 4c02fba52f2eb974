import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { fromRaw } from "../data/dataset.js";
import type { RawDataset } from "../data/raw.js";
import type { ModelSpec } from "../nn/build.js";
import type { Module } from "../nn/module.js";
import { loadCheckpoint, saveCheckpoint } from "../node/checkpoint-file.js";
import { writeFileAtomic } from "../node/fs.js";
import { progressBar } from "../node/progress.js";
import { Adam, AdamW } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { makeSchedule } from "../optim/schedule.js";
import { SGD } from "../optim/sgd.js";
import { tensor } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import { curvesSvg } from "../train/curves.js";
import { type EpochLog, evaluate, fit, lineReporter } from "../train/fit.js";
import { buildFrom, choice, inputShapeFor, loadData, modelSpecFrom, num } from "./shared.js";
import { UsageError } from "./usage.js";

interface TrainFlags {
  model: string;
  epochs: string;
  batchSize: string;
  lr: string;
  optimizer: string;
  momentum: string;
  weightDecay: string;
  schedule: string;
  seed: string;
  data: string;
  label?: string;
  out?: string;
  json?: boolean;
  resume?: string;
  progress: string;
}

function dataset(raw: RawDataset, shape: number[]) {
  return fromRaw({ ...raw, sampleShape: shape });
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, "-").replace(/\..*$/, "");
}

function makeOptimizer(kind: string, model: Module, lr: number, momentum: number, weightDecay: number): Optimizer {
  if (kind === "sgd") return new SGD(model.parameters(), { lr, momentum, weightDecay });
  if (kind === "adam") return new Adam(model.parameters(), { lr, weightDecay });
  return new AdamW(model.parameters(), { lr, weightDecay });
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a classifier (default: a 784-1024-512-10 ReLU MLP on the digits, SGD momentum 0.9, lr 0.1, weight decay 1e-4, batch 64, 10 epochs, seed 0)")
    .option("--model <spec>", 'an MLP spec "784-256-10" or a JSON model file', "784-1024-512-10")
    .option("--epochs <n>", "epochs", "10")
    .option("--batch-size <n>", "minibatch size", "64")
    .option("--lr <x>", "learning rate", "0.1")
    .option("--optimizer <name>", "sgd | adam | adamw", "sgd")
    .option("--momentum <x>", "SGD momentum", "0.9")
    .option("--weight-decay <x>", "weight decay", "1e-4")
    .option("--schedule <name>", "none | step | exponential | cosine | plateau", "none")
    .option("--seed <n>", "seed of initialisation and shuffling", "0")
    .option("--data <source>", "digits | idx:<dir> | csv:<file>", "digits")
    .option("--label <column>", "the label column of a CSV file")
    .option("--out <dir>", "where to write the checkpoint, metrics.json and curves.svg (default runs/<timestamp>)")
    .option("--json", "print a machine-readable summary on stdout")
    .option("--resume <checkpoint>", "continue a run from its checkpoint")
    .option("--progress <mode>", "auto | bar | lines | none", "auto")
    .action((flags: TrainFlags) => train(flags));
}

function train(f: TrainFlags): void {
  const epochs = num("--epochs", f.epochs, { integer: true, min: 1 })!;
  const batchSize = num("--batch-size", f.batchSize, { integer: true, min: 1 })!;
  const lr = num("--lr", f.lr, { positive: true })!;
  const momentum = num("--momentum", f.momentum, { min: 0 })!;
  const weightDecay = num("--weight-decay", f.weightDecay, { min: 0 })!;
  const seed = num("--seed", f.seed, { integer: true })!;
  const optName = choice("--optimizer", f.optimizer, ["sgd", "adam", "adamw"] as const);
  const scheduleName = choice("--schedule", f.schedule, ["none", "step", "exponential", "cosine", "plateau"] as const);
  const progressMode = choice("--progress", f.progress, ["auto", "bar", "lines", "none"] as const);
  const log = (s: string) => process.stderr.write(s + "\n");

  const resumed = f.resume ? loadCheckpoint(f.resume) : null;
  if (resumed && !resumed.architecture) throw new UsageError(`--resume: ${f.resume} holds no architecture; it was not written by chainrule train`);
  const spec: ModelSpec = resumed?.architecture ?? modelSpecFrom(f.model);
  const data = loadData(f.data, f.label);
  const shape = inputShapeFor(spec, data.train.sampleShape);
  const model = buildFrom(spec, new Generator(seed));
  const outFeatures = model.call(tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), { shape: [1, ...shape] })).shape.at(-1)!;
  if (outFeatures < data.train.classes)
    throw new UsageError(`--model: the model has ${outFeatures} outputs but the data has ${data.train.classes} classes`);
  const optimizer = makeOptimizer(optName, model, lr, momentum, weightDecay);
  const scheduleOptions = { stepSize: Math.max(1, Math.floor(epochs / 3)), gamma: scheduleName === "exponential" ? 0.9 : 0.1, tMax: epochs, patience: 2 };
  const schedule = scheduleName === "none" ? undefined : makeSchedule(scheduleName, optimizer, scheduleOptions);
  let history: EpochLog[] = [];
  if (resumed) {
    model.loadStateDict(resumed.state);
    history = (resumed.training?.history as EpochLog[]) ?? [];
    // NOTE: schedules are functions of the epoch (and, for plateau, of the recorded losses): replaying them restores their state.
    for (const h of history) schedule?.step(h.valLoss ?? h.loss);
    if (resumed.optimizer) optimizer.loadStateDict(resumed.optimizer);
  }
  const out = f.out ?? join("runs", timestamp());
  mkdirSync(out, { recursive: true });
  const ckpt = join(out, "checkpoint.safetensors");
  const train = dataset(data.train, shape), test = dataset(data.test, shape);
  log(`chainrule train: ${data.name} (${data.train.n} train, ${data.test.n} test), model ${f.resume ? `from ${f.resume}` : f.model}, ${optName} lr ${lr}, batch ${batchSize}, ${epochs} epochs, seed ${seed} → ${out}`);
  const writeRun = (h: EpochLog[], extra: Record<string, unknown> = {}) => {
    const last = h.at(-1);
    const metrics = {
      data: data.name, model: spec, optimizer: optName, lr, batchSize, weightDecay, momentum, seed, epochs,
      history: h, samplesPerSecond: last?.samplesPerSecond, testAccuracy: last?.valAccuracy, testLoss: last?.valLoss, ...extra,
    };
    saveCheckpoint(ckpt, model, { architecture: spec, optimizer, training: { epoch: h.length - 1, history: h, seed, data: data.name } });
    writeFileAtomic(join(out, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
    writeFileAtomic(join(out, "curves.svg"), curvesSvg(h, { title: `chainrule train: ${data.name}` }));
    return metrics;
  };
  const reporter = progressMode === "none" ? {} : progressMode === "lines" || (progressMode === "auto" && !process.stderr.isTTY) ? lineReporter(log) : progressBar();
  const t0 = performance.now();
  history = fit(model, train, {
    epochs, optimizer, batchSize, seed, schedule, metrics: ["accuracy"], validation: test, progress: reporter,
    startEpoch: history.length, history,
    callbacks: { onEpochEnd: (_, h) => void writeRun(h) },
  });
  const final = evaluate(model, test, { batchSize: 512 });
  const seconds = (performance.now() - t0) / 1000;
  const metrics = writeRun(history, { testAccuracy: final.accuracy, testLoss: final.loss, trainSeconds: seconds });
  log(`test accuracy ${(final.accuracy * 100).toFixed(2)}% (${final.n} samples), test loss ${final.loss.toFixed(4)}, ${seconds.toFixed(1)}s`);
  log(`wrote ${ckpt}, ${join(out, "metrics.json")}, ${join(out, "curves.svg")}`);
  if (f.json) process.stdout.write(JSON.stringify({ out, checkpoint: ckpt, ...metrics }) + "\n");
}
