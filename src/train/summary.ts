import { ShapeError, ValueError } from "../errors.js";
import { noGrad } from "../autograd/mode.js";
import { Module } from "../nn/module.js";
import type { LayerSpec, ModelSpec } from "../nn/build.js";
import { checkOptions } from "../options.js";
import { describeValue } from "../tensor/format.js";
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

function arithmetic(own: [string, readonly number[]][], linear: string | null, weight: number, bias: number): string {
  const named = new Map(own);
  const w = named.get("weight");
  // NOTE: a Linear layer's count is written in×out + out, the way a course writes it (P3).
  const wText = linear ?? (w ? w.join("×") : "");
  const others = [...named].filter(([k]) => k !== "weight" && k !== "bias").map(([, s]) => s.join("×"));
  const terms = [wText, ...others, bias > 0 ? String(bias) : ""].filter((t) => t !== "");
  const total = weight + bias;
  if (terms.length === 0) return "0";
  return terms.length === 1 && !terms[0].includes("×") ? fmt(total) : `${terms.join(" + ")} = ${fmt(total)}`;
}

type Dims = number[];
const pairOf = (v: unknown, fallback: number): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [Number(v ?? fallback), Number(v ?? fallback)]);

/** One layer of a spec: its output shape, its parameter tensors' shapes and its buffers' bytes, computed from the shapes alone. */
function specLayer(layer: LayerSpec, i: number, x: Dims): { y: Dims; params: [string, Dims][]; bufferBytes: number } {
  if (typeof layer !== "object" || layer === null) throw new ValueError(`summary: layer ${i} must be an object such as { "type": "Linear", "in": 784, "out": 10 }, found ${describeValue(layer)}`);
  const where = `summary: layer ${i} (${layer.type})`;
  const get = (key: string, fallback?: unknown, min = 1): any => {
    if (layer[key] === undefined && fallback === undefined) throw new ValueError(`${where} needs "${key}"`);
    const v = layer[key] ?? fallback;
    const ok = (d: unknown) => Number.isInteger(d) && (d as number) >= min;
    if (key !== "bias" && key !== "shape" && !(Array.isArray(v) ? v.length === 2 && v.every(ok) : ok(v)))
      throw new ValueError(`${where}: "${key}" must be ${min > 0 ? "a positive" : "a non-negative"} integer${key === "features" || key === "in" || key === "out" ? "" : " or a pair of them"}, found ${JSON.stringify(v)}`);
    return v;
  };
  const shapeErr = (want: string) => new ShapeError(`${where} expects ${want}, found input of shape [${x.join(", ")}]`);
  const bias = get("bias", true) !== false;
  switch (layer?.type) {
    case "Linear": {
      const [inF, outF] = [get("in"), get("out")];
      if (x.at(-1) !== inF) throw shapeErr(`${inF} input features`);
      return { y: [...x.slice(0, -1), outF], params: [["weight", [outF, inF]], ...(bias ? [["bias", [outF]] as [string, Dims]] : [])], bufferBytes: 0 };
    }
    case "Conv2d":
    case "MaxPool2d": {
      const conv = layer.type === "Conv2d";
      const [kh, kw] = pairOf(get("kernel"), 1);
      const [sh, sw] = pairOf(get("stride", conv ? 1 : get("kernel")), 1);
      const [ph, pw] = pairOf(get("padding", 0, 0), 0);
      if (x.length !== 4 || (conv && x[1] !== get("in"))) throw shapeErr(conv ? `[N, ${get("in")}, H, W]` : "[N, C, H, W]");
      const h = Math.floor((x[2] + 2 * ph - kh) / sh) + 1, w = Math.floor((x[3] + 2 * pw - kw) / sw) + 1;
      if (!(h > 0 && w > 0)) throw shapeErr(`an input of at least ${kh}×${kw} after padding`);
      const c = conv ? get("out") : x[1];
      const params: [string, Dims][] = conv ? [["weight", [c, x[1], kh, kw]], ...(bias ? [["bias", [c]] as [string, Dims]] : [])] : [];
      return { y: [x[0], c, h, w], params, bufferBytes: 0 };
    }
    case "Flatten": {
      const norm = (d: number) => (d < 0 ? d + x.length : d);
      const [a, b] = [norm(get("start", 1, -Infinity)), norm(get("end", -1, -Infinity))];
      if (!(a >= 0 && b < x.length && a <= b)) throw shapeErr(`dimensions ${layer.start ?? 1}..${layer.end ?? -1} to exist`);
      return { y: [...x.slice(0, a), x.slice(a, b + 1).reduce((p, q) => p * q, 1), ...x.slice(b + 1)], params: [], bufferBytes: 0 };
    }
    case "BatchNorm1d": {
      const f = get("features");
      if (x[1] !== f) throw shapeErr(`${f} features`);
      return { y: x, params: [["weight", [f]], ["bias", [f]]], bufferBytes: 2 * 4 * f + 4 };
    }
    case "LayerNorm": {
      const shape: Dims = [get("shape")].flat();
      if (x.slice(-shape.length).join() !== shape.join()) throw shapeErr(`trailing dimensions [${shape.join(", ")}]`);
      return { y: x, params: [["weight", shape], ["bias", shape]], bufferBytes: 0 };
    }
    case "ReLU": case "LeakyReLU": case "Sigmoid": case "Tanh": case "GELU": case "Softmax": case "Dropout":
      return { y: x, params: [], bufferBytes: 0 };
  }
  throw new ValueError(`${where}: unknown layer type`);
}

