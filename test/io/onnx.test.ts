import * as ort from "onnxruntime-node";
import protobuf from "protobufjs/light.js";
import { describe, expect, it } from "vitest";
import { FormatError, ValueError } from "../../src/errors.js";
import { ONNX_SCHEMA } from "../../src/io/onnx-schema.js";
import { Generator, type Module, type Tensor, buildModel, fromOnnx, mlp, nn, noGrad, randn, tensor, toOnnx } from "../../src/index.js";
import { loadDigits } from "../../src/node/digits.js";

/**
 * Every model is exported, run in ONNX Runtime (onnxruntime-node) and compared with chainrule's own
 * output in eval mode, within 1e-5, on random inputs of two batch sizes (the batch axis is dynamic) and
 * on pixels of the test digits;
 * then imported back (fromOnnx), compared again, and exported once more.
 */

const TOL = 1e-5;
const testDigits = loadDigits("test");
/** `n` samples of `shape` cut from the test digits' pixels, starting inside the first digit (so not all zeros). */
const digitPixels = (n: number, shape: number[]) => {
  const size = n * shape.reduce((a, b) => a * b, 1);
  return tensor(testDigits.x.slice(200, 200 + size), { shape: [n, ...shape] });
};
const g = () => new Generator(7);

async function runOrt(bytes: Uint8Array, x: Tensor, name = "input"): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ [name]: new ort.Tensor("float32", Float32Array.from(x.data), [...x.shape]) });
  const y = out[session.outputNames[0]];
  return { data: y.data as Float32Array, dims: y.dims };
}

const ours = (m: Module, x: Tensor) => noGrad(() => m.eval().call(x));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** Random weights everywhere (BatchNorm's running statistics and LayerNorm's affine included), so nothing is trivially 0 or 1. */
function randomize(m: Module): Module {
  const r = new Generator(3);
  for (const [name, t] of Object.entries(m.stateDict())) {
    if (t.dtype !== "float32") continue;
    const v = randn(t.shape, { generator: r }).data;
    for (let i = 0; i < t.size; i++) t.data[i] = name.endsWith("running_var") ? 0.5 + Math.abs(v[i]) : name.endsWith("weight") && name.includes("norm") ? 1 + 0.3 * v[i] : t.data[i] + 0.1 * v[i];
  }
  return m;
}

async function check(m: Module, inputShape: number[], opts: { opset?: number; x?: Tensor } = {}): Promise<number> {
  const bytes = toOnnx(m, { inputShape, ...(opts.opset ? { opset: opts.opset } : {}) });
  let worst = 0;
  for (const x of opts.x ? [opts.x] : [randn([3, ...inputShape], { generator: g() }), randn([1, ...inputShape], { generator: g() }), digitPixels(4, inputShape)]) {
    const expected = ours(m, x);
    const got = await runOrt(bytes, x);
    expect(got.dims).toEqual(expected.shape);
    worst = Math.max(worst, maxDiff(got.data, expected.data));
    const back = fromOnnx(bytes);
    expect(maxDiff(ours(back.model, x).data, expected.data)).toBeLessThanOrEqual(1e-6);
    expect(back.input.shape).toEqual(inputShape);
    const again = await runOrt(toOnnx(back.model, { inputShape }), x);
    expect(maxDiff(again.data, expected.data)).toBeLessThanOrEqual(TOL);
  }
  expect(worst).toBeLessThanOrEqual(TOL);
  return worst;
}

const lin = (i: number, o: number, bias = true) => new nn.Linear(i, o, { generator: g(), bias });

