import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSafetensors } from "../../src/index.js";
import { loadDigits } from "../../src/node/digits.js";
import { cli, cliIn, writePointsCsv } from "./helpers.js";

describe("chainrule summary", () => {
  it("answers P2 and P3 (features-first)", () => {
    const r = cli("summary", "80-1024-512-1", "--batch", "32", "--layout", "features-first");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0\s+Linear\s+\[1024, 32\].*80×1024 \+ 1024 = 82,944/);
    expect(r.out).toMatch(/2\s+Linear\s+\[512, 32\].*1024×512 \+ 512 = 524,800/);
    expect(r.out).toMatch(/4\s+Linear\s+\[1, 32\].*512×1 \+ 1 = 513/);
    expect(r.out).toContain("Total parameters: 608,257");
  });

  it("--json is machine-readable", () => {
    const r = cli("summary", "80-1024-512-1", "--batch", "32", "--json");
    const s = JSON.parse(r.out);
    expect(s.totalParams).toBe(608257);
    expect(s.rows[0].outputShape).toEqual([32, 1024]);
  });

  it("shows a model too big to allocate without allocating it", () => {
    const r = cli("summary", "784-100000000-10");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("784×100000000 + 100000000 = 78,500,000,000");
    expect(r.out).toContain("Total parameters: 79,500,000,010");
  });

  it("names the positional argument, not --model, in its errors", () => {
    const r = cli("summary", "80-x-1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^chainrule: <model>: model spec "80-x-1"/);
    expect(r.err).not.toContain("--model");
  });
});

