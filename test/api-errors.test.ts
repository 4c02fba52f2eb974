import { afterEach, describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import * as Unary from "../src/ops/unary.js";

/**
 * Every function and class of the public surface (src/index.ts, and the nn, nn.functional and optim
 * namespaces), enumerated at run time, is called with bad arguments: each argument of a working call
 * replaced in turn by undefined, null, a string, {} and a number, and the call with no arguments.
 * The outcome must be a result or one of the library's errors, never a TypeError or RangeError from
 * JavaScript. Where a function takes an options object, an unknown key must be refused by name.
 * A meta-test fails when an export has no row in SPECS, so nothing new escapes the audit.
 */

const { nn, optim, tensor } = api;
type Fn = (...args: unknown[]) => unknown;
type Ctor = new (...args: unknown[]) => unknown;

interface Spec {
  /** A call that works; the bad calls are derived from it. Fresh arguments on every call. */
  args: () => unknown[];
  /** The index of the options argument, where there is one. */
  options?: number;
  /** For an abstract class: the concrete subclass to construct in its place. */
  concrete?: () => Ctor;
  /** Uses the result where the work happens later (a returned function, a generator). */
  then?: (result: unknown) => unknown;
}

const t22 = () => tensor([[1, 2], [3, 4]]);
const f64 = () => tensor([1, 2], { dtype: "float64" });
const labels = () => tensor([0, 1], { dtype: "int32" });
const param = () => {
  const p = tensor([1, 2], { requiresGrad: true });
  p.grad = tensor([0.5, -0.5]);
  return p;
};
const model = () => api.mlp("2-3-2", { generator: new api.Generator(0) });
const dataset = () => new api.TensorDataset(tensor([[0, 1], [1, 0], [1, 1], [0, 0]]), tensor([0, 1, 1, 0], { dtype: "int32" }));
const sgd = () => new api.SGD([param()], { lr: 0.1 });
const program = "y = x*w; z = relu(y)";
const programDerivation = () => api.explainProgram(program, { x: 1, w: 2 });
const idxBytes = () => new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 5, 7]);
const stored = () => ({ a: { dtype: "F32" as const, shape: [2], data: new Float32Array([1, 2]) } });
const safetensors = () => api.encodeSafetensors(stored());
const quiet = { progress: "none" } as const;
const vocab = () => new api.CharVocab([".", "a", "b"]);

class Square extends api.Module {
  forward(x: api.Tensor): api.Tensor {
    return x.mul(x);
  }
}

/** A subclass as users write one; its options go to the base class unread, so the base is what is tested. */
class SignSGD extends api.Optimizer<{ lr: number }> {
  constructor(params: api.Tensor[], opts?: { lr?: number }) {
    super(params, { lr: 0.1 }, opts);
  }
  protected stateSpec() {
    return {};
  }
  protected update(p: Float32Array | Float64Array, g: Float32Array | Float64Array, _s: unknown, h: { lr: number }) {
    for (let i = 0; i < p.length; i++) p[i] -= h.lr * Math.sign(g[i]);
  }
  protected check() {}
}

const unary = { args: () => [t22()] };
const binary = { args: () => [t22(), t22()] };
const loss = (target: () => api.Tensor) => ({ args: () => [t22(), target(), {}], options: 2 });
const lossModule = { args: () => [{}], options: 0 };
const errorClass = { args: () => ["message"] };
const moduleNoArgs = { args: () => [] };

