import { join } from "node:path";
import type { Command } from "commander";
import { CharVocab, nextTokenWindows, sequenceWindows, splitWords } from "../data/text.js";
import { Bigram, CharMLP, GPT } from "../nn/layers/language.js";
import type { Module } from "../nn/module.js";
import type { Checkpoint } from "../io/checkpoint.js";
import { loadCheckpoint, saveCheckpoint } from "../node/checkpoint-file.js";
import { writeFileAtomic } from "../node/fs.js";
import { loadNames, loadTextWords } from "../node/names.js";
import { Adam, AdamW } from "../optim/adam.js";
import { SGD } from "../optim/sgd.js";
import { Generator } from "../tensor/random.js";
import { type LanguageEpoch, fitLanguageModel, sampleWords } from "../train/lm.js";
import { choice, io, num, prepareRunDir, resumedCheckpoint, timestamp } from "./shared.js";
import { UsageError } from "./usage.js";

/** The language-model recipes: the course's bigram, makemore's MLP over embeddings (with BatchNorm or not), a small GPT. */
export const LM_RECIPES = {
  bigram: { block: 1, epochs: 5, batchSize: 64, optimizer: "adamw", lr: 0.05, weightDecay: 0 },
  mlp: { block: 3, epochs: 10, batchSize: 64, optimizer: "adamw", lr: 3e-3, weightDecay: 1e-4 },
  "mlp-bn": { block: 3, epochs: 10, batchSize: 64, optimizer: "adamw", lr: 3e-3, weightDecay: 1e-4 },
  gpt: { block: 16, epochs: 4, batchSize: 32, optimizer: "adamw", lr: 3e-3, weightDecay: 1e-2 },
} as const;
export type LmRecipe = keyof typeof LM_RECIPES;

interface LmSettings {
  data: string;
  model: LmRecipe;
  block: number;
  epochs: number;
  batchSize: number;
  optimizer: "sgd" | "adam" | "adamw";
  lr: number;
  weightDecay: number;
  seed: number;
  valSplit: number;
}

/** Whether a `--data` source is text for a language model (`names`, `text:<file>`). */
export const isTextData = (data: string): boolean => data === "names" || data.startsWith("text:");

const LM_FLAGS = [["data", "--data"], ["model", "--model"], ["optimizer", "--optimizer"], ["lr", "--lr"], ["weightDecay", "--weight-decay"],
  ["batchSize", "--batch-size"], ["seed", "--seed"], ["valSplit", "--val-split"]] as const;

/** The run a language-model checkpoint holds (settings, history, vocabulary, shuffling state), checked field by field. */
function savedLmRun(path: string, ck: Checkpoint) {
  const t = ck.training as { kind?: string; settings?: LmSettings; history?: LanguageEpoch[]; vocab?: string[]; rng?: number[] } | undefined;
  if (t?.kind !== "language-model") throw new UsageError(`--resume: ${path} is not a language model written by chainrule train --data names|text:<file>: start a new run`);
  const fail = (what: string): never => {
    throw new UsageError(`--resume: ${path} holds damaged or older run settings (${what}); it was not written by this chainrule train as it is: start a new run`);
  };
  const s = (t.settings ?? fail("no settings")) as unknown as Record<string, unknown>;
  const int = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  const ok: Record<string, (v: any) => boolean> = {
    data: (v) => typeof v === "string" && isTextData(v), model: (v) => Object.hasOwn(LM_RECIPES, v), block: (v) => int(v, 1), epochs: (v) => int(v, 1),
    batchSize: (v) => int(v, 1), optimizer: (v) => ["sgd", "adam", "adamw"].includes(v), lr: (v) => v > 0 && v < Infinity, weightDecay: (v) => v >= 0 && v < Infinity,
    seed: (v) => int(v, -Infinity), valSplit: (v) => v > 0 && v < 1,
  };
  for (const [k, check] of Object.entries(ok)) if (!check(s[k])) fail(`${k} ${JSON.stringify(s[k]) ?? "missing"}`);
  const h = t.history;
  if (!Array.isArray(h) || !h.every((e, i) => e?.epoch === i && typeof e.loss === "number")) fail("a history that is not the list of epochs 0, 1, ... with their losses");
  if (!Array.isArray(t.vocab) || !t.vocab.every((c) => typeof c === "string")) fail("no character vocabulary");
  if (!Array.isArray(t.rng) || t.rng.length !== 4 || !ck.optimizer) fail("no shuffling or optimizer state");
  return { settings: t.settings!, history: h!, vocab: t.vocab!, rng: t.rng! };
}

