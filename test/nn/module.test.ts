import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import { BatchNorm1d, Conv2d, Dropout, Flatten, Linear, Module, ReLU, Residual, Sequential, functionalCall } from "../../src/nn/index.js";
import { ones, tensor, zeros } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { rnd } from "./helpers.js";

class MLP extends Module {
  declare fc1: Linear;
  declare fc2: Linear;
  declare scale: Tensor;
  constructor() {
    super();
    this.registerModule("fc1", new Linear(4, 3, { generator: new Generator(1) }));
    this.registerModule("fc2", new Linear(3, 2, { generator: new Generator(2) }));
    this.registerParameter("scale", ones([2]));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.fc1.call(x).relu()).mul(this.scale);
  }
}

/** Registration through class fields instead of `declare` (the field shadows the accessor). */
class FieldStyle extends Module {
  lin = this.registerModule("lin", new Linear(2, 2));
  w = this.registerParameter("w", zeros([2, 2]));
  forward(x: Tensor): Tensor {
    return this.lin.call(x).matmul(this.w);
  }
}

const mnistMlp = () => new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));

describe("Module registration and names", () => {
  it("names parameters as PyTorch's state_dict: indices for Sequential, attribute paths otherwise", () => {
    expect(mnistMlp().namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(new MLP().namedParameters().map(([n]) => n)).toEqual(["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    const nested = new Sequential(new Flatten(), new Sequential(new Linear(2, 2), new ReLU(), new Residual(new Linear(2, 2))));
    expect(Object.keys(nested.stateDict())).toEqual(["1.0.weight", "1.0.bias", "1.2.fn.weight", "1.2.fn.bias"]);
  });

  it("keeps BatchNorm buffers under PyTorch's names and parameters apart from buffers", () => {
    const m = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
    expect(Object.keys(m.stateDict())).toEqual([
      "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
    ]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["1.running_mean", "1.running_var", "1.num_batches_tracked"]);
    expect(m.parameters()).toHaveLength(4);
    const bn = m.at(1) as BatchNorm1d;
    expect(bn.runningMean).toBe(m.buffers()[0]);
    expect(bn.numBatchesTracked!.dtype).toBe("int32");
  });

  it("makes parameters trainable and exposes registered values as properties", () => {
    const m = new MLP();
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(m.fc1.weight.shape).toEqual([3, 4]);
    expect(m.children()).toEqual([m.fc1, m.fc2]);
    expect(m.namedModules().map(([n]) => n)).toEqual(["", "fc1", "fc2"]);
    const w = zeros([3, 4]);
    m.fc1.weight = w;
    expect(m.stateDict()["fc1.weight"].data).toBe(w.data);
  });

  it("supports class-field registration", () => {
    const m = new FieldStyle().to("float64");
    expect(m.namedParameters().map(([n]) => n)).toEqual(["w", "lin.weight", "lin.bias"]);
    expect(m.w.dtype).toBe("float64");
    expect(m.w).toBe(m.parameters()[0]);
  });

  it("lists a shared tensor once in parameters() but under every name in stateDict()", () => {
    const a = new Linear(3, 3);
    const b = new Linear(3, 3);
    b.weight = a.weight;
    const m = new Sequential(a, b);
    expect(m.parameters()).toHaveLength(3);
    expect(Object.keys(m.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
  });

  it("rejects bad names and values", () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.registerParameter(name, zeros([1]));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Bad("a.b")).toThrow(ValueError);
    expect(() => new Bad("forward")).toThrow(/reserved/);
    expect(() => new Bad("training")).toThrow(/reserved/);
    const lin = new Linear(2, 2) as any;
    expect(() => (lin.weight = 3)).toThrow(ValueError);
  });

  it("counts parameters as in P3 (in·out + out per layer)", () => {
    const net = new Sequential(new Linear(80, 1024), new ReLU(), new Linear(1024, 512), new ReLU(), new Linear(512, 1));
    expect(net.numParameters()).toBe(80 * 1024 + 1024 + 1024 * 512 + 512 + 512 + 1);
    expect(net.numParameters()).toBe(608257);
    net.at(0).parameters().forEach((p) => (p.requiresGrad = false));
    expect(net.numParameters(true)).toBe(608257 - 82944);
  });
});

describe("Module state", () => {
  it("switches training mode recursively", () => {
    const m = new Sequential(new Dropout(0.5), new Residual(new Sequential(new Dropout(0.2))));
    m.eval();
    expect(m.namedModules().every(([, x]) => !x.training)).toBe(true);
    m.train();
    expect(m.namedModules().every(([, x]) => x.training)).toBe(true);
  });

  it("zeroGrad clears every gradient", () => {
    const m = new MLP();
    m.call(rnd([5, 4], 1).float()).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("to(dtype) converts parameters and float buffers in place of the old tensors", () => {
    const m = new Sequential(new Linear(3, 4), new BatchNorm1d(4)).to("float64");
    const bn = m.at(1) as BatchNorm1d;
    expect(m.parameters().every((p) => p.dtype === "float64" && p.requiresGrad)).toBe(true);
    expect(bn.runningVar!.dtype).toBe("float64");
    expect(bn.numBatchesTracked!.dtype).toBe("int32");
    expect((m.at(0) as Linear).weight).toBe(m.parameters()[0]);
    expect(m.call(rnd([5, 3], 1)).dtype).toBe("float64");
  });

  it("prints a PyTorch-like tree", () => {
    const m = new Sequential(new Linear(784, 256), new ReLU(), new Residual(new Linear(256, 256, { bias: false })), new Linear(256, 10));
    expect(m.toString()).toBe(
      [
        "Sequential(",
        "  (0): Linear(inFeatures=784, outFeatures=256, bias=true)",
        "  (1): ReLU()",
        "  (2): Residual(",
        "    (fn): Linear(inFeatures=256, outFeatures=256, bias=false)",
        "  )",
        "  (3): Linear(inFeatures=256, outFeatures=10, bias=true)",
        ")",
      ].join("\n"),
    );
    expect(String(new Conv2d(1, 8, 3, { padding: 1 }))).toBe("Conv2d(1, 8, kernelSize=[3, 3], stride=[1, 1], padding=[1, 1], bias=true)");
  });
});

describe("loadStateDict", () => {
  it("round-trips a state dict into a fresh model, copying into the existing tensors", () => {
    const src = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
    src.call(rnd([6, 3], 1).float());
    const dst = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
    const before = dst.parameters();
    expect(dst.loadStateDict(src.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(dst.parameters()).toEqual(before);
    for (const [k, t] of Object.entries(src.stateDict())) expect(Array.from(dst.stateDict()[k].data)).toEqual(Array.from(t.data));
    expect((dst.at(1) as BatchNorm1d).numBatchesTracked!.item()).toBe(1);
  });

  it("converts dtypes while copying", () => {
    const dst = new Linear(2, 1);
    dst.loadStateDict({ weight: tensor([[0.1, 0.2]], { dtype: "float64" }), bias: tensor([3], { dtype: "int32" }) });
    expect(dst.weight.dtype).toBe("float32");
    expect(dst.weight.data[0]).toBeCloseTo(0.1, 7);
    expect(dst.bias!.data[0]).toBe(3);
  });

  it("reports every missing key, unexpected key and shape mismatch at once, and copies nothing", () => {
    const m = mnistMlp();
    const w0 = Float32Array.from(m.at(0).parameters()[0].data);
    const sd = new Sequential(new Linear(128, 256), new ReLU(), new Linear(256, 10), new Linear(10, 2)).stateDict();
    delete sd["2.bias"];
    sd["0.weight"] = zeros([128, 784]);
    let err: unknown;
    try {
      m.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValueError);
    const msg = (err as Error).message;
    expect(msg).toContain(`missing keys: "2.bias"`);
    expect(msg).toContain(`unexpected keys: "3.weight", "3.bias"`);
    expect(msg).toContain(`"0.weight": expected shape [256, 784], found [128, 784]`);
    expect(m.at(0).parameters()[0].data.every((v, i) => v === w0[i])).toBe(true);
  });

  it("throws a ShapeError for shape mismatches alone, even when not strict", () => {
    const m = new Linear(3, 2);
    expect(() => m.loadStateDict({ weight: zeros([2, 4]), bias: zeros([2]) })).toThrow(ShapeError);
    expect(() => m.loadStateDict({ weight: zeros([2, 4]) }, { strict: false })).toThrow(/"weight": expected shape \[2, 3\], found \[2, 4\]/);
  });

  it("returns missing and unexpected keys when not strict", () => {
    const m = new Linear(3, 2);
    const r = m.loadStateDict({ weight: ones([2, 3]), extra: ones([1]) }, { strict: false });
    expect(r).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(Array.from(m.weight.data)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe("functionalCall", () => {
  it("runs with replaced tensors and restores the originals", () => {
    const m = new MLP();
    const w = zeros([2, 3]);
    const b = tensor([5, 6]);
    const y = functionalCall(m, { "fc2.weight": w, "fc2.bias": b }, ones([1, 4]));
    expect(Array.from(y.data)).toEqual([5, 6]);
    expect(m.fc2.weight).not.toBe(w);
    expect(m.fc2.bias).not.toBe(b);
    expect(() => functionalCall(m, { "fc3.weight": w }, ones([1, 4]))).toThrow(/no submodule "fc3"/);
    expect(() => functionalCall(m, { "fc1.scale": w }, ones([1, 4]))).toThrow(/no parameter or buffer "fc1.scale"/);
  });
});
