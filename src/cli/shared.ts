import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { inspect } from "node:util";
import { ChainruleError } from "../errors.js";
import type { RawDataset } from "../data/raw.js";
import type { Checkpoint } from "../io/checkpoint.js";
import { type ModelSpec, buildModel, mlpSpec } from "../nn/build.js";
import type { Sequential } from "../nn/layers/container.js";
import { loadCsv } from "../node/csv-file.js";
import { loadDigits } from "../node/digits.js";
import { makeDir, removeStaleTemporaries, temporaryOf } from "../node/fs.js";
import { loadCheckpoint } from "../node/checkpoint-file.js";
import { loadIdxDataset } from "../node/idx-files.js";
import { DivergenceError } from "../train/fit.js";
import type { Generator } from "../tensor/random.js";
import { UsageError } from "./usage.js";

/** Where the CLI writes, its exit code and its Ctrl-C: the process's own, or an in-process run's sinks (`runCli`). */
export const io = {
  out: (s: string): void => void process.stdout.write(s),
  err: (s: string): void => void process.stderr.write(s),
  errTTY: (): boolean => Boolean(process.stderr.isTTY),
  setExitCode: (code: number): void => void (process.exitCode = code),
  onInterrupt: (fn: () => void): (() => void) => (process.on("SIGINT", fn), () => void process.off("SIGINT", fn)),
};

/**
 * The exit code and the message for an error that reached the top: bad usage, a missing or corrupt
 * file (any ChainruleError) is one line and exit code 2; a run that diverged is exit code 1; the stack
 * trace only with `--debug`.
 */
export function reportError(err: unknown, debug: boolean): number {
  if (debug) io.err(`${inspect(err)}\n`);
  else {
    const msg = err instanceof Error ? err.message : String(err);
    // NOTE: only the library's own multi-line errors (a ParseError's source line and caret) keep their later lines.
    io.err(`chainrule: ${err instanceof ChainruleError ? msg : msg.split("\n")[0]}\n`);
  }
  return err instanceof DivergenceError ? 1 : 2;
}

