import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, type ModelSpec, buildModel, nn, noGrad, tensor, toOnnx } from "../../src/index.js";
import { loadCheckpoint, loadDigits, saveCheckpoint } from "../../src/node/index.js";
import { cli } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-onnx-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CNN: ModelSpec = { layers: [
  { type: "Conv2d", in: 1, out: 8, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
  { type: "Conv2d", in: 8, out: 16, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
  { type: "Flatten" }, { type: "Linear", in: 784, out: 64 }, { type: "ReLU" }, { type: "Linear", in: 64, out: 10 },
] };

describe("chainrule export and chainrule import", () => {
  it("export writes an ONNX file that ONNX Runtime runs as chainrule does, on test digits; import brings it back to a checkpoint that eval reads", async () => {
    const model = buildModel(CNN, { generator: new Generator(0) });
    const ckpt = join(dir, "cnn.safetensors"), onnx = join(dir, "cnn.onnx"), back = join(dir, "back.safetensors");
    saveCheckpoint(ckpt, model, { architecture: CNN, input: { shape: [1, 28, 28] } });
    const e = cli("export", ckpt, "--onnx", onnx);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toBe(`wrote ${onnx} (ONNX opset 17, input "input" [batch, 1, 28, 28], output "output")\n`);
    const x = tensor(loadDigits("test").x.subarray(0, 32 * 784), { shape: [32, 1, 28, 28] });
    const session = await ort.InferenceSession.create(onnx);
    const y = (await session.run({ input: new ort.Tensor("float32", Float32Array.from(x.data), [32, 1, 28, 28]) })).output.data as Float32Array;
    const want = noGrad(() => model.eval().call(x)).data;
    expect(Math.max(...Array.from(want, (v, i) => Math.abs(v - y[i])))).toBeLessThanOrEqual(1e-5);

    const i = cli("import", onnx, "--out", back);
    expect(i.code, i.err).toBe(0);
    expect(i.out).toMatch(/^wrote \S+back\.safetensors: 10 layers \(Conv2d, ReLU, MaxPool2d, Conv2d, ReLU, MaxPool2d, Flatten, Linear, ReLU, Linear\), input \[N, 1, 28, 28\], 52,138 parameters\n$/);
    const restored = loadCheckpoint(back);
    const again = buildModel(restored.architecture!);
    again.loadStateDict(restored.state);
    expect(Array.from(noGrad(() => again.eval().call(x)).data)).toEqual(Array.from(want));
    const [a, b] = [cli("eval", ckpt, "--json"), cli("eval", back, "--json")].map((r) => JSON.parse(r.out));
    expect(b.accuracy).toBe(a.accuracy);
    expect(b.loss).toBeCloseTo(a.loss, 6);
  }, 120_000);

  it("export takes --opset and --input, and keeps label names", () => {
    const spec: ModelSpec = { layers: [{ type: "Linear", in: 4, out: 3 }, { type: "GELU" }] };
    const ckpt = join(dir, "mlp.safetensors"), onnx = join(dir, "mlp.onnx");
    saveCheckpoint(ckpt, buildModel(spec), { architecture: spec, input: { shape: [4], labelNames: ["a", "b", "c"] } });
    const r = cli("export", ckpt, "--onnx", onnx, "--opset", "20", "--input", "4");
    expect(r.out).toContain("ONNX opset 20");
    expect(readFileSync(onnx).includes(Buffer.from("Gelu"))).toBe(true);
    const i = cli("import", onnx, "--out", join(dir, "mlp-back.safetensors"));
    expect(i.code, i.err).toBe(0);
    expect(loadCheckpoint(join(dir, "mlp-back.safetensors")).input).toEqual({ shape: [4], labelNames: ["a", "b", "c"] });
  });

  it("import of a model with skip connections writes the weights and says why there is no architecture", () => {
    const onnx = join(dir, "res.onnx");
    writeFileSync(onnx, toOnnx(new nn.Sequential(new nn.Linear(4, 4), new nn.Residual(new nn.ReLU())), { inputShape: [4] }));
    const r = cli("import", onnx, "--out", join(dir, "res.safetensors"));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/note: a model\.json cannot describe every layer/);
    expect(Object.keys(loadCheckpoint(join(dir, "res.safetensors")).state)).toEqual(["0.weight", "0.bias"]);
  });

  it.each([
    [["export", "README.md", "--onnx", "x.onnx"], /^chainrule: README\.md is not a safetensors file/],
    [["export", "/nonexistent/c.safetensors", "--onnx", "x.onnx"], /^chainrule: checkpoint not found: \/nonexistent\/c\.safetensors/],
    [["export", "README.md"], /required option '--onnx <file>' not specified/],
    [["import", "README.md", "--out", "x.safetensors"], /^chainrule: README\.md is not an ONNX model/],
    [["import", "/nonexistent/m.onnx", "--out", "x.safetensors"], /^chainrule: ONNX model not found: \/nonexistent\/m\.onnx/],
    [["import", "README.md"], /required option '--out <checkpoint>' not specified/],
  ])("bad usage: %j", (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("bad flags and checkpoints name what was expected", () => {
    const spec: ModelSpec = { layers: [{ type: "Linear", in: 4, out: 3 }] };
    const ckpt = join(dir, "plain.safetensors");
    saveCheckpoint(ckpt, buildModel(spec), { architecture: spec, input: { shape: [4] } });
    expect(cli("export", ckpt, "--onnx", join(dir, "p.onnx"), "--opset", "12").err).toMatch(/^chainrule: --opset: expected an integer in \[13, 23\), found "12"/);
    saveCheckpoint(join(dir, "bare.safetensors"), buildModel(spec));
    expect(cli("export", join(dir, "bare.safetensors"), "--onnx", join(dir, "p.onnx")).err).toMatch(/holds no architecture/);
  });
});