const CASES: [string, () => Module, number[]][] = [
  ["Linear (Gemm)", () => new nn.Sequential(lin(6, 5)), [6]],
  ["Linear without bias", () => new nn.Sequential(lin(6, 5, false)), [6]],
  ["Linear on [N, L, F] (MatMul + Add)", () => new nn.Sequential(lin(4, 3), new nn.ReLU(), lin(3, 2, false)), [5, 4]],
  ["ReLU", () => new nn.Sequential(lin(6, 5), new nn.ReLU()), [6]],
  ["LeakyReLU", () => new nn.Sequential(lin(6, 5), new nn.LeakyReLU(0.2)), [6]],
  ["LeakyReLU with slope 0, and Softmax over axis 0 (attributes of value 0 are written)", () => new nn.Sequential(lin(6, 5), new nn.LeakyReLU(0), new nn.Softmax(0)), [6]],
  ["Sigmoid", () => new nn.Sequential(lin(6, 5), new nn.Sigmoid()), [6]],
  ["Tanh", () => new nn.Sequential(lin(6, 5), new nn.Tanh()), [6]],
  ["GELU", () => new nn.Sequential(lin(6, 5), new nn.GELU()), [6]],
  ["Softmax", () => new nn.Sequential(lin(6, 5), new nn.Softmax(-1)), [6]],
  ["Softmax over axis 1 of [N, C, L]", () => new nn.Sequential(new nn.Softmax(1)), [3, 4]],
  ["LogSoftmax and Identity", () => new nn.Sequential(lin(6, 5), new nn.Identity(), new nn.LogSoftmax(-1)), [6]],
  ["Flatten", () => new nn.Sequential(new nn.Flatten(), lin(12, 3)), [3, 4]],
  ["Flatten of middle axes (Reshape)", () => new nn.Sequential(new nn.Flatten(1, 2), new nn.Tanh()), [2, 3, 4]],
  ["Flatten of trailing axes (Reshape)", () => new nn.Sequential(new nn.Flatten(2), new nn.Sigmoid()), [2, 3, 4]],
  ["Dropout (the identity)", () => new nn.Sequential(lin(6, 5), new nn.Dropout(0.3)), [6]],
  ["BatchNorm1d on [N, C]", () => randomize(new nn.Sequential(lin(6, 5), new nn.BatchNorm1d(5))), [6]],
  ["BatchNorm1d on [N, C, L], without affine", () => randomize(new nn.Sequential(new nn.BatchNorm1d(4, { affine: false, momentum: 0.2 }))), [4, 3]],
  ["LayerNorm", () => randomize(new nn.Sequential(lin(6, 5), new nn.LayerNorm(5))), [6]],
  ["LayerNorm over two axes, without bias", () => randomize(new nn.Sequential(new nn.LayerNorm([3, 4], { bias: false, eps: 1e-3 }))), [3, 4]],
  ["Conv2d", () => new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1, generator: g() })), [2, 7, 7]],
  ["Conv2d strided, dilated, grouped, without bias", () => new nn.Sequential(new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: 2, groups: 2, bias: false, generator: g() })), [4, 9, 8]],
  ["MaxPool2d", () => new nn.Sequential(new nn.MaxPool2d(2)), [3, 8, 8]],
  ["MaxPool2d strided, padded, ceil mode", () => new nn.Sequential(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })), [2, 9, 9]],
  ["Residual", () => new nn.Sequential(lin(6, 6), new nn.Residual(new nn.Sequential(lin(6, 6), new nn.ReLU()))), [6]],
  ["Residual nested in Residual, and nested Sequentials", () =>
    new nn.Sequential(new nn.Residual(new nn.Sequential(lin(5, 5), new nn.Tanh(), new nn.Residual(lin(5, 5)), new nn.Sequential(new nn.GELU(), lin(5, 5)))), new nn.Residual(new nn.ReLU()), lin(5, 2)), [5]],
];

describe("toOnnx runs in ONNX Runtime as in chainrule, for each layer", () => {
  it.each(CASES)("%s", async (name, make, shape) => {
    console.log(`ONNX Runtime vs chainrule, ${name}: max |Δ| = ${(await check(make(), shape)).toExponential(2)}`);
  });

  it("GELU as one Gelu node from opset 20, and opset 13 for a model without LayerNorm", async () => {
    await check(new nn.Sequential(lin(6, 5), new nn.GELU()), [6], { opset: 20 });
    await check(new nn.Sequential(lin(6, 5), new nn.GELU(), new nn.BatchNorm1d(5)), [6], { opset: 13 });
  });
});

const CNN = {
  layers: [
    { type: "Conv2d", in: 1, out: 8, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Conv2d", in: 8, out: 16, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Flatten" }, { type: "Linear", in: 784, out: 64 }, { type: "ReLU" }, { type: "Linear", in: 64, out: 10 },
  ],
};

