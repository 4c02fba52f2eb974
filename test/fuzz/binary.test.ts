// Fuzzing the binary readers: safetensors (header, tensors, checkpoints), IDX (parseIdx, and the
// node reader on plain and gzip files) and ONNX. Mutants of valid files (bit flips, interesting
// 32-bit values written over sizes and offsets, truncation, insertion, duplication) and random bytes.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import protobuf from "protobufjs/light.js";
import { ONNX_SCHEMA } from "../../src/io/onnx-schema.js";
import { describe, expect, it } from "vitest";
import { Generator, SGD, encodeCheckpoint, encodeSafetensors, mlp, nn, randn, toOnnx } from "../../src/index.js";
import { enabled, fuzz, mutatedBytes, report } from "./harness.js";
import { type IdxPair, TARGETS } from "./targets.js";

const BOUNDED = 300;
const randomBytes = fc.uint8Array({ maxLength: 256 });
const withRandom = (seeds: Uint8Array[]) => fc.oneof({ weight: 4, arbitrary: mutatedBytes(seeds) }, { weight: 1, arbitrary: randomBytes });

function checkpointSeed(): Uint8Array {
  const g = new Generator(1);
  const model = new nn.Sequential(new nn.Linear(3, 4, { generator: g }), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2, { generator: g }));
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  model.call(randn([2, 3], { generator: g })).sum().backward();
  optimizer.step();
  return encodeCheckpoint(model, { architecture: { layers: [{ type: "Linear", in: 3, out: 4 }, { type: "BatchNorm1d", features: 4 }, { type: "ReLU" }, { type: "Linear", in: 4, out: 2 }] }, input: { shape: [3] }, training: { epoch: 0, history: [] }, optimizer });
}

