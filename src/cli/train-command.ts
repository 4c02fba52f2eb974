import { join } from "node:path";
import type { Command } from "commander";
import { fromRaw } from "../data/dataset.js";
import { ChainruleError } from "../errors.js";
import type { Checkpoint } from "../io/checkpoint.js";
import type { ModelSpec } from "../nn/build.js";
import type { Module } from "../nn/module.js";
import { saveCheckpoint } from "../node/checkpoint-file.js";
import { writeFileAtomic } from "../node/fs.js";
import { progressBar } from "../node/progress.js";
import { Adam, AdamW } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { makeSchedule } from "../optim/schedule.js";
import { SGD } from "../optim/sgd.js";
import { tensor } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import { curvesSvg } from "../train/curves.js";
import { DivergenceError, type EpochLog, evaluate, fitSteps, lineReporter } from "../train/fit.js";
import { buildFrom, choice, io, timestamp, inputShapeFor, labelsFound, loadData, modelSpecFrom, num, prepareRunDir, resumedCheckpoint, shellWord } from "./shared.js";
import { UsageError } from "./usage.js";
import { isTextData, trainLanguage } from "./lm-command.js";

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
  header: boolean;
  valSplit: string;
  out?: string;
  json?: boolean;
  resume?: string;
  progress: string;
}

const OPTIMIZERS = ["sgd", "adam", "adamw"] as const;
/** The files of a run directory, which `writeFileAtomic` writes through temporaries. */
const RUN_FILES = ["checkpoint.safetensors", "metrics.json", "curves.svg"];
const SCHEDULES = ["none", "step", "exponential", "cosine", "plateau"] as const;

/** Everything that defines a run; the checkpoint keeps it (`training.settings`) and `--resume` uses it. */
export interface RunSettings {
  data: string;
  label?: string;
  header: boolean;
  /** The model as given (a spec or a file name), for messages; `model` is what counts. */
  modelName: string;
  model: ModelSpec;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: (typeof SCHEDULES)[number];
  /** Resolved when the run starts (from its epochs), so that a resumed run with more epochs keeps its schedule. */
  scheduleOptions: { stepSize: number; gamma: number; tMax: number; patience: number };
  batchSize: number;
  seed: number;
  valSplit: number;
  epochs: number;
}

/** The settings a flag sets, by commander's option name, and how a value reads in messages. */
const FLAG_OF: Partial<Record<keyof RunSettings, [string, keyof TrainFlags]>> = {
  data: ["--data", "data"], label: ["--label", "label"], header: ["--no-header", "header"], model: ["--model", "model"],
  optimizer: ["--optimizer", "optimizer"], lr: ["--lr", "lr"], momentum: ["--momentum", "momentum"], weightDecay: ["--weight-decay", "weightDecay"],
  schedule: ["--schedule", "schedule"], batchSize: ["--batch-size", "batchSize"], seed: ["--seed", "seed"], valSplit: ["--val-split", "valSplit"],
};

function settingsFromFlags(f: TrainFlags): RunSettings {
  const epochs = num("--epochs", f.epochs, { integer: true, min: 1 })!;
  const schedule = choice("--schedule", f.schedule, SCHEDULES);
  return {
    data: f.data, label: f.label, header: f.header, modelName: f.model, model: modelSpecFrom(f.model),
    optimizer: choice("--optimizer", f.optimizer, OPTIMIZERS),
    lr: num("--lr", f.lr, { positive: true })!,
    momentum: num("--momentum", f.momentum, { min: 0, below: 1 })!,
    weightDecay: num("--weight-decay", f.weightDecay, { min: 0 })!,
    schedule,
    scheduleOptions: { stepSize: Math.max(1, Math.floor(epochs / 3)), gamma: schedule === "exponential" ? 0.9 : 0.1, tMax: epochs, patience: 2 },
    batchSize: num("--batch-size", f.batchSize, { integer: true, min: 1 })!,
    seed: num("--seed", f.seed, { integer: true })!,
    valSplit: num("--val-split", f.valSplit, { min: 0, below: 1 })!,
    epochs,
  };
}