const SPECS: Record<string, Spec> = {
  ChainruleError: errorClass, ShapeError: errorClass, DTypeError: errorClass, GraphError: errorClass,
  ValueError: errorClass, AnomalyError: errorClass, FormatError: errorClass,
  ParseError: { args: () => ["message", 1, 1, "source"] },
  Tensor: { args: () => [new Float32Array(2), [2], "float32"] },
  Generator: { args: () => [0] },
  manualSeed: { args: () => [0] },
  tensor: { args: () => [[1, 2], {}], options: 1 },
  scalar: { args: () => [1, {}], options: 1 },
  zeros: { args: () => [[2, 3], {}], options: 1 },
  ones: { args: () => [[2, 3], {}], options: 1 },
  full: { args: () => [[2, 3], 7, {}], options: 2 },
  zerosLike: { args: () => [t22(), {}], options: 1 },
  onesLike: { args: () => [t22(), {}], options: 1 },
  fullLike: { args: () => [t22(), 7, {}], options: 2 },
  arange: { args: () => [0, 5, 1, {}], options: 3 },
  linspace: { args: () => [0, 1, 5, {}], options: 3 },
  eye: { args: () => [2, 3, {}], options: 2 },
  rand: { args: () => [[2, 3], {}], options: 1 },
  randn: { args: () => [[2, 3], {}], options: 1 },
  randint: { args: () => [0, 5, [2, 3], {}], options: 3 },
  add: binary, sub: binary, mul: binary, div: binary, pow: binary, maximum: binary, minimum: binary,
  gt: binary, lt: binary, ge: binary, le: binary, eq: binary, ne: binary, matmul: binary,
  // NOTE: every unary primitive (a row of src/ops/unary.ts) gets the unary row, so a new one needs none here.
  ...Object.fromEntries(Object.keys(Unary).map((name) => [name, unary])),
  gelu: unary,
  leakyRelu: { args: () => [t22(), 0.1] },
  where: { args: () => [t22().gt(2), t22(), 0] },
  clamp: { args: () => [t22(), 1, 3] },
  cast: { args: () => [t22(), "float64"] },
  sum: { args: () => [t22(), 0, true] },
  mean: { args: () => [t22(), 0, true] },
  max: { args: () => [t22(), 0, true] },
  min: { args: () => [t22(), 0, true] },
  argmax: { args: () => [t22(), 0, true] },
  argmin: { args: () => [t22(), 0, true] },
  logSumExp: { args: () => [t22(), 0, true] },
  softmax: { args: () => [t22(), -1] },
  logSoftmax: { args: () => [t22(), -1] },
  reshape: { args: () => [t22(), [4]] },
  flatten: { args: () => [t22(), 0, -1] },
  squeeze: { args: () => [tensor([[1, 2]]), 0] },
  unsqueeze: { args: () => [t22(), 0] },
  transpose: { args: () => [t22(), 0, 1] },
  permute: { args: () => [t22(), [1, 0]] },
  expand: { args: () => [tensor([1, 2]), [3, 2]] },
  slice: { args: () => [t22(), 0, 0, 1, 1] },
  select: { args: () => [t22(), 0, 1] },
  concat: { args: () => [[t22(), t22()], 0] },
  stack: { args: () => [[t22(), t22()], 0] },
  gather: { args: () => [t22(), 1, tensor([[0], [1]], { dtype: "int32" })] },
  scatterAdd: { args: () => [tensor([[1], [2]]), 1, tensor([[0], [1]], { dtype: "int32" }), [2, 2]] },
  unfold: { args: () => [api.randn([1, 1, 3, 3]), 2, {}], options: 2 },
  fold: { args: () => [api.randn([1, 4, 4]), [3, 3], 2, {}], options: 3 },
  indexSelect: { args: () => [t22(), 0, [1]] },
  oneHot: { args: () => [labels(), 3, {}], options: 2 },
  noGrad: { args: () => [() => 1] },
  enableGrad: { args: () => [() => 1] },
  isGradEnabled: { args: () => [] },
  detectAnomaly: { args: () => [false] },
  gradients: {
    args: () => {
      const x = tensor([1, 2], { requiresGrad: true });
      return [x.mul(x).sum(), [x], {}];
    },
    options: 2,
  },
  grad: { args: () => [(x: api.Tensor) => x.mul(x).sum(), {}], options: 1, then: (g) => (g as Fn)(f64()) },
  valueAndGrad: { args: () => [(x: api.Tensor) => x.mul(x).sum(), {}], options: 1, then: (g) => (g as Fn)(f64()) },
  gradcheck: { args: () => [(x: api.Tensor) => x.mul(x).sum(), [f64()], {}], options: 2 },
  getBackend: { args: () => [] },
  setBackend: { args: () => ["ts"] },
  registerBackend: { args: () => [{ name: "api-audit" }] },
  Module: { args: () => [], concrete: () => Square as unknown as Ctor },
  functionalCall: { args: () => [new nn.Linear(2, 2), {}, tensor([[1, 2]])] },
  mlp: { args: () => ["2-3-1", {}], options: 1 },
  parseMlpSpec: { args: () => ["2-3-1"] },
  crossEntropy: loss(labels),
  nllLoss: { args: () => [t22().logSoftmax(), labels(), {}], options: 2 },
  mse: loss(t22),
  l1: loss(t22),
  binaryCrossEntropyWithLogits: loss(() => tensor([[0, 1], [1, 0]])),
  l2Penalty: { args: () => [[t22()], 0.1, {}], options: 2 },
  softmaxCrossEntropy: { args: () => [t22(), tensor([[0.5, 0.5], [1, 0]])] },
  CrossEntropyLoss: lossModule, NLLLoss: lossModule, MSELoss: lossModule, L1Loss: lossModule, BCEWithLogitsLoss: lossModule,
  SGD: { args: () => [[param()], { lr: 0.1 }], options: 1 },
  Adam: { args: () => [[param()], {}], options: 1 },
  AdamW: { args: () => [[param()], {}], options: 1 },
  RMSprop: { args: () => [[param()], {}], options: 1 },
  Optimizer: { args: () => [[param()], { lr: 0.1 }], concrete: () => SignSGD as unknown as Ctor },
  clipGradNorm: { args: () => [[param()], 1] },
  clipGradValue: { args: () => [[param()], 1] },
  TensorDataset: { args: () => [t22(), labels()] },
  DataLoader: { args: () => [dataset(), { batchSize: 2 }], options: 1 },
  fromRaw: { args: () => [api.moons(4)] },
  parseCsv: { args: () => ["a,label\n1,0\n2,1\n", {}], options: 1 },
  parseIdx: { args: () => [idxBytes()] },
  spiral: { args: () => [{ n: 3 }], options: 0 },
  moons: { args: () => [{ n: 4 }], options: 0 },
  CharVocab: { args: () => [[".", "a", "b"]] },
  nextTokenWindows: { args: () => [["ab", "ba"], vocab(), 2] },
  sequenceWindows: { args: () => [["ab", "ba"], vocab(), 3] },
  splitWords: { args: () => [["ab", "ba", "aa"], 0.3, new api.Generator(0)] },
  multinomial: { args: () => [tensor([0.2, 0.8]), 3, {}], options: 2 },
  topK: { args: () => [t22(), 1] },
  fitLanguageModel: {
    args: () => { const m = new nn.Bigram(3); return [m, api.nextTokenWindows(["ab"], vocab(), 1), { epochs: 1, batchSize: 2, optimizer: new api.SGD(m.parameters(), { lr: 0.1 }) }]; },
    options: 2,
    then: (steps) => [...(steps as Iterable<unknown>)],
  },
  evaluateLanguageModel: { args: () => [new nn.Bigram(3), api.nextTokenWindows(["ab"], vocab(), 1), 4] },
  sampleWords: { args: () => [new nn.Bigram(3), vocab(), { n: 2, block: 1 }], options: 2 },
  summary: { args: () => [model(), [2], { print: false }], options: 2 },
  encodeSafetensors: { args: () => [stored(), { note: "x" }] },
  decodeSafetensors: { args: () => [safetensors(), {}], options: 1 },
  readSafetensorsHeader: { args: () => [safetensors(), {}], options: 1 },
  fit: { args: () => { const m = model(); return [m, dataset(), { epochs: 1, optimizer: new api.SGD(m.parameters(), { lr: 0.1 }), ...quiet }]; }, options: 2 },
  fitSteps: {
    args: () => { const m = model(); return [m, dataset(), { epochs: 1, optimizer: new api.SGD(m.parameters(), { lr: 0.1 }), ...quiet }]; },
    options: 2,
    then: (steps) => [...(steps as Iterable<unknown>)],
  },
  splitValidation: { args: () => [dataset(), 0.25] },
  prepareInputs: { args: () => [{ input: { shape: [2] } }, api.moons(4)] },
  DivergenceError: errorClass,
  evaluate: { args: () => [model(), dataset(), {}], options: 2 },
  predict: { args: () => [model(), tensor([[1, 2]]), {}], options: 2 },
  lineReporter: { args: () => [() => {}] },
  buildModel: { args: () => [api.mlpSpec("2-3-1"), {}], options: 1 },
  mlpSpec: { args: () => ["2-3-1"] },
  encodeCheckpoint: { args: () => [model(), {}], options: 1 },
  decodeCheckpoint: { args: () => [api.encodeCheckpoint(model()), "model.safetensors"] },
  toOnnx: { args: () => [model(), { inputShape: [2], opset: 17 }], options: 1 },
  fromOnnx: { args: () => [api.toOnnx(model(), { inputShape: [2] }), { source: "model.onnx" }], options: 1 },
  StepLR: { args: () => [sgd(), { stepSize: 1 }], options: 1 },
  ExponentialLR: { args: () => [sgd(), { gamma: 0.9 }], options: 1 },
  CosineAnnealingLR: { args: () => [sgd(), { tMax: 2 }], options: 1 },
  ReduceLROnPlateau: { args: () => [sgd(), {}], options: 1 },
  NoSchedule: { args: () => [sgd()] },
  makeSchedule: { args: () => ["cosine", sgd(), { tMax: 2 }], options: 2 },
  curvesSvg: { args: () => [[{ epoch: 1, loss: 1, lr: 0.1, seconds: 1, samplesPerSecond: 1 }], {}], options: 1 },
  explain: { args: () => [program, { x: 1, w: 2 }, {}], options: 2 },
  explainProgram: { args: () => [program, { x: 1, w: 2 }, {}], options: 2 },
  explainModelSpec: { args: () => ["2-3-2", {}], options: 1 },
  explainAttention: { args: () => ["attention", {}], options: 1 },
  explainModule: { args: () => [model(), tensor([[1, 2]]), tensor([1], { dtype: "int32" }), {}], options: 3 },
  explainTrace: { args: () => [model(), tensor([[1, 2]]), tensor([1], { dtype: "int32" }), {}], options: 3 },
  deriveNamed: { args: () => ["mse", {}], options: 1 },
  formatText: { args: () => [programDerivation()] },
  formatMarkdown: { args: () => [programDerivation()] },
  formatLatex: { args: () => [programDerivation()] },
  formatJson: { args: () => [programDerivation()] },
  formatDot: { args: () => [programDerivation()] },
  formatSvg: { args: () => [programDerivation()] },
  mathToLatex: { args: () => ["x·w"] },
  richToLatex: { args: () => ["x·w"] },
  richToText: { args: () => ["x·w"] },
  parseProgram: { args: () => [program] },
  parseClaims: { args: () => ["z=2, dz/dw=1"] },
  checkSolution: { args: () => ["Let $x = 2$.\n\n$$y = x^2 = 2 \\cdot 2 = 5$$", {}], options: 1 },
  formatGradeText: { args: () => [api.checkSolution("$x = 2$, $y = 3 x = 6$"), "solution.md"] },
  formatGradeMarkdown: { args: () => [api.checkSolution("$x = 2$, $y = 3 x = 6$"), "solution.md"] },
  checkTensorClaims: { args: () => [api.explainModelSpec("2-2-2", { values: { X: [[1, 2]], y: [1] } }), "dW2=[[0, 0], [0, 0]]", 1e-4] },
  checkSummaryClaims: { args: () => [api.summary(api.mlpSpec("4-3-2"), [4], { print: false }), "total=23, A=[N, 3]"] },
  parseSetValues: { args: () => ["x=1,w=2"] },
  setNumThreads: { args: () => [2] },
  ready: { args: () => [{}], options: 0 }, // async: its errors are rejections, awaited by the audit
  getNumThreads: { args: () => [] },
  Linear: { args: () => [2, 3, {}], options: 2 },
  ReLU: moduleNoArgs, Sigmoid: moduleNoArgs, Tanh: moduleNoArgs, GELU: moduleNoArgs, Identity: moduleNoArgs,
  LeakyReLU: { args: () => [0.1] },
  Softmax: { args: () => [-1] },
  LogSoftmax: { args: () => [-1] },
  Sequential: { args: () => [new nn.Linear(2, 2), new nn.ReLU()] },
  ModuleList: { args: () => [[new nn.Linear(2, 2), new nn.ReLU()]] },
  ModuleDict: { args: () => [{ fc: new nn.Linear(2, 2), act: new nn.ReLU() }] },
  Residual: { args: () => [new nn.Linear(2, 2)] },
  Dropout: { args: () => [0.5, {}], options: 1 },
  Flatten: { args: () => [1, -1] },
  BatchNorm1d: { args: () => [3, {}], options: 1 },
  LayerNorm: { args: () => [3, {}], options: 1 },
  Embedding: { args: () => [4, 2, {}], options: 2 },
  MultiheadAttention: { args: () => [4, 2, {}], options: 2 },
  TransformerBlock: { args: () => [4, 2, {}], options: 2 },
  Bigram: { args: () => [3, {}], options: 1 },
  CharMLP: { args: () => [3, { block: 2 }], options: 1 },
  GPT: { args: () => [3, { block: 4, embedDim: 8, numHeads: 2, numLayers: 1 }], options: 1 },
  scaledDotProductAttention: { args: () => [api.randn([2, 3]), api.randn([2, 3]), api.randn([2, 3]), {}], options: 3 },
  tril: { args: () => [t22(), 0] },
  triu: { args: () => [t22(), 0] },
  maskedFill: { args: () => [t22(), t22().gt(2), 0] },
  Conv2d: { args: () => [1, 2, 3, {}], options: 3 },
  MaxPool2d: { args: () => [2] },
  linear: { args: () => [t22(), tensor([[1, 0], [0, 1], [1, 1]]), null] },
  dropout: { args: () => [t22(), 0.5, true] },
  conv2d: { args: () => [api.randn([1, 1, 3, 3]), api.randn([2, 1, 2, 2]), null, {}], options: 3 },
  maxPool2d: { args: () => [api.randn([1, 1, 4, 4]), 2, {}], options: 2 },
  batchNorm: { args: () => [api.randn([4, 3]), null, null, { training: true }], options: 3 },
  layerNorm: { args: () => [api.randn([4, 3]), 3] },
};

