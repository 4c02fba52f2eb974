import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import { BatchNorm1d, Conv2d, Dropout, Flatten, Linear, Module, ModuleDict, ModuleList, ReLU, Residual, Sequential, functionalCall } from "../../src/nn/index.js";
import { SGD } from "../../src/optim/index.js";
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

/** Registration calls as class-field initializers (the field then defines the same value again). */
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
    // NOTE: there are no setters (fields are plain properties); a bad value is reported on the next walk.
    const lin = new Linear(2, 2) as any;
    lin.weight = 3;
    expect(() => lin.parameters()).toThrow(ValueError);
    expect(() => lin.parameters()).toThrow('Linear: "weight" is a parameter but holds number');
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

/** The way TypeScript users write a model: class fields, no registration calls. */
class Net extends Module {
  fc1 = new Linear(2, 16, { generator: new Generator(1) });
  act = new ReLU();
  fc2 = new Linear(16, 1, { generator: new Generator(2) });
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x)));
  }
}

/** The same model assigned in the constructor. */
class CtorNet extends Module {
  fc1: Linear;
  act: ReLU;
  fc2: Linear;
  constructor() {
    super();
    this.fc1 = new Linear(2, 16, { generator: new Generator(1) });
    this.act = new ReLU();
    this.fc2 = new Linear(16, 1, { generator: new Generator(2) });
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x)));
  }
}

const netTree = [
  "Net(",
  "  (fc1): Linear(inFeatures=2, outFeatures=16, bias=true)",
  "  (act): ReLU()",
  "  (fc2): Linear(inFeatures=16, outFeatures=1, bias=true)",
  ")",
].join("\n");