function buildLm(model: LmRecipe, vocab: number, block: number, generator: Generator): Module {
  if (model === "bigram") return new Bigram(vocab, { generator });
  if (model === "gpt") return new GPT(vocab, { block, generator });
  return new CharMLP(vocab, { block, batchNorm: model === "mlp-bn", generator });
}

/** `chainrule train --data names|text:<file> --model bigram|mlp|mlp-bn|gpt`: trains a character-level model and samples from it. */
export async function trainLanguage(
  f: { model: string; epochs: string; batchSize: string; lr: string; optimizer: string; weightDecay: string; seed: string; data: string; valSplit: string; out?: string; json?: boolean; progress: string; resume?: string },
  given: (k: string) => boolean,
  ck: Checkpoint | null = resumedCheckpoint(f.resume),
): Promise<void> {
  const log = (s: string) => io.err(s + "\n");
  const run = ck ? savedLmRun(f.resume!, ck) : null;
  if (given("momentum")) throw new UsageError("--momentum: the language-model recipes train with --optimizer adamw (or sgd without momentum)");
  const model = choice("--model", given("model") ? f.model : run?.settings.model ?? "gpt", Object.keys(LM_RECIPES) as LmRecipe[]);
  const r = LM_RECIPES[model];
  const flags: LmSettings = {
    data: f.data, model, block: r.block,
    epochs: given("epochs") ? num("--epochs", f.epochs, { integer: true, min: 1 })! : r.epochs,
    batchSize: given("batchSize") ? num("--batch-size", f.batchSize, { integer: true, min: 1 })! : r.batchSize,
    optimizer: given("optimizer") ? choice("--optimizer", f.optimizer, ["sgd", "adam", "adamw"] as const) : r.optimizer,
    lr: given("lr") ? num("--lr", f.lr, { positive: true })! : r.lr,
    weightDecay: given("weightDecay") ? num("--weight-decay", f.weightDecay, { min: 0 })! : r.weightDecay,
    seed: num("--seed", f.seed, { integer: true })!,
    valSplit: given("valSplit") ? num("--val-split", f.valSplit, { positive: true, below: 1 })! : 0.1,
  };
  if (run) {
    for (const [key, flag] of LM_FLAGS)
      if (given(key) && flags[key] !== run.settings[key])
        throw new UsageError(`--resume: ${flag} ${JSON.stringify(flags[key])} conflicts with the run in ${f.resume}, which has ${key} ${JSON.stringify(run.settings[key])}; a resumed run keeps its settings (drop ${flag}, or start a new run)`);
    flags.epochs = given("epochs") ? flags.epochs : run.settings.epochs;
    if (flags.epochs <= run.history.length) {
      log(`chainrule train: nothing to do: ${f.resume} has trained ${run.history.length} of ${flags.epochs} epochs; pass --epochs N with N > ${run.history.length} to train further`);
      return;
    }
  }
  const s: LmSettings = run ? { ...run.settings, epochs: flags.epochs } : flags;
  const words = s.data === "names" ? loadNames() : loadTextWords(s.data.slice(5));
  const vocab = run ? new CharVocab(run.vocab) : CharVocab.fromWords(words);
  const g = new Generator(s.seed);
  const { train: trainWords, val: valWords } = splitWords(words, s.valSplit, g);
  const windows = model === "gpt" ? sequenceWindows : nextTokenWindows;
  const train = windows(trainWords, vocab, s.block), val = windows(valWords, vocab, s.block);
  const net = buildLm(model, vocab.size, s.block, g);
  const params = net.parameters();
  const opt = s.optimizer === "sgd" ? new SGD(params, { lr: s.lr, weightDecay: s.weightDecay })
    : s.optimizer === "adam" ? new Adam(params, { lr: s.lr, weightDecay: s.weightDecay }) : new AdamW(params, { lr: s.lr, weightDecay: s.weightDecay });
  if (run) {
    net.loadStateDict(ck!.state);
    opt.loadStateDict(ck!.optimizer!);
    g.setState(run.rng);
  }
  const out = f.out ?? join("runs", timestamp());
  prepareRunDir(out, f.resume, ["checkpoint.safetensors", "metrics.json"]);
  const ckpt = join(out, "checkpoint.safetensors");
  log(`chainrule train: ${s.data} (${trainWords.length} train words, ${valWords.length} validation, ${vocab.size} characters), model ${model} ` +
    `(${net.numParameters().toLocaleString("en-US")} parameters, context ${s.block}), ${s.optimizer} lr ${s.lr}, batch ${s.batchSize}, ${run ? `epochs ${run.history.length + 1}..${s.epochs} (resuming ${f.resume})` : `${s.epochs} epochs`}, seed ${s.seed} → ${out}`);
  const quiet = f.progress === "none";
  const save = (h: LanguageEpoch[]) => {
    saveCheckpoint(ckpt, net, { input: { shape: [s.block], labelNames: [...vocab.chars] }, optimizer: opt, training: { kind: "language-model", settings: s, history: h, vocab: vocab.chars, rng: g.getState() } });
    writeFileAtomic(join(out, "metrics.json"), JSON.stringify({ ...s, history: h }, null, 2) + "\n");
  };
  const steps = fitLanguageModel(net, train, {
    optimizer: opt, epochs: s.epochs, batchSize: s.batchSize, val, generator: g, startEpoch: run?.history.length ?? 0, history: run?.history ?? [],
    onEpochEnd: (e, h) => {
      if (!quiet) log(`epoch ${e.epoch + 1}/${s.epochs}  loss ${e.loss.toFixed(4)}  val_loss ${e.valLoss?.toFixed(4) ?? "-"}  ${Math.round(e.tokensPerSecond).toLocaleString("en-US")} tokens/s  ${e.seconds.toFixed(1)}s`);
      save(h);
    },
  });
  let history: LanguageEpoch[];
  for (let last = performance.now(); ;) {
    const step = steps.next();
    if (step.done) { history = step.value; break; }
    if (performance.now() - last > 50) { await new Promise((res) => setImmediate(res)); last = performance.now(); }
  }
  const names = sampleWords(net, vocab, { n: 10, block: s.block, temperature: 0.8, generator: new Generator(s.seed + 1), positional: model === "gpt" });
  const fin = history.at(-1)!;
  const result = `${fin.valLoss === undefined ? "no validation words" : `validation loss ${fin.valLoss.toFixed(4)} nats/character`} (train ${fin.loss.toFixed(4)}); samples: ${names.join(", ")}`;
  if (f.json) io.out(JSON.stringify({ out, checkpoint: ckpt, ...s, history, samples: names }) + "\n");
  else io.out(`${result}\nwrote ${ckpt}, ${join(out, "metrics.json")}\n`);
}

