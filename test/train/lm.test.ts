import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AdamW, CharVocab, Generator, ValueError, evaluateLanguageModel, fitLanguageModel, multinomial, nextTokenWindows, nn,
  sampleWords, sequenceWindows, splitWords, tensor, topK,
} from "../../src/index.js";
import { loadNames } from "../../src/node/names.js";

const vocab = CharVocab.fromWords(["emma", "ava"]);

describe("character data", () => {
  it("builds a vocabulary with the boundary first and round-trips text", () => {
    expect(vocab.chars).toEqual([".", "a", "e", "m", "v"]);
    expect(vocab.decode(vocab.encode("mama"))).toBe("mama");
    expect(() => vocab.encode("x")).toThrow(/"x" is not in the vocabulary/);
  });

  it("makes makemore's next-token windows, boundary-padded", () => {
    const w = nextTokenWindows(["ava"], vocab, 3);
    // contexts ..., ..a, .av, ava → a, v, a, .
    expect(w.n).toBe(4);
    expect(Array.from(w.x)).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 4, 1, 4, 1]);
    expect(Array.from(w.y)).toEqual([1, 4, 1, 0]);
  });

  it("makes a transformer's windows from position 0 with ignored padding, and one more per token past the context", () => {
    const w = sequenceWindows(["ava"], vocab, 6);
    expect(Array.from(w.x)).toEqual([0, 1, 4, 1, 0, 0]);
    expect(Array.from(w.y)).toEqual([1, 4, 1, 0, -100, -100]);
    const long = sequenceWindows(["emma"], vocab, 3); // .emma. : 6 tokens, context 3
    expect(long.n).toBe(3);
    expect(Array.from(long.x)).toEqual([0, 2, 3, 2, 3, 3, 3, 3, 1]);
    expect(Array.from(long.y)).toEqual([2, 3, 3, -100, -100, 1, -100, -100, 0]);
  });

  it("loads the names data set from the @stdlib packages", () => {
    const names = loadNames();
    expect(names.length).toBeGreaterThan(8000);
    expect(names).toContain("emma");
    expect(names.every((n) => /^[a-z]+$/.test(n))).toBe(true);
    const { train, val } = splitWords(names, 0.1, new Generator(0));
    expect(val.length).toBe(Math.round(names.length * 0.1));
    expect(new Set([...train, ...val]).size).toBe(names.length);
  });
});

describe("multinomial and topK", () => {
  it("draws in proportion to the weights (seeded), never a zero-weight class", () => {
    const s = multinomial(tensor([1, 0, 3]), 4000, { generator: new Generator(1) });
    const counts = [0, 0, 0];
    for (const v of s.data) counts[v]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / 4000).toBeGreaterThan(0.72);
    expect(counts[2] / 4000).toBeLessThan(0.78);
    const without = multinomial(tensor([[1, 1, 1]]), 3, { replacement: false, generator: new Generator(2) });
    expect([...without.data].sort()).toEqual([0, 1, 2]);
    expect(() => multinomial(tensor([0, 0]), 1)).toThrow(ValueError);
  });

  it("returns the k largest, largest first, with a gradient to the chosen entries", () => {
    const x = tensor([[1, 5, 3], [4, 2, 6]], { requiresGrad: true });
    const { values, indices } = topK(x, 2);
    expect([...values.data]).toEqual([5, 3, 6, 4]);
    expect([...indices.data]).toEqual([1, 2, 2, 0]);
    values.sum().backward();
    expect([...x.grad!.data]).toEqual([0, 1, 1, 1, 0, 1]);
  });
});

describe("language models", () => {
  const words = ["ab", "ba", "aab", "bba", "abab", "baba"];
  const v = CharVocab.fromWords(words);

  for (const [name, make, windows, positional] of [
    ["the bigram model", () => new nn.Bigram(v.size, { generator: new Generator(0) }), (ws: string[]) => nextTokenWindows(ws, v, 1), false],
    ["the MLP over embeddings with BatchNorm", () => new nn.CharMLP(v.size, { block: 2, embedDim: 4, hidden: 16, batchNorm: true, generator: new Generator(0) }), (ws: string[]) => nextTokenWindows(ws, v, 2), false],
    ["a small GPT", () => new nn.GPT(v.size, { block: 6, embedDim: 16, numHeads: 2, numLayers: 1, generator: new Generator(0) }), (ws: string[]) => sequenceWindows(ws, v, 6), true],
  ] as const) {
    it(`trains ${name}: the loss falls, and sampling gives words of the vocabulary`, () => {
      const model = make();
      const w = windows(words);
      const before = evaluateLanguageModel(model, w);
      const history = [...fitLanguageModel(model, w, { optimizer: new AdamW(model.parameters(), { lr: 0.03 }), epochs: 25, batchSize: 8, generator: new Generator(1) })];
      expect(history.length).toBeGreaterThan(0);
      const after = evaluateLanguageModel(model, w);
      expect(after).toBeLessThan(before * 0.8);
      const sampled = sampleWords(model, v, { n: 5, block: w.block, generator: new Generator(3), positional, maxLength: 8 });
      expect(sampled).toHaveLength(5);
      for (const s of sampled) expect(s).toMatch(/^[ab]*$/);
    });
  }
});

describe("chainrule train --data text:<file> and chainrule sample", () => {
  it("trains a language model from a text file and samples from its checkpoint", async () => {
    const { cli } = await import("../cli/helpers.js");
    const dir = mkdtempSync(join(tmpdir(), "chainrule-lm-"));
    writeFileSync(join(dir, "w.txt"), ["anna", "bob", "ada", "abba", "bab", "nan"].join("\n") + "\n");
    const r = cli(...["train", "--data", `text:${join(dir, "w.txt")}`, "--model", "mlp", "--epochs", "2", "--out", join(dir, "run"), "--progress", "none"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/validation loss \d+\.\d+ nats\/character .*samples: /);
    const s = cli(...["sample", join(dir, "run", "checkpoint.safetensors"), "--n", "3", "--seed", "1"]);
    expect(s.code, s.err).toBe(0);
    const lines = s.out.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^[abdno]*$/);
    const bad = cli(...["sample", join(dir, "w.txt")]);
    expect(bad.code).toBe(2);
  });
});
