import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { fromRaw } from "../data/dataset.js";
import { parseCsv } from "../data/csv.js";
import type { Sequential } from "../nn/layers/container.js";
import { loadCheckpoint } from "../node/checkpoint-file.js";
import { tensor } from "../tensor/create.js";
import { evaluate, predict } from "../train/fit.js";
import { buildFrom, inputShapeFor, loadData } from "./shared.js";
import { UsageError } from "./usage.js";

function restore(path: string): { model: Sequential; shape: (features: number) => number[] } {
  const ckpt = loadCheckpoint(path);
  if (!ckpt.architecture) throw new UsageError(`${path}: the checkpoint holds no architecture (it was not written by chainrule train)`);
  const model = buildFrom(ckpt.architecture, undefined, path);
  model.loadStateDict(ckpt.state);
  const spec = ckpt.architecture;
  return { model, shape: (features) => inputShapeFor(spec, [features]) };
}

export function registerEval(program: Command): void {
  program
    .command("eval <checkpoint>")
    .description("loss and accuracy of a trained model on the test split")
    .option("--data <source>", "digits | idx:<dir> | csv:<file>", "digits")
    .option("--label <column>", "the label column of a CSV file")
    .option("--json", "print the result as JSON")
    .action((path: string, f: { data: string; label?: string; json?: boolean }) => {
      const { model, shape } = restore(path);
      const data = loadData(f.data, f.label);
      const features = data.test.sampleShape.reduce((a, b) => a * b, 1);
      const r = evaluate(model, fromRaw({ ...data.test, sampleShape: shape(features) }), { batchSize: 512 });
      if (f.json) process.stdout.write(JSON.stringify({ checkpoint: path, data: data.name, ...r }) + "\n");
      else console.log(`${data.name} test: accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.n} samples), loss ${r.loss.toFixed(4)}`);
    });
}

function readInputs(file: string): number[][] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`input file not found: ${file}`);
  }
  if (file.endsWith(".csv")) {
    const header = text.split(/\r?\n/, 1)[0]!.split(",").map((h) => h.trim());
    const raw = parseCsv(text, { source: file, label: header.includes("label") ? "label" : null });
    const row = raw.sampleShape.reduce((a, b) => a * b, 1);
    return Array.from({ length: raw.n }, (_, i) => Array.from(raw.x.subarray(i * row, (i + 1) * row)));
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const rows = Array.isArray(v) && v.every((x) => typeof x === "number") ? [v as number[]] : v;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.flat(3).every((x: unknown) => typeof x === "number")))
    throw new UsageError(`${file}: expected an array of numbers (one sample) or an array of such arrays`);
  return rows.map((r) => (r as unknown[]).flat(3) as number[]);
}

export function registerPredict(program: Command): void {
  program
    .command("predict <checkpoint> <input>")
    .description("class predictions for the samples in a JSON (array of arrays) or CSV file")
    .option("--json", "print the predictions as JSON")
    .action((path: string, input: string, f: { json?: boolean }) => {
      const { model, shape } = restore(path);
      const rows = readInputs(input);
      const features = rows[0]?.length ?? 0;
      if (rows.some((r) => r.length !== features)) throw new UsageError(`${input}: every sample needs ${features} values`);
      const x = tensor(Float32Array.from(rows.flat()), { shape: [rows.length, ...shape(features)] });
      let probs;
      try {
        probs = predict(model, x).softmax(-1);
      } catch (e) {
        throw new UsageError(`${input}: samples of ${features} values do not fit the model (${(e as Error).message})`);
      }
      const c = probs.shape[1];
      const out = rows.map((_, i) => {
        const p = Array.from(probs.data.subarray(i * c, (i + 1) * c));
        const cls = p.indexOf(Math.max(...p));
        return { index: i, class: cls, probability: p[cls], probabilities: p };
      });
      if (f.json) process.stdout.write(JSON.stringify(out) + "\n");
      else for (const o of out) console.log(`${o.index}: class ${o.class} (p = ${o.probability.toFixed(4)})`);
    });
}
