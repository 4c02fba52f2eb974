import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ShapeError, buildModel, decodeCheckpoint, evaluate, fromRaw } from "../../src/index.js";
import { loadIdxDataset } from "../../src/node/idx-files.js";
import { prepareInputs } from "../../src/train/inputs.js";
import { cli, writeIdxDigits, writePointsCsv } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-data-"));

describe("label names and the data of training stay with the checkpoint", () => {
  const csv = join(dir, "points.csv");
  writePointsCsv(csv);
  const run = join(dir, "points");

  it("predict prints the CSV's label names, reading a CSV that still has its label column", () => {
    expect(cli("train", "--data", `csv:${csv}`, "--label", "kind", "--model", "2-8-2", "--epochs", "5", "--batch-size", "16", "--out", run, "--progress", "none").code).toBe(0);
    const input = join(dir, "ask.csv");
    writeFileSync(input, "x,y,kind\n0.1,0.2,left\n3.1,0.1,right\n");
    const r = cli("predict", join(run, "checkpoint.safetensors"), input);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^0: left \(p = [01]\.\d{4}\)\n1: right \(p = [01]\.\d{4}\)\n$/);
    const features = join(dir, "features.csv");
    writeFileSync(features, "x,y\n3.1,0.1\n");
    const j = cli("predict", join(run, "checkpoint.safetensors"), features, "--json");
    expect(JSON.parse(j.out)[0]).toMatchObject({ index: 0, class: 1, label: "right" });
    const wrong = join(dir, "wrong.csv");
    writeFileSync(wrong, "x,y,z,w\n1,2,3,4\n");
    expect(cli("predict", join(run, "checkpoint.safetensors"), wrong).err).toMatch(/wrong\.csv: the model takes 2 features, but the file has 4 columns/);
  });

  it("eval uses the data source of training by default", () => {
    const r = cli("eval", join(run, "checkpoint.safetensors"), "--json");
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.data).toBe(`csv:${csv}`);
    expect(result.n).toBe(40);
    expect(result.accuracy).toBeCloseTo(JSON.parse(readFileSync(join(run, "metrics.json"), "utf8")).testAccuracy, 10);
  });

  it("eval --data on a CSV with fewer label strings keeps the classes of training", () => {
    const right = join(dir, "right.csv");
    writeFileSync(right, "x,y,kind\n" + Array.from({ length: 25 }, (_, i) => `${3 + Math.cos(i)},${Math.sin(i)},right`).join("\n") + "\n");
    const r = cli("eval", join(run, "checkpoint.safetensors"), "--data", `csv:${right}`, "--label", "kind", "--json");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ n: 5, accuracy: 1 });
    writeFileSync(right, "x,y,kind\n" + Array.from({ length: 25 }, (_, i) => `${i},0,up`).join("\n") + "\n");
    expect(cli("eval", join(run, "checkpoint.safetensors"), "--data", `csv:${right}`, "--label", "kind").err).toMatch(/label "up" is not one the model was trained on \(left, right\)/);
  });

  it("a CNN's checkpoint records its input shape: eval reshapes, and prepareInputs does the same from code", () => {
    const mnist = join(dir, "mnist");
    writeIdxDigits(mnist, 200);
    const model = join(dir, "cnn.json");
    writeFileSync(model, JSON.stringify({ layers: [
      { type: "Conv2d", in: 1, out: 2, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 4 }, { type: "Flatten" }, { type: "Linear", in: 98, out: 10 },
    ] }));
    const out = join(dir, "cnn");
    const t = cli("train", "--data", `idx:${mnist}`, "--model", model, "--epochs", "1", "--out", out, "--progress", "none", "--json");
    expect(t.code, t.err).toBe(0);
    const e = cli("eval", join(out, "checkpoint.safetensors"), "--json");
    expect(e.code, e.err).toBe(0);
    expect(JSON.parse(e.out).accuracy).toBeCloseTo(JSON.parse(t.out).testAccuracy, 10);
    const ckpt = decodeCheckpoint(new Uint8Array(readFileSync(join(out, "checkpoint.safetensors"))));
    expect(ckpt.input!.shape).toEqual([1, 28, 28]);
    const net = buildModel(ckpt.architecture!);
    net.loadStateDict(ckpt.state);
    const test = loadIdxDataset(mnist, "test");
    expect(() => evaluate(net, fromRaw(test))).toThrow(ShapeError);
    expect(evaluate(net, prepareInputs(ckpt, test), { batchSize: 512 }).accuracy).toBeCloseTo(JSON.parse(e.out).accuracy, 10);
  });
});

describe("--val-split", () => {
  it("validates on a random part of the training split drawn from the seed; the test split only gives the final accuracy", () => {
    const csv = join(dir, "val.csv");
    writePointsCsv(csv, 100);
    const r = cli("train", "--data", `csv:${csv}`, "--label", "kind", "--model", "2-4-2", "--epochs", "2", "--val-split", "0.25", "--out", join(dir, "val"), "--progress", "lines", "--json");
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.valSplit).toBe(0.25);
    expect(result.history.map((h: { valLoss?: number }) => typeof h.valLoss)).toEqual(["number", "number"]);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.err).toContain("(80 train, 20 test, validating on 25% of train drawn at random)");
    expect(readFileSync(join(dir, "val", "curves.svg"), "utf8")).toContain(">validation<");
    expect(r.err).not.toContain("warning");
  });
});

describe("data that makes no sense is refused (exit 2, one line)", () => {
  const refuse = (name: string, text: string, args: string[], message: RegExp) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = cli("train", "--data", `csv:${file}`, ...args, "--out", join(dir, "never"));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  };

  it("a CSV with only a header", () => refuse("empty.csv", "a,b,label\n", ["--model", "2-2"], /--data: \S+empty\.csv has 0 samples \(only a header\)/));

  it("a cell of 1e999", () => refuse("inf.csv", "a,b,label\n1e999,1,0\n1,2,1\n", ["--model", "2-2"], /inf\.csv line 2, column 1 \("a"\): expected a finite number within float32 range/));

  it("a CSV without a header, unless --no-header says so", () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i % 2 ? 3 : 0}.5,${(i % 7) / 7},${i % 2}`).join("\n") + "\n";
    refuse("noheader.csv", rows, ["--model", "2-2"], /noheader\.csv line 1: the header row holds only numbers \(0\.5,0,0\): is the header missing\? Pass header: false \(the CLI's --no-header\)/);
    const r = cli("train", "--data", `csv:${join(dir, "noheader.csv")}`, "--no-header", "--model", "2-2", "--epochs", "1", "--out", join(dir, "nh"), "--progress", "none");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("(16 train, 4 test)");
  });

  it("labels 1..3 for a model of 3 outputs: says which labels were found and that classes count from 0", () =>
    refuse("onebased.csv", "a,label\n" + Array.from({ length: 30 }, (_, i) => `${i},${(i % 3) + 1}`).join("\n") + "\n", ["--model", "1-3"],
      /--model: the model has 3 outputs, but the data has labels 1, 2, 3; labels are class numbers 0\.\.C-1 \(as PyTorch's cross-entropy takes them\), so they need 4 outputs \(renumber them from 0 if they start at 1\)/));
});
