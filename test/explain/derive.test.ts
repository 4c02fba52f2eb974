import { describe, expect, it } from "vitest";
import { gradients } from "../../src/autograd/engine.js";
import { ValueError } from "../../src/errors.js";
import type { ModelDerivation, NamedDerivation } from "../../src/explain/derivation.js";
import { DERIVATIONS, deriveNamed } from "../../src/explain/derive.js";
import { explain } from "../../src/explain/explain-program.js";
import { formatJson, formatText } from "../../src/explain/format.js";
import { richToText } from "../../src/explain/latex.js";
import { explainModelSpec, explainModule, explainTrace } from "../../src/explain/model.js";
import { Linear, ReLU, Sequential } from "../../src/nn/index.js";
import * as F from "../../src/ops/functions.js";
import { randn, tensor } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const flat = (v: unknown): number[] => (typeof v === "number" ? [v] : (v as unknown[]).flatMap(flat));
const expectClose = (v: unknown, t: Tensor, digits = 12) => {
  const xs = flat(v);
  expect(xs).toHaveLength(t.size);
  xs.forEach((x, i) => expect(x).toBeCloseTo(t.data[i]!, digits));
};

describe("named derivations", () => {
  it.each(DERIVATIONS)("%s: every step, and its numbers agree with autograd", (name) => {
    const d = deriveNamed(name);
    expect(d.kind).toBe("named");
    expect(d.steps.length).toBeGreaterThanOrEqual(3);
    expect(d.numeric.length).toBeGreaterThanOrEqual(1);
    for (const row of d.numeric) {
      expect(row.maxAbsDiff).toBeLessThanOrEqual(1e-12);
      flat(row.formula).forEach((x, i) => expect(x).toBeCloseTo(flat(row.autograd)[i]!, 12));
    }
    const text = formatText(d);
    expect(text).toContain(richToText(d.title));
    expect(text).not.toContain("✗");
  });

  it("derives P4 step by step and confirms P − y on random logits with autograd run here", () => {
    const d = deriveNamed("softmax-cross-entropy", { seed: 7 });
    expect(d.steps.map((s) => s.math)).toContain("∂L/∂hᵢ = Pᵢ − yᵢ");
    expect(d.steps.map((s) => s.math)).toContain("∂L/∂S = (P − Y)/N");
    const sample = (n: string) => d.sample.find((s) => s.name === n)!.value as number[];
    const h = tensor(sample("h"), { dtype: "float64", requiresGrad: true });
    const y = tensor(sample("y"), { dtype: "float64" });
    const L = F.neg(F.sum(F.mul(y, F.logSoftmax(h))));
    const [g] = gradients(L, [h]);
    expectClose(d.numeric[0]!.formula, g!, 14);
    expectClose(sample("P"), F.softmax(h.detach()), 14);
  });

  it("shows the C×C softmax Jacobian and its collapse to P − y", () => {
    const d: NamedDerivation = deriveNamed("softmax-jacobian");
    expect(d.steps.map((s) => s.math)).toContain("∂Pᵢ/∂hⱼ = Pᵢ δᵢⱼ − Pᵢ Pⱼ = Pᵢ(δᵢⱼ − Pⱼ)");
    const P = tensor(d.sample.find((s) => s.name === "P")!.value as number[], { dtype: "float64" });
    const J = d.numeric[0]!.autograd as number[][];
    expect(J).toHaveLength(4);
    J.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(P.data[i]! * ((i === j ? 1 : 0) - P.data[j]!), 14)));
  });

  it("rejects an unknown name", () => {
    expect(() => deriveNamed("softmax")).toThrow(/unknown derivation "softmax"; known: softmax-cross-entropy/);
  });
});

