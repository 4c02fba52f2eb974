import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Generator } from "../tensor/random.js";
import { GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from "./layers/activation.js";
import { Sequential } from "./layers/container.js";
import { Conv2d, MaxPool2d } from "./layers/conv.js";
import { Dropout } from "./layers/dropout.js";
import { Flatten } from "./layers/flatten.js";
import { Linear } from "./layers/linear.js";
import { BatchNorm1d, LayerNorm } from "./layers/norm.js";
import type { Module } from "./module.js";
import { checkParameterCount, parseMlpSpec } from "./spec.js";

/** One layer of a JSON model description, e.g. `{ "type": "Linear", "in": 784, "out": 256 }`. */
export type LayerSpec = { type: string } & Record<string, unknown>;

/** A model as data: what `chainrule train --model file.json` reads and what checkpoints keep. */
export interface ModelSpec {
  layers: LayerSpec[];
}

type Get = (key: string, fallback?: unknown) => any;
/** Per layer type: the keys a spec may have besides "type", how the layer is made, and (optional) its parameter count from the spec. */
type Builder = [keys: string[], build: (get: Get, g?: Generator) => Module, params?: (n: (key: string) => number, layer: LayerSpec) => number];
/** A spec field as a size: a positive number, or the product of an array's (0 for anything else; the layer's constructor rejects it). */
const size = (v: unknown): number => (typeof v === "number" && v > 0 ? v : Array.isArray(v) ? v.reduce((a: number, x) => a * size(x), 1) : 0);

const BUILDERS: Record<string, Builder> = {
  Linear: [["in", "out", "bias"], (get, generator) => new Linear(get("in"), get("out"), { bias: get("bias", true), generator }), (n, l) => (n("in") + (l.bias === false ? 0 : 1)) * n("out")],
  Conv2d: [
    ["in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias"],
    (get, generator) =>
      new Conv2d(get("in"), get("out"), get("kernel"), {
        stride: get("stride", 1), padding: get("padding", 0), dilation: get("dilation", 1), groups: get("groups", 1), bias: get("bias", true), generator,
      }),
    (n, l) => n("out") * ((n("in") / (n("groups") || 1)) * (typeof l.kernel === "number" ? n("kernel") ** 2 : n("kernel")) + (l.bias === false ? 0 : 1)),
  ],
  MaxPool2d: [
    ["kernel", "stride", "padding", "dilation", "ceilMode"],
    (get) => new MaxPool2d(get("kernel"), { stride: get("stride", get("kernel")), padding: get("padding", 0), dilation: get("dilation", 1), ceilMode: get("ceilMode", false) }),
  ],
  ReLU: [[], () => new ReLU()],
  LeakyReLU: [["slope"], (get) => new LeakyReLU(get("slope", 0.01))],
  Sigmoid: [[], () => new Sigmoid()],
  Tanh: [[], () => new Tanh()],
  GELU: [[], () => new GELU()],
  Softmax: [["axis"], (get) => new Softmax(get("axis", -1))],
  Dropout: [["p"], (get, generator) => new Dropout(get("p", 0.5), generator ? { generator } : {})],
  Flatten: [["start", "end"], (get) => new Flatten(get("start", 1), get("end", -1))],
  BatchNorm1d: [["features"], (get) => new BatchNorm1d(get("features")), (n) => 2 * n("features")],
  LayerNorm: [["shape"], (get) => new LayerNorm(get("shape")), (n) => 2 * n("shape")],
};

/** The JSON description of the MLP spec "784-256-10": Linear layers with ReLU between them. */
export function mlpSpec(spec: string): ModelSpec {
  const w = parseMlpSpec(spec);
  const layers: LayerSpec[] = [];
  for (let i = 0; i + 1 < w.length; i++) {
    layers.push({ type: "Linear", in: w[i], out: w[i + 1] });
    if (i + 2 < w.length) layers.push({ type: "ReLU" });
  }
  return { layers };
}

/**
 * Builds a Sequential model from its JSON description; errors name the layer and the field. A model of more than
 * `maxParameters` (default 2^28) parameters is refused from the spec, before anything is allocated.
 * @example buildModel({ layers: [{ type: "Linear", in: 4, out: 3 }, { type: "ReLU" }] });
 */
export function buildModel(spec: ModelSpec, opts: { generator?: Generator; source?: string; maxParameters?: number } = {}): Sequential {
  checkOptions("buildModel", opts, ["generator", "source", "maxParameters"]);
  const where = opts.source ?? "model";
  if (typeof spec !== "object" || spec === null || !Array.isArray(spec.layers) || spec.layers.length === 0)
    throw new ValueError(`${where}: expected { "layers": [ { "type": "Linear", "in": 784, "out": 256 }, ... ] }`);
  const params = (l: LayerSpec) => (typeof l === "object" && l !== null && Object.hasOwn(BUILDERS, l.type) ? BUILDERS[l.type][2]?.((k) => size(l[k]), l) ?? 0 : 0);
  checkParameterCount(where, spec.layers.reduce((a, l) => a + params(l), 0), opts.maxParameters);
  const model = new Sequential();
  spec.layers.forEach((layer, i) => {
    if (typeof layer !== "object" || layer === null || Array.isArray(layer)) throw new ValueError(`${where}: layer ${i} must be an object such as { "type": "ReLU" }`);
    const found = Object.hasOwn(BUILDERS, layer.type) ? BUILDERS[layer.type] : undefined;
    if (!found) throw new ValueError(`${where}: layer ${i} has type ${JSON.stringify(layer.type)}; known types: ${Object.keys(BUILDERS).join(", ")}`);
    const [keys, build] = found;
    checkOptions(`${where}: layer ${i} (${layer.type})`, layer, ["type", ...keys]);
    const get = (key: string, fallback?: unknown) => {
      if (layer[key] === undefined) {
        if (fallback === undefined) throw new ValueError(`${where}: layer ${i} (${layer.type}) needs "${key}"`);
        return fallback;
      }
      return layer[key];
    };
    try {
      model.append(build(get, opts.generator));
    } catch (e) {
      throw new ValueError(`${where}: layer ${i} (${layer.type}): ${(e as Error).message}`);
    }
  });
  return model;
}
