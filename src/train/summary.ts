import { ValueError } from "../errors.js";
import { noGrad } from "../autograd/mode.js";
import type { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { zeros } from "../tensor/create.js";
import { bytesPerElement } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

export type Layout = "batch-first" | "features-first";

export interface SummaryRow {
  /** The module's state-dict path, e.g. "0" or "encoder.fc1". */
  name: string;
  type: string;
  /** The output shape as shown: the batch dimension is "N" unless a batch size was given. */
  outputShape: (number | string)[];
  weightParams: number;
  biasParams: number;
  params: number;
  /** The count with its arithmetic, e.g. "80×1024 + 1024 = 82,944". */
  arithmetic: string;
  trainable: boolean;
}

export interface Summary {
  rows: SummaryRow[];
  inputShape: (number | string)[];
  layout: Layout;
  totalParams: number;
  trainableParams: number;
  frozenParams: number;
  bytes: number;
  /** The printed table. */
  table: string;
}

const fmt = (n: number) => n.toLocaleString("en-US");

function arithmetic(m: Module, weight: number, bias: number): string {
  const named = new Map(m.namedParameters());
  const w = named.get("weight");
  // NOTE: a Linear layer's count is written in×out + out, the way a course writes it (P3).
  const wText = m instanceof Linear ? `${m.inFeatures}×${m.outFeatures}` : w ? w.shape.join("×") : "";
  const others = [...named].filter(([k]) => k !== "weight" && k !== "bias").map(([, t]) => t.shape.join("×"));
  const terms = [wText, ...others, bias > 0 ? String(bias) : ""].filter((t) => t !== "");
  const total = weight + bias;
  if (terms.length === 0) return "0";
  return terms.length === 1 && !terms[0].includes("×") ? fmt(total) : `${terms.join(" + ")} = ${fmt(total)}`;
}

/**
 * Each layer's output shape and parameter count with its arithmetic, for a model applied to inputs of
 * `inputShape` (one sample's shape; the batch is `N` unless `batch` is given). `features-first`
 * shows shapes with the batch last (80×32 instead of 32×80), as in a course that stores examples as
 * columns. Prints the table unless `print: false`.
 *
 * @example
 * summary(mlp("80-1024-512-1"), [80], { batch: 32, layout: "features-first" });
 * // 0  Linear  [1024, 32]  80×1024 + 1024 = 82,944 …
 */
export function summary(
  model: Module,
  inputShape: readonly number[],
  opts: { batch?: number; layout?: Layout; print?: boolean } = {},
): Summary {
  const layout = opts.layout ?? "batch-first";
  if (layout !== "batch-first" && layout !== "features-first") throw new ValueError(`summary: layout must be "batch-first" or "features-first", found "${layout}"`);
  if (opts.batch !== undefined && !(Number.isInteger(opts.batch) && opts.batch > 0)) throw new ValueError(`summary: batch must be a positive integer, found ${opts.batch}`);
  const probe = opts.batch ?? 2;
  const shown = (s: readonly number[]): (number | string)[] => {
    const b: number | string = opts.batch ?? "N";
    const rest = s.slice(1);
    return layout === "batch-first" ? [b, ...rest] : [...rest, b];
  };
  const rows: SummaryRow[] = [];
  const patched: [Module, Module["call"]][] = [];
  for (const [name, m] of model.namedModules()) {
    if (m.children().length > 0 || name === "") continue;
    const original = m.call;
    patched.push([m, original]);
    m.call = (...xs: Tensor[]) => {
      const y = original.apply(m, xs);
      const own = m.namedParameters();
      const weight = own.filter(([k]) => k !== "bias").reduce((s, [, t]) => s + t.size, 0);
      const bias = own.filter(([k]) => k === "bias").reduce((s, [, t]) => s + t.size, 0);
      rows.push({
        name, type: m.constructor.name, outputShape: shown(y.shape), weightParams: weight, biasParams: bias, params: weight + bias,
        arithmetic: arithmetic(m, weight, bias), trainable: own.every(([, t]) => t.requiresGrad),
      });
      return y;
    };
  }
  const wasTraining = model.training;
  try {
    model.eval();
    const dtype = model.parameters()[0]?.dtype ?? "float32";
    noGrad(() => model.call(zeros([probe, ...inputShape], { dtype })));
  } finally {
    for (const [m, original] of patched) m.call = original;
    model.train(wasTraining);
  }
  const params = model.parameters();
  const totalParams = params.reduce((s, p) => s + p.size, 0);
  const trainableParams = params.reduce((s, p) => s + (p.requiresGrad ? p.size : 0), 0);
  const bytes = Object.values(model.stateDict()).reduce((s, t) => s + t.size * bytesPerElement(t.dtype), 0);
  const inShape = shown([probe, ...inputShape]);
  const header = ["Layer", "Type", "Output shape", "Weights", "Biases", "Parameters"];
  const body = rows.map((r) => [r.name, r.type, `[${r.outputShape.join(", ")}]`, fmt(r.weightParams), fmt(r.biasParams), r.arithmetic + (r.trainable ? "" : " (frozen)")]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const table = [
    `Input: [${inShape.join(", ")}] (${layout})`,
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    `Total parameters: ${fmt(totalParams)} = ${rows.filter((r) => r.params > 0).map((r) => fmt(r.params)).join(" + ") || "0"}`,
    `Trainable: ${fmt(trainableParams)}   Frozen: ${fmt(totalParams - trainableParams)}   Size: ${fmt(bytes)} bytes (${(bytes / 2 ** 20).toFixed(2)} MiB)`,
  ].join("\n");
  const result: Summary = { rows, inputShape: inShape, layout, totalParams, trainableParams, frozenParams: totalParams - trainableParams, bytes, table };
  if (opts.print ?? true) console.log(table);
  return result;
}