export function registerSample(program: Command): void {
  program
    .command("sample <checkpoint>")
    .description("generate words from a language model trained with chainrule train --data names|text:<file>")
    .option("--n <n>", "how many words", "10")
    .option("--temperature <x>", "softmax temperature (lower: likelier words)", "1")
    .option("--top-k <k>", "sample only among the k likeliest characters")
    .option("--seed <n>", "seed of the sampling", "0")
    .action((path: string, f: { n: string; temperature: string; topK?: string; seed: string }) => {
      const ck = loadCheckpoint(path);
      const t = ck.training as { kind?: string; settings?: LmSettings; vocab?: string[] } | undefined;
      if (t?.kind !== "language-model" || !t.settings || !t.vocab) throw new UsageError(`<checkpoint>: ${path} is not a language model written by chainrule train --data names|text:<file>`);
      const vocab = new CharVocab(t.vocab);
      const net = buildLm(t.settings.model, vocab.size, t.settings.block, new Generator(0));
      net.loadStateDict(ck.state);
      const words = sampleWords(net, vocab, {
        n: num("--n", f.n, { integer: true, min: 1 })!, block: t.settings.block, temperature: num("--temperature", f.temperature, { positive: true })!,
        topK: num("--top-k", f.topK, { integer: true, min: 1 }), generator: new Generator(num("--seed", f.seed, { integer: true })!), positional: t.settings.model === "gpt",
      });
      io.out(words.join("\n") + "\n");
    });
}
