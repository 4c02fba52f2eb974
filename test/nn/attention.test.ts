import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DTypeError, Generator, ShapeError, ValueError, nn, tensor } from "../../src/index.js";
import type { Module, Tensor } from "../../src/index.js";
import { expectClose, expectGradcheck, rnd } from "./helpers.js";

// Reference values from PyTorch 1.13 in float64: test/nn/fixtures/attention.py (run by hand).
interface Case { x: number[]; params: Record<string, number[]>; R: number[]; y: number[]; dx: number[]; [k: string]: unknown }
const REF = JSON.parse(readFileSync(new URL("./fixtures/attention.json", import.meta.url), "utf8")) as {
  B: number; T: number; E: number; H: number;
  embedding: { weight: number[]; idx: number[]; R: number[]; dweight: number[] };
  mha: Case & { dparams: Record<string, number[]> };
  block: Case;
};
const { B, T, E, H } = REF;
const f64 = (data: number[], shape: number[], requiresGrad = false): Tensor => tensor(Float64Array.from(data), { shape, dtype: "float64", requiresGrad });

function load(m: Module, params: Record<string, number[]>): void {
  const named = Object.fromEntries(m.namedParameters());
  for (const [k, v] of Object.entries(params)) {
    expect(named[k], `parameter ${k}`).toBeDefined();
    named[k].data.set(v);
  }
}

describe("Embedding", () => {
  it("looks rows up and sums the gradient of repeated indices, as PyTorch", () => {
    const emb = new nn.Embedding(6, E, { dtype: "float64" });
    load(emb, { weight: REF.embedding.weight });
    const idx = tensor(Int32Array.from(REF.embedding.idx), { shape: [2, 3], dtype: "int32" });
    const y = emb.call(idx);
    expect(y.shape).toEqual([2, 3, E]);
    expectClose(y.data.slice(0, E), REF.embedding.weight.slice(3 * E, 4 * E));
    y.mul(f64(REF.embedding.R, [2, 3, E])).sum().backward();
    expectClose(emb.weight.grad!.data, REF.embedding.dweight, 1e-12);
  });

  it("refuses float indices and indices out of range", () => {
    const emb = new nn.Embedding(4, 2);
    expect(() => emb.call(tensor([1, 2]))).toThrow(DTypeError);
    expect(() => emb.call(tensor([4], { dtype: "int32" }))).toThrow(/index 4 is out of range for 4 embeddings/);
    expect(() => new nn.Embedding(0, 2)).toThrow(ValueError);
  });
});

describe("scaledDotProductAttention", () => {
  it("passes gradcheck in float64 through q, k and v, causal and masked", () => {
    const q = rnd([2, 3, 4], 1), k = rnd([2, 3, 4], 2), v = rnd([2, 3, 5], 3);
    expectGradcheck((a, b, c) => nn.scaledDotProductAttention(a, b, c, { causal: true }), [q, k, v]);
    const mask = tensor([[1, 0, 1], [1, 1, 0], [0, 1, 1]]);
    expectGradcheck((a, b, c) => nn.scaledDotProductAttention(a, b, c, { mask }), [q, k, v]);
  });

  it("gives masked keys weight exactly 0: the causal first query returns the first value", () => {
    const q = rnd([1, 3, 4], 4), k = rnd([1, 3, 4], 5), v = rnd([1, 3, 2], 6);
    const o = nn.scaledDotProductAttention(q, k, v, { causal: true });
    expectClose(o.data.slice(0, 2), v.data.slice(0, 2), 1e-15);
  });

  it("stays finite for large scores (a stable softmax)", () => {
    const q = rnd([1, 4, 4], 7).mul(1e4), k = rnd([1, 4, 4], 8);
    const o = nn.scaledDotProductAttention(q.float(), k.float(), rnd([1, 4, 3], 9).float());
    expect([...o.data].every(Number.isFinite)).toBe(true);
  });

  it("names the shapes that do not fit, and rejects unknown options", () => {
    expect(() => nn.scaledDotProductAttention(rnd([2, 4], 1), rnd([2, 3], 2), rnd([2, 3], 3))).toThrow(ShapeError);
    expect(() => nn.scaledDotProductAttention(rnd([2, 4], 1), rnd([2, 4], 2), rnd([2, 4], 3), { casual: true } as never)).toThrow(/did you mean "causal"/);
  });
});

describe("tril, triu, maskedFill", () => {
  it("keep the triangles as torch.tril and torch.triu", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect([...nn.tril(x).data]).toEqual([1, 0, 0, 4, 5, 0]);
    expect([...nn.triu(x, 1).data]).toEqual([0, 2, 3, 0, 0, 6]);
    expect([...nn.tril(x, -1).data]).toEqual([0, 0, 0, 4, 0, 0]);
    expect([...nn.maskedFill(x, tensor([[1, 0, 0], [0, 0, 1]]), -1).data]).toEqual([-1, 2, 3, 4, 5, -1]);
  });
});

describe("MultiheadAttention", () => {
  it("agrees with torch.nn.MultiheadAttention (batch_first, causal mask) in value and gradients", () => {
    const m = new nn.MultiheadAttention(E, H, { causal: true, dtype: "float64" });
    load(m, REF.mha.params);
    const x = f64(REF.mha.x, [B, T, E], true);
    const y = m.call(x);
    expectClose(y.data, REF.mha.y, 1e-10);
    y.mul(f64(REF.mha.R, [B, T, E])).sum().backward();
    expectClose(x.grad!.data, REF.mha.dx, 1e-10);
    expectClose(m.inProjWeight.grad!.data, REF.mha.dparams.inProjWeight, 1e-10);
    expectClose(m.inProjBias.grad!.data, REF.mha.dparams.inProjBias, 1e-10);
    expectClose(m.outProj.weight.grad!.data, REF.mha.dparams["outProj.weight"], 1e-10);
  });

  it("passes gradcheck in float64", () => {
    const m = new nn.MultiheadAttention(4, 2, { causal: true, dtype: "float64", generator: new Generator(3) });
    expectGradcheck((x) => m.call(x), [rnd([1, 3, 4], 11)]);
  });

  it("refuses a head count that does not divide the embedding", () => {
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow(/numHeads must be a positive integer dividing embedDim 6/);
  });
});

describe("TransformerBlock", () => {
  it("agrees with PyTorch's pre-norm block (LayerNorm, causal attention, residual, GELU MLP, residual)", () => {
    const m = new nn.TransformerBlock(E, H, { dtype: "float64" });
    load(m, REF.block.params);
    const x = f64(REF.block.x, [B, T, E], true);
    const y = m.call(x);
    expectClose(y.data, REF.block.y, 1e-10);
    y.mul(f64(REF.block.R, [B, T, E])).sum().backward();
    expectClose(x.grad!.data, REF.block.dx, 1e-9);
    expectClose(m.fc.weight.grad!.data, REF.block["dfc.weight"] as number[], 1e-9);
    expectClose(m.attn.inProjWeight.grad!.data, REF.block["dattn.inProjWeight"] as number[], 1e-9);
  });
});