describe("Module field discovery (class fields, as PyTorch's __setattr__)", () => {
  it("finds class-field submodules in definition order, with PyTorch's state-dict names and tree", () => {
    const m = new Net();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect(m.parameters()).toEqual([m.fc1.weight, m.fc1.bias, m.fc2.weight, m.fc2.bias]);
    expect(Object.keys(m.stateDict())).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect(m.namedChildren().map(([n]) => n)).toEqual(["fc1", "act", "fc2"]);
    expect(m.numParameters()).toBe(2 * 16 + 16 + 16 + 1);
    expect(m.toString()).toBe(netTree);
  });

  it("works exactly like assignment in the constructor", () => {
    const a = new Net(), b = new CtorNet();
    expect(b.toString()).toBe(netTree.replace("Net(", "CtorNet("));
    expect(Object.keys(b.stateDict())).toEqual(Object.keys(a.stateDict()));
    const x = rnd([3, 2], 1).float();
    expect(Array.from(b.call(x).data)).toEqual(Array.from(a.call(x).data));
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it("reaches class-field submodules in train(), eval(), to(), zeroGrad() and functionalCall", () => {
    class Outer extends Module {
      drop = new Dropout(0.5);
      inner = new Net();
      forward(x: Tensor): Tensor {
        return this.inner.call(this.drop.call(x));
      }
    }
    const m = new Outer().eval();
    expect(m.namedModules().map(([n, x]) => [n, x.training])).toEqual([
      ["", false], ["drop", false], ["inner", false], ["inner.fc1", false], ["inner.act", false], ["inner.fc2", false],
    ]);
    m.to("float64");
    expect(m.inner.fc1.weight.dtype).toBe("float64");
    expect(m.parameters()[0]).toBe(m.inner.fc1.weight);
    const y = functionalCall(m, { "inner.fc2.bias": tensor([7], { dtype: "float64" }), "inner.fc2.weight": zeros([1, 16], { dtype: "float64" }) }, rnd([2, 2], 3));
    expect(Array.from(y.data)).toEqual([7, 7]);
    expect(m.inner.fc2.bias!.data[0]).not.toBe(7);
    m.call(rnd([2, 2], 3)).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("classifies tensor fields: requiresGrad leaves are parameters, registered buffers are buffers, other tensors are plain state", () => {
    class T extends Module {
      scale = ones([2]).requiresGrad_();
      table = zeros([3]);
      stats = this.registerBuffer("stats", zeros([2]));
      bias = this.registerParameter("bias", zeros([2]));
      forward(x: Tensor): Tensor {
        return x.mul(this.scale).add(this.bias);
      }
    }
    const m = new T();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["scale", "bias"]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["stats"]);
    expect(Object.keys(m.stateDict())).toEqual(["scale", "bias", "stats"]);
    expect(m.bias.requiresGrad).toBe(true);
    m.scale.requiresGrad = false;
    expect(m.namedParameters().map(([n]) => n)).toEqual(["scale", "bias"]);
    expect(m.numParameters(true)).toBe(2);
    const s2 = ones([2]);
    m.scale = s2;
    expect(m.parameters()[0]).toBe(s2);
  });

  it("reassigning a field replaces the module, its parameters and its state-dict entries", () => {
    const m = new Net();
    const old = m.fc1.weight;
    m.fc1 = new Linear(2, 16, { bias: false });
    expect(m.parameters()).not.toContain(old);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["fc1.weight", "fc2.weight", "fc2.bias"]);
    expect(m.toString()).toContain("(fc1): Linear(inFeatures=2, outFeatures=16, bias=false)");
    (m as any).act = new Sequential(new ReLU(), new Dropout(0.1));
    expect(m.namedModules().map(([n]) => n)).toEqual(["", "fc1", "act", "act.0", "act.1", "fc2"]);
  });

  it("an optimizer trains a class-field model (the loss goes down)", () => {
    const m = new Net();
    const x = rnd([16, 2], 4).float();
    const t = x.sum(1, true).relu();
    const opt = new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
    expect(opt.params).toHaveLength(4);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const d = m.call(x).sub(t);
      const loss = d.mul(d).mean();
      losses.push(loss.item());
      loss.backward();
      opt.step();
    }
    expect(losses[29]).toBeLessThan(0.5 * losses[0]);
  });

  it("does not look into plain arrays (as PyTorch); ModuleList holds a list of modules", () => {
    class Plain extends Module {
      layers = [new Linear(2, 2), new Linear(2, 2)];
      forward(x: Tensor): Tensor {
        return this.layers.reduce((h, l) => l.call(h), x);
      }
    }
    expect(new Plain().parameters()).toHaveLength(0);
    class Stack extends Module {
      layers = new ModuleList([new Linear(2, 4), new Linear(4, 4)]);
      head = new Linear(4, 1);
      forward(x: Tensor): Tensor {
        for (const l of this.layers) x = l.call(x).relu();
        return this.head.call(x);
      }
    }
    const m = new Stack();
    m.layers.append(new Linear(4, 4));
    expect(m.layers.length).toBe(3);
    expect(m.layers[1]).toBe(m.layers.at(1));
    expect(m.layers.at(-1)).toBe(m.layers[2]);
    expect([...m.layers]).toEqual([m.layers[0], m.layers[1], m.layers[2]]);
    expect(Object.keys(m.stateDict())).toEqual([
      "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias", "head.weight", "head.bias",
    ]);
    expect(m.call(rnd([3, 2], 5).float()).shape).toEqual([3, 1]);
    expect(m.layers.toString()).toBe(
      ["ModuleList(", "  (0): Linear(inFeatures=2, outFeatures=4, bias=true)", "  (1): Linear(inFeatures=4, outFeatures=4, bias=true)",
        "  (2): Linear(inFeatures=4, outFeatures=4, bias=true)", ")"].join("\n"),
    );
    expect(() => m.layers.call(ones([1, 2]))).toThrow(/no forward/);
    expect(() => m.layers.at(3)).toThrow(ValueError);
  });

  it("ModuleDict keeps modules by name, in insertion order", () => {
    const d = new ModuleDict({ enc: new Linear(3, 2), dec: new Linear(2, 3) });
    d.set("act", new ReLU());
    expect(d.keys()).toEqual(["enc", "dec", "act"]);
    expect(d.length).toBe(3);
    expect(d.has("dec") && d.get("dec") === (d as any).dec).toBe(true);
    expect([...d]).toEqual(["enc", "dec", "act"]);
    expect(Object.keys(d.stateDict())).toEqual(["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
    const dec = new Linear(2, 3, { bias: false });
    d.set("dec", dec);
    expect(d.keys()).toEqual(["enc", "dec", "act"]);
    expect(d.get("dec")).toBe(dec);
    expect(d.delete("enc")).toBeInstanceOf(Linear);
    expect(d.keys()).toEqual(["dec", "act"]);
    expect(d.get("enc")).toBeUndefined();
    expect(() => d.set("keys", new ReLU())).toThrow(/reserved/);
    expect(() => d.set("a.b", new ReLU())).toThrow(/invalid name/);
  });
});
