import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSafetensors } from "../../src/index.js";
import { loadDigits } from "../../src/node/digits.js";

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

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
});

describe("bad usage: one clear line on stderr, exit code 2, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown flag", ["train", "--bogus"], /unknown option '--bogus'/],
    ["bad number", ["train", "--lr", "fast"], /--lr: expected a positive number, found "fast"/],
    ["bad model spec", ["summary", "80-x-1"], /"x" is not a positive integer/],
    ["bad optimizer", ["train", "--optimizer", "lbfgs"], /--optimizer: expected one of sgd, adam, adamw/],
    ["missing checkpoint", ["eval", "/nonexistent/model.safetensors"], /checkpoint not found: \/nonexistent\/model.safetensors/],
    ["unknown data", ["train", "--data", "cifar"], /--data: expected digits, idx:<dir> or csv:<file>/],
  ];
  it.each(cases)("%s", (_, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
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
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.history).toHaveLength(1);
    expect(metrics.samplesPerSecond).toBeGreaterThan(0);
    expect(readFileSync(join(out, "curves.svg"), "utf8")).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const st = decodeSafetensors(new Uint8Array(readFileSync(join(out, "checkpoint.safetensors"))));
    expect(Object.keys(st.tensors).filter((k) => !k.startsWith("optimizer."))).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(st.tensors["0.weight"].shape).toEqual([32, 784]);
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
    const rows = ["x,y,kind"];
    for (let i = 0; i < 200; i++) {
      const c = i % 2, a = (i * 2.39996) % (2 * Math.PI);
      rows.push(`${(c * 3 + Math.cos(a)).toFixed(4)},${(Math.sin(a)).toFixed(4)},${c ? "right" : "left"}`);
    }
    writeFileSync(csv, rows.join("\n") + "\n");
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