const isClass = (f: unknown) => typeof f === "function" && /^class\b/.test(Function.prototype.toString.call(f));

/** Every public function or class once, under the first name it is exported by. */
function publicSurface(): [string, Fn][] {
  const out = new Map<Fn, string>();
  const scan = (prefix: string, ns: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(ns)) if (typeof v === "function" && !out.has(v as Fn)) out.set(v as Fn, prefix + k);
  };
  scan("", api as unknown as Record<string, unknown>);
  scan("nn.", nn as unknown as Record<string, unknown>);
  scan("nn.functional.", nn.functional as unknown as Record<string, unknown>);
  scan("optim.", optim as unknown as Record<string, unknown>);
  return [...out].map(([f, name]) => [name, f]);
}

const surface = publicSurface();
const specOf = (name: string): Spec | undefined => SPECS[name.slice(name.lastIndexOf(".") + 1)];
const BAD: [string, () => unknown][] = [
  ["undefined", () => undefined], ["null", () => null], ['"abc"', () => "abc"], ["{}", () => ({})], ["3", () => 3],
];

function call(name: string, f: Fn, args: unknown[]): unknown {
  const spec = specOf(name)!;
  const result = spec.concrete ? new (spec.concrete())(...args) : isClass(f) ? new (f as unknown as Ctor)(...args) : f(...args);
  return spec.then ? spec.then(result) : result;
}