describe("the CLI's recipes, on test digits and random inputs", () => {
  const batch = (shape: number[]) => tensor(testDigits.x.subarray(0, 64 * 784), { shape: [64, ...shape] });

  it("the default MLP 784-1024-512-10", async () => {
    const m = mlp("784-1024-512-10", { generator: new Generator(0) });
    const digitsDiff = await check(m, [784], { x: batch([784]) }), randomDiff = await check(m, [784]);
    console.log(`ONNX Runtime vs chainrule, MLP 784-1024-512-10: max |Δ| = ${digitsDiff.toExponential(2)} on 64 test digits, ${randomDiff.toExponential(2)} on random inputs`);
  }, 60_000);

  it("the CNN of the README (cnn.json)", async () => {
    const m = buildModel(CNN, { generator: new Generator(0) });
    const digitsDiff = await check(m, [1, 28, 28], { x: batch([1, 28, 28]) }), randomDiff = await check(m, [1, 28, 28]);
    console.log(`ONNX Runtime vs chainrule, CNN: max |Δ| = ${digitsDiff.toExponential(2)} on 64 test digits, ${randomDiff.toExponential(2)} on random inputs`);
    expect(fromOnnx(toOnnx(m, { inputShape: [1, 28, 28] })).architecture).toEqual({
      layers: CNN.layers.map((l) => (l.type === "Linear" ? l : l.type === "Conv2d" ? { ...l, stride: 1, dilation: 1, groups: 1, bias: true } : l.type === "MaxPool2d" ? { ...l, stride: 2, padding: 0, dilation: 1, ceilMode: false } : l)),
    });
  }, 60_000);
});

const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType("onnx.ModelProto");
type Obj = Record<string, any>;
const decode = (b: Uint8Array) => ModelProto.toObject(ModelProto.decode(b), { longs: Number, arrays: true }) as Obj;
const encode = (o: Obj) => ModelProto.encode(ModelProto.fromObject(o)).finish();

describe("the ONNX file", () => {
  it("has a dynamic batch axis, the names given, opset 17 by default, state-dict names, and metadata_props", () => {
    const m = new nn.Sequential(lin(4, 3), new nn.ReLU());
    const o = decode(toOnnx(m, { inputShape: [4], inputName: "pixels", outputName: "logits", labelNames: ["a", "b", "c"] }));
    expect(o.opset_import).toEqual([{ domain: "", version: 17 }]);
    expect(o.ir_version).toBe(8);
    expect(o.graph.input[0].name).toBe("pixels");
    expect(o.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: "batch" }, { dim_value: 4 }]);
    expect(o.graph.output[0]).toMatchObject({ name: "logits", type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: "batch" }, { dim_value: 3 }] } } } });
    expect(o.graph.initializer.map((t: Obj) => t.name)).toEqual(["0.bias", "0.weight"]);
    expect(o.graph.node.map((n: Obj) => n.op_type)).toEqual(["Gemm", "Relu"]);
    expect(Object.fromEntries(o.metadata_props.map((p: Obj) => [p.key, p.value]))).toEqual({
      input_name: "pixels", output_name: "logits", input_shape: "[4]", label_names: '["a","b","c"]',
    });
    expect(fromOnnx(encode(o)).input).toEqual({ shape: [4], labelNames: ["a", "b", "c"] });
  });

  it("runs under its own input name in ONNX Runtime", async () => {
    const m = new nn.Sequential(lin(4, 3));
    const x = randn([2, 4], { generator: g() });
    const got = await runOrt(toOnnx(m, { inputShape: [4], inputName: "pixels" }), x, "pixels");
    expect(maxDiff(got.data, ours(m, x).data)).toBeLessThanOrEqual(TOL);
  });

  it("keeps the model's training mode as it was", () => {
    const m = new nn.Sequential(lin(4, 3), new nn.Dropout(0.5));
    m.at(1).eval();
    toOnnx(m, { inputShape: [4] });
    expect([m.training, m.at(0).training, m.at(1).training]).toEqual([true, true, false]);
  });
});