describe("the backward pass of a network as matrix equations (P5)", () => {
  const lines = (eqs: ModelDerivation["backward"]) => eqs.map((e) => [e.lhs, e.rhs, e.shape.join("×")]);

  it("writes P5's equations with symbolic shapes, from the ops' formulas", () => {
    const d = explainModelSpec("784-1024-10", { l2: 1e-4 });
    expect(lines(d.backward)).toEqual([
      ["∂L/∂S", "(P − Y)/N", "N×C"],
      ["∂L/∂W2", "H1ᵀ · ∂L/∂S + λ·W2", "H×C"],
      ["∂L/∂b2", "Σₙ ∂L/∂S", "C"],
      ["∂L/∂H1", "∂L/∂S · W2ᵀ", "N×H"],
      ["∂L/∂Z1", "∂L/∂H1 ⊙ 1[Z1 > 0]", "N×H"],
      ["∂L/∂W1", "Xᵀ · ∂L/∂Z1 + λ·W1", "D×H"],
      ["∂L/∂b1", "Σₙ ∂L/∂Z1", "H"],
    ]);
    expect(lines(d.forward)).toEqual([["Z1", "X · W1 + b1", "N×H"], ["H1", "ReLU(Z1)", "N×H"], ["S", "H1 · W2 + b2", "N×C"], ["L", "−(1/N) Σₙ Σⱼ Yₙⱼ log softmax(S)ₙⱼ + (λ/2)(‖W1‖² + ‖W2‖²)", ""]]);
    expect(d.sizes).toEqual({ D: 784, H: 1024, C: 10 });
  });

  it("prints for every line the shape the code computed", () => {
    for (const d of [explainModelSpec("784-1024-512-10", { l2: 1e-4 }), explainModelSpec("5-4-3", { layout: "features-first" })]) {
      const standIns = d.standIns!;
      expect(new Set(Object.values(standIns)).size).toBe(Object.keys(standIns).length);
      for (const e of [...d.forward, ...d.backward]) expect(e.shape.map((s) => standIns[s] ?? Number(s))).toEqual(e.computedShape);
      expect(d.numeric!.maxAbsDiff).toBeLessThanOrEqual(1e-12);
    }
  });

  it("gives numeric shapes with --batch, and the transposed ones features-first (P2)", () => {
    const bf = explainModelSpec("80-1024-512-1", { batch: 32, loss: "mse" });
    const ff = explainModelSpec("80-1024-512-1", { batch: 32, loss: "mse", layout: "features-first" });
    expect(bf.forward.slice(0, 5).map((e) => e.shape.join("×"))).toEqual(["32×1024", "32×1024", "32×512", "32×512", "32×1"]);
    expect(ff.forward.slice(0, 5).map((e) => e.shape.join("×"))).toEqual(["1024×32", "1024×32", "512×32", "512×32", "1×32"]);
    for (const d of [bf, ff]) for (const e of [...d.forward, ...d.backward]) expect(e.shape.map(Number)).toEqual(e.computedShape);
    expect(lines(ff.backward).find((l) => l[0] === "∂L/∂W1")).toEqual(["∂L/∂W1", "∂L/∂Z1 · Xᵀ", "1024×80"]);
    expect(lines(bf.backward)[0]).toEqual(["∂L/∂S", "2(S − Y)/(32·1)", "32×1"]);
    expect(ff.layers!.map((l) => [l.type, l.outputShape.join("×"), l.arithmetic])).toEqual([
      ["Linear", "1024×32", "80×1024 + 1024 = 82,944"], ["ReLU", "1024×32", "0"], ["Linear", "512×32", "1024×512 + 512 = 524,800"],
      ["ReLU", "512×32", "0"], ["Linear", "1×32", "512×1 + 1 = 513"],
    ]);
    expect(ff.totalParams).toBe(608257);
    expect(bf.layers!.map((l) => l.outputShape.join("×"))).toEqual(["32×1024", "32×1024", "32×512", "32×512", "32×1"]);
    expect(formatText(ff)).toContain("total parameters: 82,944 + 524,800 + 513 = 608,257");
    expect(bf.numeric!.maxAbsDiff).toBeLessThanOrEqual(1e-12);
  });

  it("with small data, prints numbers that agree with autograd run here", () => {
    const g = new Generator(3);
    const values = {
      X: [[0.5, -1, 2], [1, 0.25, -0.5], [0, 1, 1], [-1, 2, 0.5]],
      y: [0, 2, 1, 2],
      W1: F.mul(F.cast(tensor([[1, -2, 3, 1], [0.5, 1, -1, 2], [-1, 0.5, 1, -0.5]]), "float64"), 0.3),
      b1: [0.1, -0.1, 0.2, 0],
      W2: randn([4, 3], { dtype: "float64", generator: g }),
      b2: [0, 0.1, -0.1],
    } as const;
    const lambda = 0.01;
    const d = explainModelSpec("3-4-3", { values: values as never, l2: lambda });
    const X = tensor(values.X, { dtype: "float64" });
    const [W1, b1, W2, b2] = [values.W1, tensor(values.b1, { dtype: "float64" }), values.W2, tensor(values.b2, { dtype: "float64" })].map((t) => (t as Tensor).detach().requiresGrad_());
    const Z1 = F.add(F.matmul(X, W1!), b1!);
    const H1 = F.relu(Z1);
    const S = F.add(F.matmul(H1, W2!), b2!);
    const Y = F.oneHot(tensor(values.y, { dtype: "int32" }), 3, { dtype: "float64" });
    const ce = F.neg(F.div(F.sum(F.mul(Y, F.logSoftmax(S))), 4));
    const L = F.add(ce, F.mul(F.add(F.sum(F.mul(W1!, W1!)), F.sum(F.mul(W2!, W2!))), lambda / 2));
    const want = [S, W2!, b2!, H1, Z1, W1!, b1!];
    const got = gradients(L, want);
    expect(d.numeric!.loss).toBeCloseTo(L.item(), 14);
    d.backward.forEach((e, i) => expectClose(e.value, got[i]!, 14));
    expect(formatText(d)).toContain(`loss L = ${String(Number(L.item().toPrecision(10)))}`);
  });

  it("explains a module built in code, running its layers", () => {
    const g = new Generator(1);
    const model = new Sequential(new Linear(3, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g }));
    const x = randn([5, 3], { generator: g });
    const labels = tensor([0, 1, 1, 0, 1], { dtype: "int32" });
    const d = explain(model, x, labels);
    expect(lines(d.backward)).toEqual([
      ["∂L/∂S", "(P − Y)/5", "5×2"],
      ["∂L/∂W2", "(∂L/∂S)ᵀ · H1", "2×4"],
      ["∂L/∂b2", "Σₙ ∂L/∂S", "2"],
      ["∂L/∂H1", "∂L/∂S · W2", "5×4"],
      ["∂L/∂Z1", "∂L/∂H1 ⊙ 1[Z1 > 0]", "5×4"],
      ["∂L/∂W1", "(∂L/∂Z1)ᵀ · X", "4×3"],
      ["∂L/∂b1", "Σₙ ∂L/∂Z1", "4"],
    ]);
    expect(d.forward[0]!.rhs).toBe("X · W1ᵀ + b1");
    expect(d.numeric!.maxAbsDiff).toBeLessThanOrEqual(d.numeric!.tolerance);
    expect(JSON.parse(formatJson(d)).backward).toHaveLength(7);
    expect(() => explainModule(new Sequential(new ReLU()), x, labels)).toThrow(ValueError);
  });

  it("rejects a bad spec, loss, batch or penalty", () => {
    expect(() => explainModelSpec("784-x-10")).toThrow(/"x" is not a positive integer/);
    expect(() => explainModelSpec("784-10", { loss: "hinge" as never })).toThrow(/--loss must be cross-entropy or mse/);
    expect(() => explainModelSpec("784-10", { batch: 0 })).toThrow(/--batch must be a positive integer/);
    expect(() => explainModelSpec("784-10", { l2: -1 })).toThrow(/--l2 must be a number ≥ 0/);
  });
});