/** The run of a checkpoint, with `--epochs` applied; any other flag given must agree with it. */
function settingsForResume(path: string, ckpt: Checkpoint, flags: RunSettings, given: (k: keyof TrainFlags) => boolean): RunSettings {
  const saved = ckpt.training?.settings as RunSettings | undefined;
  if (!saved || !ckpt.architecture) throw new UsageError(`--resume: ${path} holds no run settings (it was written by an older chainrule train, or not by chainrule train): start a new run`);
  checkSaved(path, saved, ckpt.training?.history);
  const show = (k: keyof RunSettings, s: RunSettings) => (k === "model" ? s.modelName : s[k] === undefined ? "none" : JSON.stringify(s[k]));
  for (const [key, [flag, name]] of Object.entries(FLAG_OF) as [keyof RunSettings, [string, keyof TrainFlags]][]) {
    if (!given(name) || JSON.stringify(flags[key]) === JSON.stringify(saved[key])) continue;
    throw new UsageError(`--resume: ${flag} ${show(key, flags)} conflicts with the run in ${path}, which has ${key} ${show(key, saved)}; a resumed run keeps its settings (drop ${flag}, or start a new run)`);
  }
  return { ...saved, epochs: given("epochs") ? flags.epochs : saved.epochs };
}

/** The run settings and history of a checkpoint, checked field by field: a damaged or hand-made file is a UsageError naming the field, not a crash. */
function checkSaved(path: string, saved: RunSettings, history: unknown): void {
  const fail = (what: string): never => {
    throw new UsageError(`--resume: ${path} holds damaged run settings (${what}); it was not written by chainrule train as it is: start a new run`);
  };
  if (typeof saved !== "object" || Array.isArray(saved)) fail(`settings ${JSON.stringify(saved)}`);
  const s = saved as unknown as Record<string, unknown>;
  const field = (k: string, ok: (v: any) => boolean) => void (ok(s[k]) || fail(`${k} ${JSON.stringify(s[k]) ?? "missing"}`));
  const number = (min: number, below = Infinity, integer = false) => (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= min && v < below && (!integer || Number.isInteger(v));
  field("data", (v) => typeof v === "string");
  field("label", (v) => v === undefined || typeof v === "string");
  field("header", (v) => typeof v === "boolean");
  field("modelName", (v) => typeof v === "string");
  field("model", (v) => typeof v === "object" && v !== null && Array.isArray(v.layers));
  field("optimizer", (v) => OPTIMIZERS.includes(v));
  field("schedule", (v) => SCHEDULES.includes(v));
  field("scheduleOptions", (v) => typeof v === "object" && v !== null && ["stepSize", "gamma", "tMax", "patience"].every((k) => number(0)(v[k])));
  field("lr", number(Number.MIN_VALUE));
  field("momentum", number(0, 1));
  field("weightDecay", number(0));
  field("batchSize", number(1, Infinity, true));
  field("seed", number(-Infinity, Infinity, true));
  field("valSplit", number(0, 1));
  field("epochs", number(1, Infinity, true));
  const epochs = history === undefined ? [] : history;
  if (!Array.isArray(epochs) || !epochs.every((h, i) => typeof h === "object" && h !== null && h.epoch === i && typeof h.loss === "number"))
    fail(`a history that is not the list of epochs 0, 1, ... with their losses`);
}

function makeOptimizer(s: RunSettings, model: Module): Optimizer {
  if (s.optimizer === "sgd") return new SGD(model.parameters(), { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay });
  if (s.optimizer === "adam") return new Adam(model.parameters(), { lr: s.lr, weightDecay: s.weightDecay });
  return new AdamW(model.parameters(), { lr: s.lr, weightDecay: s.weightDecay });
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train a classifier (default: a 784-1024-512-10 ReLU MLP on the digits, SGD momentum 0.9, lr 0.1, weight decay 1e-4, batch 64, 10 epochs, seed 0)")
    .option("--model <spec>", 'an MLP spec "784-256-10" or a JSON model file', "784-1024-512-10")
    .option("--epochs <n>", "epochs (with --resume: the total to reach; default the run's)", "10")
    .option("--batch-size <n>", "minibatch size", "64")
    .option("--lr <x>", "learning rate", "0.1")
    .option("--optimizer <name>", "sgd | adam | adamw", "sgd")
    .option("--momentum <x>", "SGD momentum, in [0, 1)", "0.9")
    .option("--weight-decay <x>", "weight decay", "1e-4")
    .option("--schedule <name>", "none | step | exponential | cosine | plateau", "none")
    .option("--seed <n>", "seed of initialisation and shuffling", "0")
    .option("--data <source>", "digits | idx:<dir> | csv:<file> | names | text:<file> (a language model: --model bigram | mlp | mlp-bn | gpt)", "digits")
    .option("--label <column>", "the label column of a CSV file (default: the column named label, else the last)")
    .option("--no-header", "the CSV file has no header row: its first row is data and its columns are named 0, 1, ...")
    .option("--val-split <x>", "hold out this fraction of the training data, drawn at random from the seed, for validation", "0")
    .option("--out <dir>", "where to write the checkpoint, metrics.json and curves.svg (default runs/<timestamp>)")
    .option("--json", "print the result as JSON on stdout")
    .option("--resume <checkpoint>", "continue the run of a checkpoint with its settings (data, model, optimizer, schedule, ...)")
    .option("--progress <mode>", "auto | bar | lines | none", "auto")
    .action((flags: TrainFlags, cmd: Command) => train(flags, (k) => cmd.getOptionValueSource(k) === "cli"));
}

async function train(f: TrainFlags, given: (k: keyof TrainFlags) => boolean): Promise<void> {
  const resumed = resumedCheckpoint(f.resume);
  // A language model's checkpoint carries its data: `--resume` alone continues it.
  const lmResume = !given("data") && (resumed?.training as { kind?: string } | undefined)?.kind === "language-model";
  if (isTextData(f.data) || lmResume) return trainLanguage(f, given as (k: string) => boolean, resumed);
  const progressMode = choice("--progress", f.progress, ["auto", "bar", "lines", "none"] as const);
  const log = (s: string) => io.err(s + "\n");
  const result = (s: string) => (f.json ? log(s) : io.out(s + "\n"));

  const flags = settingsFromFlags(f);
  let s = resumed ? settingsForResume(f.resume!, resumed, flags, given) : flags;
  if (!resumed && s.momentum > 0 && s.optimizer !== "sgd" && given("momentum")) throw new UsageError(`--momentum: only --optimizer sgd has momentum (--optimizer is ${s.optimizer})`);
  let history: EpochLog[] = (resumed?.training?.history as EpochLog[] | undefined) ?? [];
  // NOTE: a run killed after its last checkpoint, before its final evaluation, has no test results in it: --resume finishes it.
  const finishing = resumed !== null && s.epochs <= history.length && resumed.training?.test === undefined;
  if (finishing) s = { ...s, epochs: history.length };
  else if (resumed && s.epochs <= history.length) {
    log(`chainrule train: nothing to do: ${f.resume} has trained ${history.length} of ${s.epochs} epochs; pass --epochs N with N > ${history.length} to train further`);
    return;
  }
  const data = loadData(s, resumed?.input?.labelNames);
  const shape = inputShapeFor(s.model, data.train.sampleShape);
  const model = buildFrom(s.model, new Generator(s.seed));
  let outputs: number;
  try {
    outputs = model.call(tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), { shape: [1, ...shape] })).shape.at(-1)!;
  } catch (e) {
    throw new UsageError(`--model: ${s.modelName} does not take the samples of ${data.name}, of shape [${shape.join(", ")}] (${(e as Error).message})`);
  }
  if (outputs < data.classes) {
    const names = data.labelNames ? `${data.classes} label names` : `labels ${labelsFound(data.train, data.test)}`;
    throw new UsageError(`--model: the model has ${outputs} outputs, but the data has ${names}; labels are class numbers 0..C-1 (as PyTorch's cross-entropy takes them), so they need ${data.classes} outputs${data.labelNames ? "" : ` (renumber them from 0 if they start at 1)`}`);
  }
  const optimizer = makeOptimizer(s, model);
  const schedule = s.schedule === "none" ? undefined : makeSchedule(s.schedule, optimizer, s.scheduleOptions);
  if (resumed) {
    model.loadStateDict(resumed.state);
    // NOTE: schedules are functions of the epoch (and, for plateau, of the recorded losses): replaying them restores their state.
    for (const h of history) schedule?.step(h.valLoss ?? h.loss);
    if (resumed.optimizer) optimizer.loadStateDict(resumed.optimizer);
  }
  const input = { shape, labelNames: data.labelNames, featureNames: data.featureNames };
  const train = fromRaw({ ...data.train, sampleShape: shape }), test = fromRaw({ ...data.test, sampleShape: shape });
  const out = f.out ?? join("runs", timestamp());
  prepareRunDir(out, f.resume, RUN_FILES);
  const ckpt = join(out, "checkpoint.safetensors");
  let interrupted = false;
  const onSigint = () => void (interrupted = true);
  // NOTE: registered before the first line that tells the user training starts, so a Ctrl-C after it is never the default kill.
  const offSigint = io.onInterrupt(onSigint);
  const pct = `${+(s.valSplit * 100).toPrecision(6)}%`;
  const valNote = s.valSplit > 0 ? `, validating on ${pct} of train drawn at random` : "";
  log(`chainrule train: ${data.name} (${data.train.n} train, ${data.test.n} test${valNote}), model ${s.modelName}, ${s.optimizer} lr ${optimizer.lr}` +
    `${s.optimizer === "sgd" ? ` momentum ${s.momentum}` : ""}, batch ${s.batchSize}, ${finishing ? `epochs ${s.epochs} of ${s.epochs} done (finishing ${f.resume}: the final evaluation)` : resumed ? `epochs ${history.length + 1}..${s.epochs} (resuming ${f.resume})` : `${s.epochs} epoch${s.epochs === 1 ? "" : "s"}`}, seed ${s.seed} → ${out}`);
  let saved: { path: string; epochs: number } | null = resumed ? { path: f.resume!, epochs: history.length } : null;
  const writeRun = (h: EpochLog[], extra: Record<string, unknown> = {}) => {
    const metrics = { ...s, history: h, samplesPerSecond: h.at(-1)?.samplesPerSecond, ...extra };
    const test = extra.testLoss === undefined ? undefined : { accuracy: extra.testAccuracy, loss: extra.testLoss };
    const files = () => {
      writeFileAtomic(join(out, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
      writeFileAtomic(join(out, "curves.svg"), curvesSvg(h, { title: `chainrule train: ${data.name}` }));
    };
    try {
      // NOTE: the final write puts the test results in the checkpoint last: one without them is a run that --resume finishes
      if (test) files();
      saveCheckpoint(ckpt, model, { architecture: s.model, input, optimizer, training: { epoch: h.length - 1, history: h, settings: s, ...(test && { test }) } });
      saved = { path: ckpt, epochs: h.length };
      if (!test) files();
    } catch (e) {
      // NOTE: a failed write (a full disk) leaves every file as it was (writeFileAtomic); say where the last good checkpoint is
      if (e instanceof ChainruleError) throw new ChainruleError(`${e.message}; ${where()}`);
      throw e;
    }
    return metrics;
  };
  const reporter = progressMode === "none" ? {} : progressMode === "lines" || (progressMode === "auto" && !io.errTTY()) ? lineReporter(log) : progressBar();
  const where = () => (saved ? `the last checkpoint is ${saved.path} (${saved.epochs} of ${s.epochs} epochs)` : "no checkpoint was written");
  const t0 = performance.now();
  const steps = fitSteps(model, train, {
    epochs: s.epochs, optimizer, batchSize: s.batchSize, seed: s.seed, schedule, metrics: ["accuracy"], progress: reporter,
    validationSplit: s.valSplit > 0 ? s.valSplit : undefined, startEpoch: history.length, history,
    callbacks: { onEpochEnd: (_, h) => void writeRun(h) },
  });
  try {
    // NOTE: fit runs synchronously; handing the event loop a turn every 50 ms lets the SIGINT handler run mid-epoch.
    for (let last = performance.now(); ; ) {
      const r = steps.next();
      if (r.done) {
        history = r.value;
        break;
      }
      if (performance.now() - last > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        last = performance.now();
      }
      if (interrupted) {
        steps.return([]);
        const resume = saved ? `; resume with: chainrule train --resume ${shellWord(saved.path)} --out ${shellWord(out)}` : "";
        log(`chainrule train: interrupted in epoch ${r.value.epoch + 1}/${s.epochs}; ${where()}${resume}`);
        io.setExitCode(130);
        return;
      }
    }
  } catch (e) {
    if (e instanceof DivergenceError) throw new DivergenceError(`${e.message}; ${where()}`);
    throw e;
  } finally {
    offSigint();
  }
  const final = evaluate(model, test, { batchSize: 512 });
  const seconds = (performance.now() - t0) / 1000;
  const metrics = writeRun(history, { testAccuracy: final.accuracy, testLoss: final.loss, trainSeconds: seconds });
  result(`test accuracy ${(final.accuracy * 100).toFixed(2)}% (${final.n} samples), test loss ${final.loss.toFixed(4)}, ${seconds.toFixed(1)}s`);
  result(`wrote ${ckpt}, ${join(out, "metrics.json")}, ${join(out, "curves.svg")}`);
  if (f.json) io.out(JSON.stringify({ out, checkpoint: ckpt, ...metrics }) + "\n");
}