describe("chainrule --version", () => {
  it("prints the version of package.json", () => {
    const r = cli("--version");
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});

describe("bad usage: one clear line on stderr, exit code 2, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown flag", ["train", "--bogus"], /unknown option '--bogus'/],
    ["bad number", ["train", "--lr", "fast"], /--lr: expected a positive number, found "fast"/],
    ["bad model spec", ["summary", "80-x-1"], /"x" is not a positive integer/],
    ["momentum of 1 or more", ["train", "--momentum", "2"], /--momentum: expected a number in \[0, 1\), found "2"/],
    ["an infinite learning rate", ["train", "--lr", "1e999"], /--lr: expected a positive number, found "1e999"/],
    ["a NaN seed", ["train", "--seed", "NaN"], /--seed: expected a finite integer, found "NaN"/],
    ["infinite epochs", ["train", "--epochs", "Infinity"], /--epochs: expected an integer ≥ 1, found "Infinity"/],
    ["an infinite weight decay", ["train", "--weight-decay", "1e999"], /--weight-decay: expected a number ≥ 0, found "1e999"/],
    ["a validation split of 1", ["train", "--val-split", "1"], /--val-split: expected a number in \[0, 1\), found "1"/],
    ["an infinite summary batch", ["summary", "80-1", "--batch", "1e999"], /--batch: expected a positive integer, found "1e999"/],
    ["--out under /proc (mkdir -p hangs there)", ["train", "--out", "/proc/nope/run"], /^chainrule: --out: cannot create directory \/proc\/nope \(ENOENT\)$/m],
    ["--out an existing file", ["train", "--out", "README.md"], /^chainrule: --out: README.md exists and is not a directory$/m],
    ["eval a file that is not a checkpoint", ["eval", "README.md"], /^chainrule: README.md is not a safetensors file \(its first 8 bytes give a header length of \d+, more than the \d+ bytes that follow\)$/m],
    ["bad optimizer", ["train", "--optimizer", "lbfgs"], /--optimizer: expected one of sgd, adam, adamw/],
    ["missing checkpoint", ["eval", "/nonexistent/model.safetensors"], /checkpoint not found: \/nonexistent\/model.safetensors/],
    ["unknown data", ["train", "--data", "cifar"], /--data: expected digits, idx:<dir> or csv:<file>/],
  ];
  it.each(cases)("%s", (_, args, message) => {
    const r = cli(...args);
    expect(r.out).toBe("");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("leaves no empty run directory behind", () => {
    const cwd = mkdtempSync(join(tmpdir(), "chainrule-cwd-"));
    for (const [args, message] of [
      [["train", "--data", "cifar"], "--data: expected digits"],
      [["train", "--model", "784-10", "--data", "csv:missing.csv"], "--data: file not found: missing.csv"],
      [["train", "--model", "3-10"], "--model: 3-10 does not take the samples of digits, of shape [784] ("],
    ] as const) {
      const r = cliIn(cwd, ...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(readdirSync(cwd)).toEqual([]);
    }
  });

  it("a corrupt checkpoint", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-"));
    const f = join(dir, "bad.safetensors");
    writeFileSync(f, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    const r = cli("eval", f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.safetensors/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("chainrule train, eval, predict, resume", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-run-"));
  const out = join(dir, "run");

  it("trains, writes the checkpoint, metrics.json and curves.svg, and prints JSON", () => {
    const r = cli("train", "--model", "784-32-10", "--epochs", "1", "--out", out, "--json", "--progress", "none");
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
    expect(r.err).toMatch(/test accuracy \d+\.\d\d%/);
    expect(summary.history[0].valLoss).toBeUndefined();
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.history).toHaveLength(1);
    expect(metrics.samplesPerSecond).toBeGreaterThan(0);
    expect(readFileSync(join(out, "curves.svg"), "utf8")).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const st = decodeSafetensors(new Uint8Array(readFileSync(join(out, "checkpoint.safetensors"))));
    expect(Object.keys(st.tensors).filter((k) => !k.startsWith("optimizer."))).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(st.tensors["0.weight"].shape).toEqual([32, 784]);
  });

  it("puts results on stdout and progress on stderr (train > log.txt keeps the result)", () => {
    const r = cli("train", "--model", "784-8-10", "--epochs", "1", "--out", join(dir, "plain"), "--progress", "lines");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^test accuracy \d+\.\d\d% \(1996 samples\), test loss \d\.\d{4}, \d+\.\ds\nwrote \S+checkpoint\.safetensors, \S+metrics\.json, \S+curves\.svg\n$/);
    expect(r.err).toMatch(/^chainrule train: digits \(8004 train, 1996 test\)/);
    expect(r.err).toMatch(/\nepoch 1\/1 {2}loss /);
    expect(r.err).not.toContain("test accuracy");
    const e = cli("eval", join(dir, "plain", "checkpoint.safetensors"));
    expect(e.out).toMatch(/^digits test: accuracy \d+\.\d\d% \(1996 samples\), loss \d\.\d{4}\n$/);
    expect(e.err).toBe("");
  });

  it("eval reads the checkpoint back and gets the same accuracy", () => {
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    const r = cli("eval", join(out, "checkpoint.safetensors"), "--json");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).accuracy).toBeCloseTo(metrics.testAccuracy, 10);
  });

  it("predict classifies samples from a JSON file", () => {
    const test = loadDigits("test");
    const input = join(dir, "input.json");
    writeFileSync(input, JSON.stringify([Array.from(test.x.subarray(0, 784)), Array.from(test.x.subarray(784 * 500, 784 * 501))]));
    const r = cli("predict", join(out, "checkpoint.safetensors"), input, "--json");
    expect(r.code, r.err).toBe(0);
    const p = JSON.parse(r.out);
    expect(p).toHaveLength(2);
    expect(p[0].probabilities).toHaveLength(10);
  });

  it("predict reads a CSV file of features only", () => {
    const test = loadDigits("test");
    const input = join(dir, "input.csv");
    const header = Array.from({ length: 784 }, (_, i) => `p${i}`).join(",");
    writeFileSync(input, `${header}\n${Array.from(test.x.subarray(0, 784)).join(",")}\n`);
    const r = cli("predict", join(out, "checkpoint.safetensors"), input, "--json");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toHaveLength(1);
  });

  it("trains on a CSV file with a named label column", () => {
    const csv = join(dir, "points.csv");
    writePointsCsv(csv);
    const r = cli("train", "--data", `csv:${csv}`, "--label", "kind", "--model", "2-8-2", "--epochs", "5", "--batch-size", "16", "--out", join(dir, "csvrun"), "--json", "--progress", "none");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).testAccuracy).toBeGreaterThan(0.9);
    const bad = cli("train", "--data", `csv:${csv}`, "--label", "colour", "--model", "2-8-2");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/colour/);
  });

  it("resumes a run from its checkpoint", () => {
    const out2 = join(dir, "run2");
    const r = cli("train", "--resume", join(out, "checkpoint.safetensors"), "--epochs", "2", "--out", out2, "--json", "--progress", "none");
    expect(r.code, r.err).toBe(0);
    const h = JSON.parse(r.out).history;
    expect(h).toHaveLength(2);
    expect(h[0]).toEqual(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")).history[0]);
    expect(existsSync(join(out2, "checkpoint.safetensors"))).toBe(true);
  });
});

describe("chainrule explain --model with a JSON model", () => {
  it("explains any layers op by op from the recorded graph", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-explain-"));
    const file = join(dir, "cnn.json");
    writeFileSync(file, JSON.stringify({ layers: [
      { type: "Conv2d", in: 1, out: 2, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
      { type: "Flatten" }, { type: "Linear", in: 392, out: 10 },
    ] }));
    const r = cli("explain", "--model", file, "--l2", "1e-4");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/∂L\/∂0\.weight\s+= reshape\(∂L\/∂t1, shape\(0\.weight\)\)\s+\[2×1×3×3\]/);
    expect(r.out).toMatch(/agrees with autograd: largest difference 0/);
  });
});