/** Parses a numeric flag; the error names the flag and what it got. `below` is an exclusive upper bound. */
export function num(flag: string, v: string | undefined, opts: { integer?: boolean; min?: number; positive?: boolean; below?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = v.trim() !== "" && Number.isFinite(n) && (!opts.integer || Number.isInteger(n)) && (opts.min === undefined || n >= opts.min) &&
    (!opts.positive || n > 0) && (opts.below === undefined || n < opts.below);
  if (!ok) {
    const kind = opts.integer ? "integer" : "number";
    const a = /^[aeiou]/.test(kind) ? "an" : "a";
    const want = opts.below !== undefined ? `${a} ${kind} in [${opts.min ?? "-∞"}, ${opts.below})` : opts.positive ? `a positive ${kind}` : opts.min !== undefined ? `${a} ${kind} ≥ ${opts.min}` : `a finite ${kind}`;
    throw new UsageError(`${flag}: expected ${want}, found "${v}"`);
  }
  return n;
}

export function choice<T extends string>(flag: string, v: string, options: readonly T[]): T {
  if (!options.includes(v as T)) throw new UsageError(`${flag}: expected one of ${options.join(", ")}, found "${v}"`);
  return v as T;
}

/** A model from an MLP spec ("784-256-10") or a JSON model file; `where` names the flag or argument in errors. */
export function modelSpecFrom(model: string, where = "--model"): ModelSpec {
  if (model.endsWith(".json") || existsSync(model)) {
    if (!existsSync(model)) throw new UsageError(`${where}: file not found: ${model}`);
    try {
      return JSON.parse(readFileSync(model, "utf8"));
    } catch (e) {
      throw new UsageError(`${where}: ${model} is not valid JSON (${(e as Error).message})`);
    }
  }
  try {
    return mlpSpec(model);
  } catch (e) {
    throw new UsageError(`${where}: ${(e as Error).message}`);
  }
}

export function buildFrom(spec: ModelSpec, generator?: Generator, source = "--model"): Sequential {
  try {
    return buildModel(spec, { generator, source });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The input shape a model expects for samples of `features` values: [features], or [C, H, W] before a Conv2d. */
export function inputShapeFor(spec: ModelSpec, sampleShape: readonly number[]): number[] {
  const first = spec.layers[0];
  const features = sampleShape.reduce((a, b) => a * b, 1);
  if (first?.type === "Conv2d") {
    const c = Number(first.in);
    const side = Math.round(Math.sqrt(features / c));
    if (side * side * c !== features) throw new UsageError(`--model: a Conv2d with ${c} input channels needs square images, but samples have ${features} values`);
    return [c, side, side];
  }
  return [features];
}

/** Splits a data set the way `digits` is split: a sample whose index % 5 == 4 is test. */
function split(raw: RawDataset): { train: RawDataset; test: RawDataset } {
  const row = raw.sampleShape.reduce((a, b) => a * b, 1);
  const pick = (test: boolean): RawDataset => {
    const idx = [...Array(raw.n).keys()].filter((i) => (i % 5 === 4) === test);
    const x = new Float32Array(idx.length * row);
    idx.forEach((i, k) => x.set(raw.x.subarray(i * row, (i + 1) * row), k * row));
    return { ...raw, x, y: Int32Array.from(idx, (i) => raw.y[i]), n: idx.length };
  };
  return { train: pick(false), test: pick(true) };
}

/** Where the data of a run comes from: `--data`, `--label`, `--no-header`. */
export interface DataSource {
  data: string;
  label?: string;
  header: boolean;
}

export interface LoadedData {
  train: RawDataset;
  test: RawDataset;
  name: string;
  /** The largest label + 1 over both splits. */
  classes: number;
  labelNames?: string[];
  featureNames?: string[];
}

/** Renumbers string labels parsed on their own to the classes of training (`labelNames`). */
function relabel(raw: RawDataset, labelNames: string[], where: string): RawDataset {
  if (!raw.labelNames) return raw;
  const y = Int32Array.from(raw.y, (c) => {
    const k = labelNames.indexOf(raw.labelNames![c]);
    if (k < 0) throw new UsageError(`${where}: label "${raw.labelNames![c]}" is not one the model was trained on (${labelNames.join(", ")})`);
    return k;
  });
  return { ...raw, y, labelNames, classes: labelNames.length };
}

/**
 * `--data digits | idx:<dir> | csv:<file>` as train and test sets (a CSV file is split as the digits
 * are: every fifth sample is test). `labelNames` (from a checkpoint) fixes the classes of string labels.
 */
export function loadData(src: DataSource, labelNames?: string[]): LoadedData {
  const { data } = src;
  if (src.label !== undefined && !data.startsWith("csv:")) throw new UsageError(`--label: only a csv: data source has a label column (--data is ${data})`);
  if (!src.header && !data.startsWith("csv:")) throw new UsageError(`--no-header: only a csv: data source has a header (--data is ${data})`);
  let loaded: { train: RawDataset; test: RawDataset };
  if (data === "digits") loaded = { train: loadDigits("train"), test: loadDigits("test") };
  else if (data.startsWith("idx:")) {
    const dir = data.slice(4);
    if (!existsSync(dir)) throw new UsageError(`--data: directory not found: ${dir}`);
    loaded = { train: loadIdxDataset(dir, "train"), test: loadIdxDataset(dir, "test") };
  } else if (data.startsWith("csv:")) {
    const file = data.slice(4);
    if (!existsSync(file)) throw new UsageError(`--data: file not found: ${file}`);
    let all = loadCsv(file, { label: src.label, header: src.header ? undefined : false });
    if (labelNames) all = relabel(all, labelNames, data);
    if (all.n < 5)
      throw new UsageError(`--data: ${file} has ${all.n} sample${all.n === 1 ? "" : "s"}${all.n === 0 ? " (only a header)" : ""}; the test split takes every fifth sample, so at least 5 are needed`);
    loaded = split(all);
  } else throw new UsageError(`--data: expected digits, idx:<dir> or csv:<file>, found "${data}"`);
  const { train, test } = loaded;
  if (train.n === 0 || test.n === 0) throw new UsageError(`--data: ${data} has no ${train.n === 0 ? "training" : "test"} samples`);
  return { train, test, name: data, classes: Math.max(train.classes, test.classes), labelNames: train.labelNames, featureNames: train.featureNames };
}

/** The distinct labels of a data set, sorted, for messages (at most 12 shown). */
export function labelsFound(...sets: RawDataset[]): string {
  const seen = [...new Set(sets.flatMap((s) => Array.from(s.y)))].sort((a, b) => a - b);
  return seen.length > 12 ? `${seen.slice(0, 12).join(", ")}, … (${seen.length} distinct)` : seen.join(", ");
}

/** Makes `--out <dir>` (and checks it is writable) before any work, so a bad path fails at once. */
export function outputDir(dir: string): void {
  try {
    makeDir(dir);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--out: ${code === "EACCES" ? `cannot write to ${dir} (permission denied)` : (e as Error).message}`);
  }
}

/** `s` as one word for a shell command line. */
export function shellWord(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The default run directory name: the start time, safe in file names (`2026-12-01T13-05-00`). */
export const timestamp = (): string => new Date().toISOString().replace(/[:]/g, "-").replace(/\..*$/, "");

/** The checkpoint that `--resume` names, read once; the temporary file of an interrupted write is refused, naming the checkpoint. */
export function resumedCheckpoint(path: string | undefined): Checkpoint | null {
  if (path === undefined) return null;
  const tmp = temporaryOf(basename(path));
  if (tmp) throw new UsageError(`--resume: ${path} is the temporary file of an interrupted write, not a checkpoint; resume from ${join(dirname(path), tmp[1]!)}`);
  return loadCheckpoint(path);
}

/** Makes the output directory and removes the temporaries of runs killed mid-write there and where the resumed checkpoint is. */
export function prepareRunDir(out: string, resume: string | undefined, files: readonly string[]): void {
  outputDir(out);
  for (const d of new Set([out, ...(resume ? [dirname(resume)] : [])])) removeStaleTemporaries(d, files);
}