const SAFETENSORS_SEEDS = (() => {
  const seeds = [
    encodeSafetensors({ a: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { format: "pt" }),
    encodeSafetensors({
      h: { dtype: "F16", shape: [3], data: new Float32Array([1, -2, 65504]) },
      b: { dtype: "BF16", shape: [1, 2], data: new Float32Array([0.5, 3]) },
      l: { shape: [2], data: new BigInt64Array([1n, -5n]) },
      i: { shape: [0, 3], data: new Int32Array(0) },
      u: { dtype: "BOOL", shape: [2], data: new Uint8Array([0, 1]) },
      d: { shape: [], data: new Float64Array([Math.PI]) },
    }),
  ];
  seeds.push(checkpointSeed());
  return seeds;
})();

describe.runIf(enabled("safetensors"))("fuzz: safetensors", () => {
  it("the seeds are valid files", () => {
    for (const s of SAFETENSORS_SEEDS) expect(TARGETS["safetensors/decode"](s).outcome).toBe("returned");
  });
  for (const target of ["safetensors/header", "safetensors/decode", "safetensors/checkpoint"]) {
    it(`${target} returns or throws a ChainruleError, allocating no more than the file holds`, async () => {
      await fuzz(target, withRandom(SAFETENSORS_SEEDS), TARGETS[target], BOUNDED);
      console.log(report(target));
    });
  }
});

function idx(type: number, shape: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setInt32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
const IMAGES = idx(0x08, [3, 2, 2], Uint8Array.from({ length: 12 }, (_, i) => i * 20));
const LABELS = idx(0x08, [3], new Uint8Array([0, 2, 1]));
const IDX_SEEDS = [IMAGES, LABELS, idx(0x0d, [2, 1], new Uint8Array(8)), idx(0x0e, [1], new Uint8Array(8)), idx(0x0b, [2], new Uint8Array(4)), idx(0x09, [], new Uint8Array(1))];

describe.runIf(enabled("idx"))("fuzz: IDX", () => {
  it("parseIdx returns or throws a ChainruleError, allocating no more than the file holds", async () => {
    await fuzz("idx/parse", withRandom(IDX_SEEDS), TARGETS["idx/parse"], BOUNDED);
    console.log(report("idx/parse"));
  });
  it("the node reader, on plain and gzip files, returns or throws a ChainruleError", async () => {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
    const gzImages = gzipSync(IMAGES), gzLabels = gzipSync(LABELS);
    const pairs: fc.Arbitrary<IdxPair> = fc.oneof(
      // plain files, or gzip of the mutated plain bytes
      fc.record({ images: mutatedBytes([IMAGES]).map(b64), labels: mutatedBytes([LABELS]).map(b64), gzip: fc.boolean() }),
      // a mutated gzip stream (a corrupt or truncated .gz)
      fc.record({ images: mutatedBytes([gzImages]).map(b64), labels: fc.constant(b64(gzLabels)), gzip: fc.constant(true) }),
      fc.record({ images: fc.constant(b64(gzImages)), labels: mutatedBytes([gzLabels]).map(b64), gzip: fc.constant(true) }),
    );
    expect(TARGETS["idx/node"]({ images: b64(IMAGES), labels: b64(LABELS), gzip: true }).outcome).toBe("returned");
    await fuzz("idx/node", pairs, TARGETS["idx/node"], BOUNDED / 3);
    console.log(report("idx/node"));
  });
  it("a gzip bomb is a FormatError, not an allocation: the stream may not inflate past what its IDX header declares", () => {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
    // 4 MiB of zeros after a header that declares 3 labels
    const bomb = gzipSync(Uint8Array.from([...LABELS, ...new Uint8Array(4 << 20)]));
    const v = TARGETS["idx/node"]({ images: b64(gzipSync(IMAGES)), labels: b64(bomb), gzip: true });
    expect(v.outcome).toBe("FormatError");
    // a header that declares 2^31·2^31 bytes behind a 40-byte stream
    const huge = gzipSync(idx(0x08, [0x7fffffff, 0x7fffffff, 1], new Uint8Array(0)));
    expect(TARGETS["idx/node"]({ images: b64(huge), labels: b64(gzipSync(LABELS)), gzip: true }).outcome).toBe("FormatError");
  });
});

const ONNX_SEEDS = (() => {
  const g = new Generator(2);
  const seeds = [toOnnx(mlp("4-3-2", { generator: g }).eval(), { inputShape: [4] })];
  const cnn = new nn.Sequential(
    new nn.Conv2d(1, 2, 3, { padding: 1, generator: g }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.BatchNorm1d(8), new nn.Linear(8, 3, { generator: g }),
  ).eval();
  seeds.push(toOnnx(cnn, { inputShape: [1, 4, 4], labelNames: ["a", "b", "c"] }));
  const res = new nn.Sequential(new nn.Linear(3, 3, { generator: g }), new nn.Residual(new nn.Sequential(new nn.LayerNorm([3]), new nn.GELU(), new nn.Linear(3, 3, { generator: g }))), new nn.Tanh()).eval();
  seeds.push(toOnnx(res, { inputShape: [3] }));
  return seeds;
})();

const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA as never).lookupType("onnx.ModelProto");
const ONNX_VALUES = [0, 1, -1, 2, 3, 7, 1e9, 2 ** 31, 2 ** 53, 0.5, NaN, "", "Gemm", "MatMul", "Conv", "Relu", "Add", "Reshape", "Flatten", "MaxPool", "Constant", "Identity", "Cos", "input", "output"];

/** Structure-aware ONNX mutants: a field of the decoded seed (a dim, an attribute, an op type, a list) changed, then re-encoded. */
const onnxStructured = fc
  .tuple(
    fc.constantFrom(...ONNX_SEEDS.map((b) => ModelProto.toObject(ModelProto.decode(b), { longs: Number, arrays: true }))),
    fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom("set", "drop", "dup", "swap"), value: fc.constantFrom(...ONNX_VALUES) }), { minLength: 1, maxLength: 4 }),
  )
  .map(([seed, edits]) => {
    const obj = structuredClone(seed);
    for (const e of edits) {
      const slots: [any, string | number][] = [];
      const walk = (o: any) => {
        if (o === null || typeof o !== "object" || ArrayBuffer.isView(o)) return;
        for (const k of Object.keys(o)) {
          slots.push([o, Array.isArray(o) ? Number(k) : k]);
          walk(o[k]);
        }
      };
      walk(obj);
      const [parent, key] = slots[e.at % slots.length];
      const old = parent[key];
      if (Array.isArray(parent) && e.op === "drop") parent.splice(key as number, 1);
      else if (Array.isArray(parent) && e.op === "dup") parent.splice(key as number, 0, structuredClone(old));
      else if (Array.isArray(parent) && e.op === "swap" && parent.length > 1) [parent[0], parent[key as number]] = [parent[key as number], parent[0]];
      else if (ArrayBuffer.isView(old)) parent[key] = (old as Uint8Array).subarray(0, Math.max(0, (old as Uint8Array).length - 4));
      else if (typeof old === "number") parent[key] = typeof e.value === "number" ? e.value : old + 1;
      else if (typeof old === "string") parent[key] = typeof e.value === "string" ? e.value : old + "_";
      else if (typeof old !== "object") parent[key] = e.value;
    }
    try {
      return ModelProto.encode(ModelProto.fromObject(obj)).finish();
    } catch {
      return ONNX_SEEDS[0];
    }
  });

describe.runIf(enabled("onnx"))("fuzz: ONNX", () => {
  it("the seeds import", () => {
    for (const s of ONNX_SEEDS) expect(TARGETS["onnx/fromOnnx"](s).outcome).toBe("returned");
  });
  it("fromOnnx returns or throws a ChainruleError, building no model larger than the file", async () => {
    await fuzz("onnx/fromOnnx", fc.oneof(withRandom(ONNX_SEEDS), onnxStructured, onnxStructured), TARGETS["onnx/fromOnnx"], BOUNDED);
    console.log(report("onnx/fromOnnx"));
  });
});
