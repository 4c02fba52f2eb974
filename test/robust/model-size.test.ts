// Model specs are refused from their parameter count before anything is allocated (issue 13: "no unbounded
// allocation"): a default cap of 2^28 parameters (1 GiB of float32), moved by the maxParameters option.
// Parameter counts are PyTorch's (sum of p.numel() over nn.Linear(10, 9), nn.Conv2d(4, 6, 3, groups=2), ...).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValueError, buildModel, mlp, mlpSpec } from "../../src/index.js";
import { cli, writePointsCsv } from "../cli/helpers.js";

const total = (m: { parameters(): { size: number }[] }) => m.parameters().reduce((a, p) => a + p.size, 0);
const dir = mkdtempSync(join(tmpdir(), "chainrule-model-size-"));

describe("buildModel and mlp refuse a model over the parameter cap before allocating", () => {
  it("a JSON Linear of 1e6×1e6 and an MLP 100000000-100000000-10 are ValueErrors naming the count and the limit, at once", () => {
    const t0 = performance.now();
    expect(() => buildModel({ layers: [{ type: "Linear", in: 1e6, out: 1e6 }] })).toThrow(
      new ValueError("model: the model has 1000001000000 parameters, over the limit of 268435456 (default 2^28 = 268435456; the maxParameters option raises it)"),
    );
    // 40000×40000 is under the 2^31 elements a tensor may hold: without the cap it allocates 6.4 GB
    expect(() => buildModel({ layers: [{ type: "Linear", in: 40000, out: 40000, bias: false }] }, { source: "big.json" })).toThrow(/^big\.json: the model has 1600000000 parameters, over the limit of 268435456 /);
    // (1e8 + 1)·1e8 + (1e8 + 1)·10
    expect(() => mlp("100000000-100000000-10")).toThrow(/^mlp: the model has 10000001100000010 parameters, over the limit of 268435456 /);
    expect(() => buildModel(mlpSpec("100000000-100000000-10"))).toThrow(/^model: the model has 10000001100000010 parameters/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("counts every layer with parameters as PyTorch does, against maxParameters", () => {
    const layers = [
      { type: "Conv2d", in: 4, out: 6, kernel: 3, groups: 2 }, // 6·2·9 + 6 = 114
      { type: "Conv2d", in: 4, out: 6, kernel: [3, 5], bias: false }, // 6·4·15 = 360
      { type: "BatchNorm1d", features: 7 }, // 14
      { type: "LayerNorm", shape: [3, 4] }, // 24
      { type: "Linear", in: 10, out: 9 }, // 99
      { type: "ReLU" },
    ];
    for (const l of layers.slice(0, 5)) {
      const n = { Conv2d: l.bias === false ? 360 : 114, BatchNorm1d: 14, LayerNorm: 24, Linear: 99 }[l.type]!;
      expect(total(buildModel({ layers: [l] }, { maxParameters: n }))).toBe(n);
      expect(() => buildModel({ layers: [l] }, { maxParameters: n - 1 })).toThrow(new RegExp(`^model: the model has ${n} parameters, over the limit of ${n - 1} `));
    }
    expect(() => buildModel({ layers }, { maxParameters: 610 })).toThrow(/the model has 611 parameters, over the limit of 610 /);
    expect(total(mlp("10-9", { maxParameters: 99 }))).toBe(99);
    expect(() => mlp("10-9-2", { maxParameters: 118 })).toThrow(/^mlp: the model has 119 parameters, over the limit of 118 /);
    expect(total(mlp([10, 9], { maxParameters: Infinity }))).toBe(99);
  });

  it("rejects a bad maxParameters, and leaves bad layer fields to the layer's own error", () => {
    for (const bad of [-1, Number.NaN, "1000", null])
      expect(() => buildModel(mlpSpec("2-2"), { maxParameters: bad as never })).toThrow(/^model: maxParameters must be a number ≥ 0 \(Infinity for no limit\), found /);
    expect(() => mlp("2-2", { maxParameters: -5 })).toThrow(new ValueError("mlp: maxParameters must be a number ≥ 0 (Infinity for no limit), found -5"));
    expect(() => buildModel({ layers: [{ type: "Linear", in: -3, out: 2 }] })).toThrow(/^model: layer 0 \(Linear\): Linear: inFeatures must be a non-negative integer, found -3$/);
  });
});

describe("the CLI refuses a too-large model without allocating, and summary needs no weights", () => {
  const csv = join(dir, "points.csv");
  writePointsCsv(csv, 40);

  it("train --model with an MLP spec or a JSON file: exit 2, one line naming the count and the limit", () => {
    const json = join(dir, "huge.json");
    writeFileSync(json, JSON.stringify({ layers: [{ type: "Linear", in: 2, out: 1e6 }, { type: "ReLU" }, { type: "Linear", in: 1e6, out: 1e4 }] }));
    // (2 + 1)·1e8 + (1e8 + 1)·1e8 + (1e8 + 1)·10, and (2 + 1)·1e6 + (1e6 + 1)·1e4
    for (const [model, count] of [["2-100000000-100000000-10", "10000001400000010"], [json, "10003010000"]]) {
      const t0 = performance.now();
      const r = cli("train", "--data", `csv:${csv}`, "--model", model, "--epochs", "1", "--progress", "none", "--out", join(dir, "never"));
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(new RegExp(`^chainrule: --model: the model has ${count} parameters, over the limit of 268435456 .*\\n$`));
      expect(performance.now() - t0).toBeLessThan(15_000);
    }
  });

  it("summary and explain --model of 784-100000000-10 show the counts (no weights are made); explain --model --batch refuses it", () => {
    const s = cli("summary", "784-100000000-10", "--json");
    expect(s.code, s.err).toBe(0);
    expect(JSON.parse(s.out).totalParams).toBe(785 * 1e8 + 100000001 * 10);
    const symbolic = cli("explain", "--model", "784-100000000-10", "--format", "json");
    expect(symbolic.code, symbolic.err).toBe(0);
    expect(JSON.parse(symbolic.out).totalParams).toBe(785 * 1e8 + 100000001 * 10);
    const e = cli("explain", "--model", "784-100000000-10", "--batch", "2");
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/the model has 79500000010 parameters, over the limit of 268435456 /);
  });
});
