import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AdamW, CharVocab, Generator, ValueError, decodeCheckpoint, fitLanguageModel, nn, sequenceWindows } from "../../src/index.js";
import { loadNames } from "../../src/node/names.js";
import { cli } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-lm-resume-"));
const words = join(dir, "words.txt");
writeFileSync(words, loadNames().filter((_, i) => i % 40 === 0).join("\n") + "\n");
const checkpoint = (run: string) => decodeCheckpoint(new Uint8Array(readFileSync(join(run, "checkpoint.safetensors"))));
const losses = (run: string) => (checkpoint(run).training!.history as { loss: number; valLoss: number }[]).map((h) => [h.loss, h.valLoss]);

describe("train --resume continues a language model exactly", () => {
  const cases: [string, string, string[]][] = [
    ["bigram", "names", []],
    ["mlp-bn", `text:${words}`, []],
    ["gpt", `text:${words}`, ["--batch-size", "16"]],
  ];
  for (const [model, data, extra] of cases)
    it(`${model} on ${data.startsWith("text:") ? "a text file" : data}: 1 epoch then --resume to 2 gives the losses, weights and samples of 2 epochs straight`, () => {
      const common = ["--data", data, "--model", model, ...extra, "--seed", "5", "--progress", "none"];
      const [straight, halves] = [join(dir, `${model}-straight`), join(dir, `${model}-halves`)];
      const a = cli("train", ...common, "--epochs", "2", "--out", straight);
      expect(a.code, a.err).toBe(0);
      expect(cli("train", ...common, "--epochs", "1", "--out", halves).code).toBe(0);
      const r = cli("train", "--data", data, "--model", model, "--resume", join(halves, "checkpoint.safetensors"), "--epochs", "2", "--out", halves, "--progress", "lines");
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain(`epochs 2..2 (resuming ${join(halves, "checkpoint.safetensors")}), seed 5`);
      expect(r.err).toMatch(/epoch 2\/2 {2}loss \d\.\d{4} {2}val_loss \d\.\d{4}/);
      expect(losses(halves)).toHaveLength(2);
      expect(losses(halves)).toEqual(losses(straight));
      const [sa, sb] = [checkpoint(straight).state, checkpoint(halves).state];
      expect(Object.keys(sb)).toEqual(Object.keys(sa));
      for (const k of Object.keys(sa)) expect(Array.from(sb[k].data), k).toEqual(Array.from(sa[k].data));
      expect(r.out.split("\n")[0]).toBe(a.out.split("\n")[0]);
    }, 120_000);

  it("refuses flags that conflict with the run, and says when there is nothing to do", () => {
    const ckpt = join(dir, "bigram-halves", "checkpoint.safetensors");
    const conflicts: [string[], string][] = [
      [["--model", "mlp"], `--model "mlp" conflicts with the run in ${ckpt}, which has model "bigram"`],
      [["--lr", "0.1"], `--lr 0.1 conflicts with the run in ${ckpt}, which has lr 0.05`],
      [["--seed", "1"], `--seed 1 conflicts with the run in ${ckpt}, which has seed 5`],
      [["--batch-size", "8"], `--batch-size 8 conflicts with the run in ${ckpt}, which has batchSize 64`],
    ];
    for (const [flags, message] of conflicts) {
      const r = cli("train", "--data", "names", "--resume", ckpt, "--epochs", "5", ...flags, "--out", join(dir, "never"));
      expect(r.code, flags.join(" ")).toBe(2);
      expect(r.err).toContain(`chainrule: --resume: ${message}; a resumed run keeps its settings`);
    }
    const nothing = cli("train", "--data", "names", "--resume", ckpt, "--out", join(dir, "never"));
    expect(nothing.code).toBe(0);
    expect(nothing.err).toBe(`chainrule train: nothing to do: ${ckpt} has trained 2 of 2 epochs; pass --epochs N with N > 2 to train further\n`);
    expect(existsSync(join(dir, "never"))).toBe(false);
    const alone = cli("train", "--resume", ckpt, "--out", join(dir, "never")); // no --data: the checkpoint's
    expect(alone.err).toBe(nothing.err);
    expect(alone.code).toBe(0);
  });
});

describe("fitLanguageModel with startEpoch and history", () => {
  const ws = loadNames().filter((_, i) => i % 200 === 0), v = CharVocab.fromWords(ws), w = sequenceWindows(ws, v, 6);
  const make = () => new nn.GPT(v.size, { block: 6, embedDim: 8, numHeads: 2, numLayers: 1, generator: new Generator(0) });
  const opts = (m: nn.GPT, g: Generator) => ({ optimizer: new AdamW(m.parameters(), { lr: 0.01 }), batchSize: 4, generator: g });

  it("continues from the epochs done: the same losses and weights as one uninterrupted run", () => {
    const a = make(), ga = new Generator(1);
    const straight = fitLanguageModel(a, w, { ...opts(a, ga), epochs: 2 });
    let t = straight.next();
    while (!t.done) t = straight.next();
    const b = make(), gb = new Generator(1), ob = opts(b, gb);
    const first = fitLanguageModel(b, w, { ...ob, epochs: 1 });
    let r = first.next();
    while (!r.done) r = first.next();
    const history = r.value;
    // a fresh model, optimizer and generator take the state of the first part, as a checkpoint restores it
    const c = make(), gc = new Generator(99).setState(gb.getState()), oc = opts(c, gc);
    c.loadStateDict(b.stateDict());
    oc.optimizer.loadStateDict(ob.optimizer.stateDict());
    const rest = fitLanguageModel(c, w, { ...oc, epochs: 2, startEpoch: 1, history });
    let s = rest.next();
    while (!s.done) s = rest.next();
    expect(s.value.map((e) => e.epoch)).toEqual([0, 1]);
    expect(s.value.map((e) => e.loss)).toEqual(t.value.map((e) => e.loss));
    expect(Array.from(c.tokEmb.weight.data)).toEqual(Array.from(a.tokEmb.weight.data));
    expect(Array.from(c.head!.weight.data)).toEqual(Array.from(a.head!.weight.data));
  });

  it("refuses a startEpoch that is not the length of the history", () => {
    const m = make();
    expect(() => fitLanguageModel(m, w, { ...opts(m, new Generator(0)), epochs: 2, startEpoch: 1 }).next()).toThrow(ValueError);
    expect(() => fitLanguageModel(m, w, { ...opts(m, new Generator(0)), epochs: 2, startEpoch: 1 }).next()).toThrow("fitLanguageModel: startEpoch must be the number of epochs in history, found a number (1) and 0 epochs");
  });
});
