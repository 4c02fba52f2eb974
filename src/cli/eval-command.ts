import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { csvFirstRow, parseCsv } from "../data/csv.js";
import type { Checkpoint } from "../io/checkpoint.js";
import type { Sequential } from "../nn/layers/container.js";
import { loadCheckpoint } from "../node/checkpoint-file.js";
import { tensor } from "../tensor/create.js";
import { evaluate, predict } from "../train/fit.js";
import { prepareInputs } from "../train/inputs.js";
import { type DataSource, buildFrom, io, inputShapeFor, loadData } from "./shared.js";
import type { RunSettings } from "./train-command.js";
import { UsageError } from "./usage.js";

interface Restored {
  model: Sequential;
  ckpt: Checkpoint;
  /** The run that wrote the checkpoint, when chainrule train did. */
  settings?: RunSettings;
  /** The checkpoint with its input shape: recorded, or (older checkpoints) inferred from the architecture. */
  withShape: (features: number) => Checkpoint;
}

function restore(path: string): Restored {
  const ckpt = loadCheckpoint(path);
  if (!ckpt.architecture) throw new UsageError(`${path}: the checkpoint holds no architecture (it was not written by chainrule train)`);
  const model = buildFrom(ckpt.architecture, undefined, path);
  model.loadStateDict(ckpt.state);
  const spec = ckpt.architecture;
  const withShape = (features: number) => (ckpt.input ? ckpt : { ...ckpt, input: { shape: inputShapeFor(spec, [features]) } });
  return { model, ckpt, settings: ckpt.training?.settings as RunSettings | undefined, withShape };
}

function fits<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError(`${what} (${(e as Error).message})`);
  }
}

export function registerEval(program: Command): void {
  program
    .command("eval <checkpoint>")
    .description("loss and accuracy of a trained model on the test split of its training data (or of --data)")
    .option("--data <source>", "digits | idx:<dir> | csv:<file> (default: the data the model was trained on)")
    .option("--label <column>", "the label column of a CSV file (default: the training run's)")
    .option("--no-header", "the CSV file has no header row")
    .option("--json", "print the result as JSON")
    .action((path: string, f: { data?: string; label?: string; header: boolean; json?: boolean }, cmd: Command) => {
      const { model, ckpt, settings, withShape } = restore(path);
      const given = (k: string) => cmd.getOptionValueSource(k) === "cli";
      const src: DataSource = f.data !== undefined
        ? { data: f.data, label: f.label, header: f.header }
        : { data: settings?.data ?? "digits", label: given("label") ? f.label : settings?.label, header: given("header") ? f.header : settings?.header ?? true };
      const data = loadData(src, ckpt.input?.labelNames);
      const features = data.test.sampleShape.reduce((a, b) => a * b, 1);
      const test = fits(`${data.name}: its samples do not fit the model of ${path}`, () => prepareInputs(withShape(features), data.test));
      const r = fits(`${data.name}: the model of ${path} cannot be evaluated on it`, () => evaluate(model, test, { batchSize: 512 }));
      if (f.json) io.out(JSON.stringify({ checkpoint: path, data: data.name, ...r }) + "\n");
      else io.out(`${data.name} test: accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.n} samples), loss ${r.loss.toFixed(4)}\n`);
    });
}

/** The samples of a CSV file for a model of `features` inputs: a label column still there is dropped. */
function readCsvInputs(file: string, text: string, features: number | undefined, settings?: RunSettings): { x: Float32Array; n: number; features: number } {
  const header = settings?.header === false ? false : undefined;
  const cols = csvFirstRow(text).length;
  if (features !== undefined && cols !== features && cols !== features + 1)
    throw new UsageError(`${file}: the model takes ${features} features, but the file has ${cols} columns`);
  // NOTE: one column more than the model takes is the label column of training (by name, or the default: "label", else the last).
  const raw = parseCsv(text, { source: file, label: features !== undefined && cols === features + 1 ? settings?.label : null, header });
  return { x: raw.x, n: raw.n, features: raw.sampleShape[0] };
}

function readJsonInputs(file: string, text: string): { x: Float32Array; n: number; features: number } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const rows = Array.isArray(v) && v.every((x) => typeof x === "number") ? [v as number[]] : v;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.flat(3).every((x: unknown) => typeof x === "number" && Number.isFinite(x))))
    throw new UsageError(`${file}: expected an array of finite numbers (one sample) or an array of such arrays`);
  const flat = rows.map((r) => (r as unknown[]).flat(3) as number[]);
  const features = flat[0]?.length ?? 0;
  if (flat.some((r) => r.length !== features)) throw new UsageError(`${file}: every sample needs ${features} values`);
  return { x: Float32Array.from(flat.flat()), n: flat.length, features };
}

export function registerPredict(program: Command): void {
  program
    .command("predict <checkpoint> <input>")
    .description("class predictions (with the label names of training) for the samples in a JSON (array of arrays) or CSV file")
    .option("--json", "print the predictions as JSON")
    .action((path: string, input: string, f: { json?: boolean }) => {
      const { model, ckpt, settings, withShape } = restore(path);
      let text: string;
      try {
        text = readFileSync(input, "utf8");
      } catch {
        throw new UsageError(`input file not found: ${input}`);
      }
      const features = ckpt.input?.shape.reduce((a, b) => a * b, 1);
      const s = input.endsWith(".csv") ? readCsvInputs(input, text, features, settings) : readJsonInputs(input, text);
      if (s.n === 0) throw new UsageError(`${input}: no samples`);
      const x = fits(`${input}: samples of ${s.features} values do not fit the model`, () => prepareInputs(withShape(s.features), tensor(s.x, { shape: [s.n, s.features] })));
      const probs = fits(`${input}: samples of ${s.features} values do not fit the model`, () => predict(model, x).softmax(-1));
      const c = probs.shape[1];
      const names = ckpt.input?.labelNames;
      const out = Array.from({ length: s.n }, (_, i) => {
        const p = Array.from(probs.data.subarray(i * c, (i + 1) * c));
        const cls = p.indexOf(Math.max(...p));
        return { index: i, class: cls, ...(names ? { label: names[cls] } : {}), probability: p[cls], probabilities: p };
      });
      if (f.json) io.out(JSON.stringify(out) + "\n");
      else for (const o of out) io.out(`${o.index}: ${o.label ?? `class ${o.class}`} (p = ${o.probability.toFixed(4)})\n`);
    });
}