/** null when the call returned or threw a ChainruleError (an async one: resolved or rejected with one); otherwise what leaked. */
async function leak(name: string, f: Fn, args: unknown[]): Promise<string | null> {
  try {
    await call(name, f, args);
    return null;
  } catch (e) {
    if (e instanceof api.ChainruleError) return null;
    if (!(e instanceof Error)) return `threw ${String(e)}`;
    const at = /\/(src\/[^\s:)]+:\d+)/.exec(e.stack ?? "")?.[1];
    return `${e.constructor.name}: ${e.message.split("\n")[0]}${at ? ` (at ${at})` : ""}`;
  }
}

afterEach(() => {
  api.setBackend("ts");
  api.detectAnomaly(false);
  api.manualSeed(0);
});

describe("the public API answers bad arguments with the library's errors", () => {
  it("has a row in SPECS for every exported function and class", () => {
    expect(surface.length).toBeGreaterThan(150);
    expect(surface.map(([n]) => n).filter((n) => !specOf(n))).toEqual([]);
  });

  it.each(surface)("%s: the reference call works", async (name, f) => {
    // a throw, or an async function's rejection, fails the test
    await Promise.resolve().then(() => call(name, f, specOf(name)!.args()));
  });

  it.each(surface)("%s: bad arguments give a result or a ChainruleError", async (name, f) => {
    const spec = specOf(name)!;
    const n = spec.args().length;
    const leaks: string[] = [];
    const r0 = await leak(name, f, []);
    if (r0) leaks.push(`${name}() → ${r0}`);
    for (let i = 0; i < n; i++)
      for (const [label, bad] of BAD) {
        const args = spec.args();
        args[i] = bad();
        const r = await leak(name, f, args);
        if (r) leaks.push(`${name}(argument ${i} = ${label}) → ${r}`);
      }
    expect(leaks.length, `leaked JavaScript errors:\n${leaks.join("\n")}\n`).toBe(0);
  });

  const withOptions = surface.filter(([name]) => specOf(name)?.options !== undefined);
  it.each(withOptions)("%s: an unknown option is a ValueError naming it", async (name, f) => {
    const spec = specOf(name)!;
    const args = spec.args();
    const p = spec.options!;
    args[p] = { ...(args[p] as object), bogusOption: 1 };
    let error: unknown = "no error: the option was ignored";
    try {
      await call(name, f, args);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(api.ValueError);
    expect((error as Error).message).toContain('"bogusOption"');
  });
});

describe("data sets say what they expected", () => {
  it("TensorDataset wants Tensors and points a RawDataset at fromRaw", () => {
    const raw = api.moons(10);
    expect(() => new api.TensorDataset(raw.x as never, raw.y as never)).toThrow(
      "TensorDataset: argument 0 must be a Tensor, found a Float32Array; wrap it with tensor(values, { shape }), or use fromRaw(raw) for a RawDataset",
    );
    expect(() => new api.TensorDataset(tensor([1, 2]), [0, 1] as never)).toThrow("TensorDataset: argument 1 must be a Tensor, found an array");
    const ds = api.fromRaw(raw);
    expect(ds.length).toBe(10);
    expect(ds.tensors[0].shape).toEqual([10, 2]);
    expect(() => ds.get(1.5)).toThrow("TensorDataset: index 1.5 is out of range for 10 samples");
    expect(() => api.fromRaw({ x: [1, 2] } as never)).toThrow("fromRaw: expected a RawDataset { x: Float32Array, y: Int32Array, n, sampleShape, classes }, found an object");
  });

  it("DataLoader checks its data set and options", () => {
    expect(() => new api.DataLoader([1, 2] as never)).toThrow("DataLoader: expected a Dataset (a length and get(index)), found an array");
    expect(() => new api.DataLoader(dataset(), { batchsize: 2 } as never)).toThrow('DataLoader: unknown option "batchsize" (did you mean "batchSize"?)');
    expect(() => new api.DataLoader(dataset(), { generator: 0 } as never)).toThrow("DataLoader: generator must be a Generator, found a number (0)");
    expect(() => new api.DataLoader(dataset(), { generator: new api.Generator(1), seed: 2 })).toThrow("DataLoader: give generator or seed, not both");
    expect(() => new api.DataLoader(dataset(), 64 as never)).toThrow("DataLoader: expected an options object, found number");
    expect(() => new (api.DataLoader as unknown as new (...a: unknown[]) => unknown)(dataset(), {}, true)).toThrow("DataLoader: takes (dataset, { batchSize, shuffle, dropLast, generator, seed }), found 3 arguments");
    expect(() => (api.fromRaw as (...a: unknown[]) => unknown)(api.moons(4), [1, 2])).toThrow("fromRaw: takes one RawDataset, found 2 arguments");
  });
});
