import { existsSync, readFileSync } from "node:fs";
import type { RawDataset } from "../data/raw.js";
import { type ModelSpec, buildModel, mlpSpec } from "../nn/build.js";
import type { Sequential } from "../nn/layers/container.js";
import { loadCsv } from "../node/csv-file.js";
import { loadDigits } from "../node/digits.js";
import { loadIdxDataset } from "../node/idx-files.js";
import type { Generator } from "../tensor/random.js";
import { UsageError } from "./usage.js";

/** Parses a numeric flag; the error names the flag and what it got. */
export function num(flag: string, v: string | undefined, opts: { integer?: boolean; min?: number; positive?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = v.trim() !== "" && Number.isFinite(n) && (!opts.integer || Number.isInteger(n)) && (opts.min === undefined || n >= opts.min) && (!opts.positive || n > 0);
  if (!ok) {
    const kind = opts.integer ? "integer" : "number";
    const want = opts.positive ? `a positive ${kind}` : opts.min !== undefined ? `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} ≥ ${opts.min}` : `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
    throw new UsageError(`${flag}: expected ${want}, found "${v}"`);
  }
  return n;
}

export function choice<T extends string>(flag: string, v: string, options: readonly T[]): T {
  if (!options.includes(v as T)) throw new UsageError(`${flag}: expected one of ${options.join(", ")}, found "${v}"`);
  return v as T;
}

/** A model from an MLP spec ("784-256-10") or a JSON model file. */
export function modelSpecFrom(model: string): ModelSpec {
  if (model.endsWith(".json") || existsSync(model)) {
    if (!existsSync(model)) throw new UsageError(`--model: file not found: ${model}`);
    try {
      return JSON.parse(readFileSync(model, "utf8"));
    } catch (e) {
      throw new UsageError(`--model: ${model} is not valid JSON (${(e as Error).message})`);
    }
  }
  try {
    return mlpSpec(model);
  } catch (e) {
    throw new UsageError(`--model: ${(e as Error).message}`);
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

/** `--data digits | idx:<dir> | csv:<file>` as train and test sets. */
export function loadData(data: string, label?: string): { train: RawDataset; test: RawDataset; name: string } {
  if (data === "digits") return { train: loadDigits("train"), test: loadDigits("test"), name: "digits" };
  if (data.startsWith("idx:")) {
    const dir = data.slice(4);
    if (!existsSync(dir)) throw new UsageError(`--data: directory not found: ${dir}`);
    return { train: loadIdxDataset(dir, "train"), test: loadIdxDataset(dir, "test"), name: data };
  }
  if (data.startsWith("csv:")) {
    const file = data.slice(4);
    if (!existsSync(file)) throw new UsageError(`--data: file not found: ${file}`);
    return { ...split(loadCsv(file, { label })), name: data };
  }
  throw new UsageError(`--data: expected digits, idx:<dir> or csv:<file>, found "${data}"`);
}