describe("bad input: errors that name what was expected and what was found", () => {
  const m = () => new nn.Sequential(lin(4, 3), new nn.ReLU());
  it("a layer without an ONNX mapping is named with its path", () => {
    class Square extends nn.Module {
      forward(x: Tensor) { return x.mul(x); }
    }
    const bad = new nn.Sequential(lin(4, 4), new nn.Residual(new nn.Sequential(new nn.ReLU(), new Square())));
    expect(() => toOnnx(bad, { inputShape: [4] })).toThrow(ValueError);
    expect(() => toOnnx(bad, { inputShape: [4] })).toThrow(/layer "1\.fn\.1" is a Square, which has no ONNX mapping; supported: Sequential, Residual, Linear/);
  });

  it("options are checked", () => {
    expect(() => toOnnx(m(), { inputShape: [4], opset: 12 })).toThrow(/opset must be an integer from 13 to 22, found 12/);
    expect(() => toOnnx(m(), { inputShape: [4], opsett: 17 } as never)).toThrow(/unknown option "opsett" \(did you mean "opset"\?\)/);
    expect(() => toOnnx(m(), {} as never)).toThrow(/inputShape must be one sample's shape/);
    expect(() => toOnnx(m(), { inputShape: [5] })).toThrow(/the model does not take inputs of shape \[N, 5\]/);
    expect(() => toOnnx(new nn.Sequential(new nn.LayerNorm(4)), { inputShape: [4], opset: 13 })).toThrow(/layer "0" \(LayerNorm\) needs opset 17 or later/);
    expect(() => toOnnx(new nn.Sequential(new nn.BatchNorm1d(4, { trackRunningStats: false })), { inputShape: [4] })).toThrow(/keeps no running statistics/);
    expect(() => fromOnnx(toOnnx(m(), { inputShape: [4] }), { sorce: "x" } as never)).toThrow(/unknown option "sorce"/);
  });

  it("bytes that are not ONNX are a FormatError", () => {
    expect(() => fromOnnx(new TextEncoder().encode("# README\nhello"), { source: "README.md" })).toThrow(FormatError);
    expect(() => fromOnnx(new Uint8Array([0xff, 0xff, 0xff]), { source: "x.onnx" })).toThrow(/x\.onnx is not an ONNX model/);
    expect(() => fromOnnx(new Uint8Array(0))).toThrow(/has no graph of nodes/);
    expect(() => fromOnnx("model.onnx" as never)).toThrow(/expected the model's bytes as a Uint8Array, found a string/);
  });

  it("an unsupported node is named with its position", () => {
    const o = decode(toOnnx(m(), { inputShape: [4] }));
    o.graph.node[1].op_type = "Cos";
    expect(() => fromOnnx(encode(o), { source: "m.onnx" })).toThrow(/^m\.onnx: node 1 \(Cos "Relu_1"\): this operator has no chainrule layer; supported: Gemm/);
    o.graph.node[1].op_type = "BatchNormalization";
    o.graph.node[1].input = ["0", "0.bias", "0.bias", "0.bias", "0.bias"];
    o.graph.node[1].attribute = [{ name: "training_mode", type: 2, i: 1 }];
    expect(() => fromOnnx(encode(o))).toThrow(/node 1 \(BatchNormalization "Relu_1"\): only inference mode/);
  });

  it("a graph that is not a chain of layers names the node", () => {
    const o = decode(toOnnx(new nn.Sequential(lin(4, 4), new nn.ReLU(), new nn.Tanh()), { inputShape: [4] }));
    o.graph.node[2].input = ["input"];
    expect(() => fromOnnx(encode(o))).toThrow(/node 2 \(Tanh "Tanh_2"\): reads "input", not "1", the output of the layer before it/);
    o.graph.input[0].type.tensor_type.elem_type = 7;
    expect(() => fromOnnx(encode(o))).toThrow(/input "input" must be float32 \(elem_type 1\), found elem_type 7/);
  });
});

describe("fromOnnx on damaged files", () => {
  it("answers random bytes and random damage to a real model with the library's errors, never a TypeError", async () => {
    const { ChainruleError } = await import("../../src/errors.js");
    const fc = (await import("fast-check")).default;
    const good = toOnnx(new nn.Sequential(new nn.Conv2d(1, 2, 3, { generator: g() }), new nn.ReLU(), new nn.Flatten(), lin(8, 3), new nn.BatchNorm1d(3)), { inputShape: [1, 4, 4] });
    const outcome = (b: Uint8Array) => {
      try {
        fromOnnx(b);
        return true;
      } catch (e) {
        return e instanceof ChainruleError ? true : e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => outcome(b) === true), { numRuns: 3000 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
      const b = good.slice();
      for (const [i, v] of flips) b[i] = v;
      return outcome(b) === true;
    }), { numRuns: 5000 });
    fc.assert(fc.property(fc.nat(good.length), (n) => outcome(good.subarray(0, n)) === true), { numRuns: 200 });
  });
});