/**
 * Each layer's output shape and parameter count with its arithmetic, for a model applied to inputs of
 * `inputShape` (one sample's shape; the batch is `N` unless `batch` is given). `features-first`
 * shows shapes with the batch last (80×32 instead of 32×80), as in a course that stores examples as
 * columns. Prints the table unless `print: false`. Given a model's description (a ModelSpec) rather
 * than a module, it computes the same from the shapes alone and allocates nothing, so
 * `summary(mlpSpec("784-100000000-10"), [784])` is instant.
 *
 * @example
 * summary(mlp("80-1024-512-1"), [80], { batch: 32, layout: "features-first" });
 * // 0  Linear  [1024, 32]  80×1024 + 1024 = 82,944 …
 */
export function summary(
  model: Module | ModelSpec,
  inputShape: readonly number[],
  options?: { batch?: number; layout?: Layout; print?: boolean },
): Summary {
  const opts = checkOptions("summary", options, ["batch", "layout", "print"]);
  if (!Array.isArray(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new ValueError(`summary: inputShape must be one sample's shape, an array of positive integers such as [784], found ${Array.isArray(inputShape) ? JSON.stringify(inputShape) : describeValue(inputShape)}`);
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
  const addRow = (name: string, type: string, y: readonly number[], own: [string, readonly number[]][], linear: string | null, trainable: boolean) => {
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const weight = own.filter(([k]) => k !== "bias").reduce((t, [, s]) => t + size(s), 0);
    const bias = own.filter(([k]) => k === "bias").reduce((t, [, s]) => t + size(s), 0);
    rows.push({ name, type, outputShape: shown(y), weightParams: weight, biasParams: bias, params: weight + bias, arithmetic: arithmetic(own, linear, weight, bias), trainable });
  };
  let totalParams: number, trainableParams: number, bytes: number;
  if (!(model instanceof Module)) {
    if (typeof model !== "object" || model === null || !Array.isArray(model.layers)) throw new ValueError(`summary: expected a Module or a model description { layers: [...] }`);
    let x: Dims = [probe, ...inputShape];
    bytes = 0;
    model.layers.forEach((layer, i) => {
      const r = specLayer(layer, i, x);
      x = r.y;
      bytes += r.bufferBytes;
      addRow(String(i), layer.type, r.y, r.params, layer.type === "Linear" ? `${layer.in}×${layer.out}` : null, true);
    });
    totalParams = trainableParams = rows.reduce((t, r) => t + r.params, 0);
    bytes += totalParams * 4;
  } else {
    const m0 = model;
    const patched: [Module, Module["call"]][] = [];
    for (const [name, m] of m0.namedModules()) {
      if (m.children().length > 0 || name === "") continue;
      const original = m.call;
      patched.push([m, original]);
      m.call = (...xs: Tensor[]) => {
        const y = original.apply(m, xs);
        const own = m.namedParameters();
        addRow(name, m.constructor.name, y.shape, own.map(([k, t]) => [k, t.shape]), m instanceof Linear ? `${m.inFeatures}×${m.outFeatures}` : null, own.every(([, t]) => t.requiresGrad));
        return y;
      };
    }
    const wasTraining = m0.training;
    try {
      m0.eval();
      const dtype = m0.parameters()[0]?.dtype ?? "float32";
      noGrad(() => m0.call(zeros([probe, ...inputShape], { dtype })));
    } finally {
      for (const [m, original] of patched) m.call = original;
      m0.train(wasTraining);
    }
    const params = m0.parameters();
    totalParams = params.reduce((t, p) => t + p.size, 0);
    trainableParams = params.reduce((t, p) => t + (p.requiresGrad ? p.size : 0), 0);
    bytes = Object.values(m0.stateDict()).reduce((t, p) => t + p.size * bytesPerElement(p.dtype), 0);
  }
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
