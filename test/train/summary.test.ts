import { describe, expect, it } from "vitest";
import { ShapeError, buildModel, mlpSpec, nn, type ModelSpec } from "../../src/index.js";
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

describe("summary of a model description computes from shapes alone", () => {
  const cnn: ModelSpec = { layers: [
    { type: "Conv2d", in: 1, out: 4, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Conv2d", in: 4, out: 6, kernel: [3, 2], stride: 2, bias: false }, { type: "Flatten" },
    { type: "BatchNorm1d", features: 6 * 6 * 7 }, { type: "Dropout", p: 0.1 }, { type: "LayerNorm", shape: 252 }, { type: "Linear", in: 252, out: 10 }, { type: "Softmax" },
  ] };
  it.each([
    ["an MLP", mlpSpec("80-1024-512-1"), [80]],
    ["a CNN with pooling, strides, no bias and norms", cnn, [1, 28, 28]],
  ] as const)("agrees with the summary of the built model: %s", (_, spec, input) => {
    for (const opts of [{ batch: 32, layout: "features-first" as const }, {}]) {
      const fromSpec = summary(spec, input, { ...opts, print: false });
      const fromModel = summary(buildModel(spec), input, { ...opts, print: false });
      expect(fromSpec).toEqual(fromModel);
    }
  });

  it("shows a model far too big to allocate (784-100000000-10) at once", () => {
    const s = summary(mlpSpec("784-100000000-10"), [784], { print: false });
    expect(s.totalParams).toBe(784 * 1e8 + 1e8 + 1e8 * 10 + 10);
    expect(s.rows[0].arithmetic).toBe("784×100000000 + 100000000 = 78,500,000,000");
    expect(s.rows[2].outputShape).toEqual(["N", 10]);
  });

  it("names the layer whose input does not fit", () => {
    expect(() => summary(mlpSpec("80-10"), [81], { print: false })).toThrow("summary: layer 0 (Linear) expects 80 input features, found input of shape [2, 81]");
    expect(() => summary(cnn, [3, 28, 28], { print: false })).toThrow(ShapeError);
    expect(() => summary(mlpSpec("80-10"), [80], { bach: 3 } as never)).toThrow('summary: unknown option "bach" (did you mean "batch"?)');
    expect(() => summary({ layers: [{ type: "Linear", in: 80, out: -5 }] }, [80], { print: false })).toThrow('summary: layer 0 (Linear): "out" must be a positive integer, found -5');
    expect(() => summary({ layers: [{ type: "Conv2d", in: 1, out: 2, kernel: 3, padding: -1 }] }, [1, 8, 8], { print: false })).toThrow('"padding" must be a non-negative integer or a pair of them, found -1');
    expect(() => summary({ layers: [{ type: "Linear", out: 5 }] }, [80], { print: false })).toThrow('summary: layer 0 (Linear) needs "in"');
    expect(() => summary({ layers: [null] } as never, [80], { print: false })).toThrow("summary: layer 0 must be an object");
    expect(summary({ layers: [{ type: "Flatten", start: 1, end: -2 }] }, [3, 4, 5], { print: false }).rows[0].outputShape).toEqual(["N", 12, 5]);
  });
});