describe("degenerate losses are said, not printed as a silent 0 (issue 7, item 14)", () => {
  const warning = /one output: softmax over one class is 1 whatever the score, so the cross-entropy loss is L = 0 and every gradient is 0/;

  it("warns when cross-entropy runs over one output unit", () => {
    const d = explainModelSpec("80-1024-512-1", { loss: "cross-entropy", batch: 4 });
    expect(d.numeric!.loss).toBe(0);
    expect(d.warnings!.map(richToText)).toEqual([expect.stringMatching(warning)]);
    expect(richToText(d.notes[0]!)).toMatch(warning);
    expect(formatText(d)).toMatch(warning);
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
    const [x, y] = [randn([2, 3], { generator: new Generator(1) }), tensor([0, 0], { dtype: "int32" })];
    for (const d of [explain(model, x, y), explainTrace(model, x, y)]) expect(d.warnings!.map(richToText)).toEqual([expect.stringMatching(warning)]);
  });

  it("says nothing for two outputs or for mse on one", () => {
    expect(explainModelSpec("80-16-2").warnings).toBeUndefined();
    expect(explainModelSpec("80-16-1", { loss: "mse" }).warnings).toBeUndefined();
  });

  it("checks the options of the public functions", () => {
    expect(() => explainModelSpec("4-2", { los: "mse" } as never)).toThrow(/explainModelSpec: unknown option "los" \(did you mean "loss"\?\)/);
    expect(() => deriveNamed("mse", { sed: 1 } as never)).toThrow(/deriveNamed: unknown option "sed"/);
    expect(() => explainModule(new Linear(2, 2), randn([1, 2]), tensor([0], { dtype: "int32" }), { l3: 1 } as never)).toThrow(/explainModule: unknown option "l3"/);
  });
});
