import { describe, expect, it } from "vitest";
import { nn } from "../../src/index.js";
import { mlp, parseMlpSpec } from "../../src/nn/spec.js";
import { summary } from "../../src/train/summary.js";

describe("summary answers P2 and P3", () => {
  // P2/P3 by hand: A = 80×1024 + 1024 = 82,944; B = 1024×512 + 512 = 524,800; C = 512×1 + 1 = 513; total 608,257.
  it("features-first (80 × 32 input): outputs 1024×32, 512×32, 1×32", () => {
    const s = summary(mlp("80-1024-512-1"), [80], { batch: 32, layout: "features-first", print: false });
    const linear = s.rows.filter((r) => r.type === "Linear");
    expect(linear.map((r) => r.outputShape)).toEqual([[1024, 32], [512, 32], [1, 32]]);
    expect(linear.map((r) => r.arithmetic)).toEqual(["80×1024 + 1024 = 82,944", "1024×512 + 512 = 524,800", "512×1 + 1 = 513"]);
    expect(s.totalParams).toBe(608_257);
    expect(s.inputShape).toEqual([80, 32]);
    expect(s.table).toContain("Total parameters: 608,257 = 82,944 + 524,800 + 513");
  });

  it("batch-first gives the transposed shapes, and N when no batch is given", () => {
    const s = summary(mlp("80-1024-512-1"), [80], { batch: 32, print: false });
    expect(s.rows.filter((r) => r.type === "Linear").map((r) => r.outputShape)).toEqual([[32, 1024], [32, 512], [32, 1]]);
    const n = summary(mlp("80-1024-512-1"), [80], { print: false });
    expect(n.rows[0].outputShape).toEqual(["N", 1024]);
    expect(n.rows.map((r) => r.type)).toEqual(["Linear", "ReLU", "Linear", "ReLU", "Linear"]);
    expect(n.bytes).toBe(608_257 * 4);
  });

  it("counts frozen parameters and other layers", () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 26 * 26, 10));
    m.parameters()[0].requiresGrad = false;
    const s = summary(m, [1, 28, 28], { print: false });
    expect(s.rows[0].arithmetic).toBe("4×1×3×3 + 4 = 40");
    expect(s.rows[0].outputShape).toEqual(["N", 4, 26, 26]);
    expect(s.frozenParams).toBe(36);
  });

  it("parses MLP specs and names a bad part", () => {
    expect(parseMlpSpec("784-256-10")).toEqual([784, 256, 10]);
    expect(() => parseMlpSpec("784-abc-10")).toThrow(/"abc" is not a positive integer/);
    expect(() => parseMlpSpec("784")).toThrow(/only one width/);
  });
});
