import { describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/io/checkpoint.js";
import { crossEntropy } from "../../src/losses/index.js";
import { Embedding } from "../../src/nn/layers/attention.js";
import { GPT } from "../../src/nn/layers/language.js";
import { Linear } from "../../src/nn/layers/linear.js";
import { Module } from "../../src/nn/module.js";
import { AdamW } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { tanh } from "../../src/ops/functions.js";
import { tensor } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { expectClose } from "./helpers.js";

const [V, E] = [4, 3];
const w0 = Array.from({ length: V * E }, (_, k) => ((Math.floor(k / E) * 3 + (k % E) * 2) % 5 - 2) / 4);
const idx = () => tensor(Int32Array.from([0, 2, 1, 2]), { shape: [4] });
const tg = () => tensor(Int32Array.from([2, 0, 3, 1]), { shape: [4] });

/** An embedding and a bias-free head sharing one Parameter, as `head.weight = emb.weight` in PyTorch. */
class Tied extends Module {
  declare emb: Embedding;
  declare head: Linear;
  constructor() {
    super();
    this.registerModule("emb", new Embedding(V, E, { dtype: "float64" }));
    this.registerModule("head", new Linear(E, V, { bias: false, dtype: "float64" }));
    this.emb.weight.data.set(w0);
    this.head.weight = this.emb.weight;
  }
  forward(x: Tensor): Tensor {
    return this.head.call(tanh(this.emb.call(x)));
  }
}

// PyTorch 1.13 (float64): the tied model's loss and gradient; the gradients of the two uses apart (an
// embedding and a head holding copies of w0); the weight after one SGD step with lr 0.5.
const TORCH = {
  loss: 1.45104033134513,
  emb: [0.03307977226432926, -0.08864056603118926, 0.12465827211361959, -0.10028163249261626, 0.013860011176074846, -0.04284166283359968, 0.0315002600925975, 0.08788411456193793, -0.10619517160524275, 0, 0, 0],
  head: [0.0024823032578425077, -0.05662419761731355, 0.10535812122708438, 0.02984114882205722, -0.07079527060637322, 0.09031881853478793, 0.05844075499935161, 0.022422161353131107, -0.17585306084602725, -0.09076420707925134, 0.10499730687055564, -0.01982387891584506],
  after: [-0.5177810377610859, 0.07263238182425141, 0.384991803329648, 0.2852202418352795, -0.4715323702848508, -0.023738577850594127, -0.29497050754597454, 0.19484686204246549, -0.358975883774365, 0.5453821035396257, -0.3024986534352778, 0.2599119394579225],
};

describe("weight tying: one Parameter in two places", () => {
  it("gets one gradient, the sum of both uses (PyTorch's), is listed once, and one optimizer step updates it once", () => {
    const m = new Tied();
    expect(m.parameters()).toHaveLength(1);
    expect(m.parameters()[0]).toBe(m.emb.weight);
    expect(m.numParameters()).toBe(V * E);
    const loss = crossEntropy(m.call(idx()), tg());
    expect(loss.item()).toBeCloseTo(TORCH.loss, 13);
    loss.backward();
    expectClose(m.emb.weight.grad!.data, TORCH.emb.map((g, i) => g + TORCH.head[i]), 1e-13);
    new SGD(m.parameters(), { lr: 0.5 }).step();
    expectClose(m.emb.weight.data, TORCH.after, 1e-13);
    expect(m.head.weight).toBe(m.emb.weight);
  });

  it("keeps both names in the state dict (as PyTorch's state_dict) on one tensor, and loads back tied", () => {
    const m = new Tied();
    const ck = decodeCheckpoint(encodeCheckpoint(m));
    expect(Object.keys(ck.state).sort()).toEqual(["emb.weight", "head.weight"]);
    const n = new Tied();
    n.emb.weight.data.fill(0);
    n.loadStateDict(ck.state);
    expect(n.head.weight).toBe(n.emb.weight);
    expectClose(n.emb.weight.data, w0, 0);
  });
});

describe("GPT with tieWeights", () => {
  const make = (tieWeights: boolean) => new GPT(5, { block: 4, embedDim: 8, numHeads: 2, numLayers: 1, tieWeights, generator: new Generator(7) });
  const x = () => tensor(Int32Array.from([0, 3, 1, 4, 2, 2, 0, 1]), { shape: [2, 4] });
  const y = () => tensor(Int32Array.from([3, 1, 4, 0, 2, 0, 1, 3]), { shape: [8] });
  const lossOf = (g: GPT) => crossEntropy(g.call(x()).reshape([-1, 5]), y());

  it("has no head of its own: the token embedding once in parameters(), once in the checkpoint, and loaded back tied", () => {
    const [tied, untied] = [make(true), make(false)];
    expect(tied.head).toBeNull();
    expect(tied.numParameters()).toBe(untied.numParameters() - 5 * 8 - 5);
    expect(tied.parameters().filter((p) => p === tied.tokEmb.weight)).toHaveLength(1);
    const ck = decodeCheckpoint(encodeCheckpoint(tied, { optimizer: new AdamW(tied.parameters()) }));
    expect(Object.keys(ck.state).filter((k) => k.startsWith("head"))).toEqual([]);
    expect(ck.state["tokEmb.weight"].shape).toEqual([5, 8]);
    const back = new GPT(5, { block: 4, embedDim: 8, numHeads: 2, numLayers: 1, tieWeights: true, generator: new Generator(99) });
    back.loadStateDict(ck.state);
    expectClose(back.call(x()).data, tied.call(x()).data, 0);
    // the head reads the embedding: changing one row of it changes that token's logit
    const before = back.call(x()).data.slice();
    back.tokEmb.weight.data[3 * 8] += 1;
    const after = back.call(x()).data;
    expect(after[3]).not.toBe(before[3]);
    expect(() => make("yes" as unknown as boolean)).toThrow("GPT: tieWeights must be true or false, found");
  });

  it("gets the gradient of the tied embedding equal to central differences (float64) through both uses", () => {
    const g = make(true).to("float64");
    lossOf(g).backward();
    const w = g.tokEmb.weight, grad = w.grad!.data, h = 1e-6;
    for (const k of [0, 7, 13, 24, 39]) {
      const v = w.data[k];
      w.data[k] = v + h;
      const up = lossOf(g).item();
      w.data[k] = v - h;
      const down = lossOf(g).item();
      w.data[k] = v;
      expect(Math.abs(grad[k] - (up - down) / (2 * h))).toBeLessThan(1e-7);
    }
  });
});
