import { describe, expect, it } from "vitest";
import { gradients } from "../../src/autograd/engine.js";
import { ParseError, ValueError } from "../../src/errors.js";
import type { ProgramDerivation } from "../../src/explain/derivation.js";
import { explain, explainProgram } from "../../src/explain/explain-program.js";
import { formatJson, formatLatex, formatMarkdown, formatText } from "../../src/explain/format.js";
import { formatDot, formatSvg } from "../../src/explain/graph-draw.js";
import { mathToLatex, richToText } from "../../src/explain/latex.js";
import { formatNumber } from "../../src/explain/numbers.js";
import * as F from "../../src/ops/functions.js";
import { scalar, tensor } from "../../src/tensor/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const P1_VALUES = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };
const P1_WRT = ["w0", "w1", "b0", "b1", "x0"];

/** P1 computed directly with the library's ops and autograd, independently of the explain code. */
function p1Autograd(): { values: Record<string, number>; grads: Record<string, number> } {
  const leaf = (v: number) => scalar(v, { dtype: "float64", requiresGrad: true });
  const x0 = leaf(1), w0 = leaf(0.3), w1 = leaf(-0.2), b0 = leaf(0.1), b1 = leaf(-0.3);
  const x1 = F.relu(F.add(F.mul(x0, w0), b0));
  const y1 = F.add(F.mul(x1, w1), b1);
  const z = F.relu(F.add(y1, x0));
  const inputs: Record<string, Tensor> = { w0, w1, b0, b1, x0, x1, y1 };
  const gs = gradients(z, Object.values(inputs));
  return {
    values: { x1: x1.item(), y1: y1.item(), z: z.item() },
    grads: Object.fromEntries(Object.keys(inputs).map((k, i) => [k, gs[i]!.item()])),
  };
}

const p1 = (): ProgramDerivation => explainProgram(P1, P1_VALUES, { wrt: P1_WRT });

describe("formatNumber", () => {
  it.each<[number, number | undefined, string]>([
    [0.9400000000000001, undefined, "0.94"],
    [0.1 + 0.2, undefined, "0.3"],
    [-0.2, undefined, "−0.2"],
    [1, undefined, "1"],
    [-0, undefined, "0"],
    [1e-7, undefined, "1e−7"],
    [2 / 3, 3, "0.667"],
    [2 / 3, undefined, "0.6666666667"],
    [123456789012, undefined, "123456789000"],
    [Infinity, undefined, "∞"],
  ])("formats %d at precision %s as %s", (v, p, text) => {
    expect(formatNumber(v, p)).toBe(text);
  });
});

describe("explainProgram on P1", () => {
  const auto = p1Autograd();

  it("evaluates the forward pass with the values of PROBLEMS.md, equal to autograd's", () => {
    const d = p1();
    const values = Object.fromEntries(d.forward.map((f) => [f.name, f.value]));
    expect(values).toEqual(auto.values);
    expect(values.x1).toBeCloseTo(0.4, 15);
    expect(values.y1).toBeCloseTo(-0.38, 15);
    expect(values.z).toBeCloseTo(0.62, 15);
  });

  it("substitutes numbers and reduces one level at a time", () => {
    const d = p1();
    expect(d.forward.map((f) => [f.name, f.expression, ...f.stages])).toEqual([
      ["x1", "ReLU(x0·w0 + b0)", "ReLU(1·0.3 + 0.1)", "ReLU(0.4)", "0.4"],
      ["y1", "x1·w1 + b1", "0.4·(−0.2) + (−0.3)", "−0.38"],
      ["z", "ReLU(y1 + x0)", "ReLU(−0.38 + 1)", "ReLU(0.62)", "0.62"],
    ]);
  });

  it("gives every gradient of PROBLEMS.md, equal to autograd's", () => {
    const d = p1();
    const grads = Object.fromEntries(d.gradients.map((g) => [g.wrt, g.value]));
    for (const w of P1_WRT) expect(grads[w]).toBe(auto.grads[w]);
    expect(grads.w0).toBeCloseTo(-0.2, 15);
    expect(grads.w1).toBeCloseTo(0.4, 15);
    expect(grads.b0).toBeCloseTo(-0.2, 15);
    expect(grads.b1).toBe(1);
    expect(grads.x0).toBeCloseTo(0.94, 15);
    expect(d.gradients.map((g) => g.symbol)).toEqual(["∂z/∂w0", "∂z/∂w1", "∂z/∂b0", "∂z/∂b1", "∂z/∂x0"]);
  });

  it("writes each gradient as a product of local derivatives in the person's sub-expressions", () => {
    const d = p1();
    const w0 = d.gradients[0]!;
    expect(w0.paths).toHaveLength(1);
    const shown = w0.paths![0]!.factors.filter((f) => !f.unit);
    expect(shown.map((f) => f.text)).toEqual(["ReLU'(y1 + x0)", "w1", "ReLU'(x0·w0 + b0)", "x0"]);
    expect(shown.map((f) => f.value)).toEqual([1, -0.2, 1, 1]);
    expect(w0.paths![0]!.value).toBe(auto.grads.w0);
  });

  it("shows both paths of ∂z/∂x0, through the branch and through the skip connection, and their sum", () => {
    const g = p1().gradients.find((x) => x.wrt === "x0")!;
    expect(g.paths!.map((p) => [p.label, p.vars])).toEqual([
      ["through y1, x1", ["z", "y1", "x1", "x0"]],
      ["skip connection", ["z", "x0"]],
    ]);
    const [branch, skip] = g.paths!;
    expect(branch!.value).toBeCloseTo(-0.06, 15);
    expect(skip!.value).toBe(1);
    expect(branch!.value + skip!.value).toBe(auto.grads.x0);
  });

  it("runs reverse mode one variable at a time, upstream × local, with autograd's numbers", () => {
    const d = p1();
    expect(d.backward.map((s) => s.name)).toEqual(["z", "y1", "x1", "x0", "w0", "b0", "w1", "b1"]);
    for (const s of d.backward) if (s.name !== "z") expect(s.value).toBe(auto.grads[s.name]);
    const y1 = d.backward[1]!;
    expect(y1.terms).toMatchObject([{ from: "z", upstream: "∂z/∂z", local: "ReLU'(y1 + x0)", localAtValues: "ReLU'(0.62)", value: 1 }]);
    const x0 = d.backward.find((s) => s.name === "x0")!;
    expect(x0.terms.map((t) => [t.upstream, t.local])).toEqual([
      ["∂z/∂x1", "ReLU'(x0·w0 + b0) · w0"],
      ["∂z/∂z", "ReLU'(y1 + x0)"],
    ]);
    expect(x0.terms[0]!.value).toBeCloseTo(-0.06, 15);
  });

  it("prints P1 as text", () => {
    expect(formatText(p1())).toBe(`Inputs
  x0 = 1, w0 = 0.3, b0 = 0.1, w1 = −0.2, b1 = −0.3

Forward pass
  x1 = ReLU(x0·w0 + b0) = ReLU(1·0.3 + 0.1)   = ReLU(0.4)  = 0.4
  y1 = x1·w1 + b1       = 0.4·(−0.2) + (−0.3) = −0.38
  z  = ReLU(y1 + x0)    = ReLU(−0.38 + 1)     = ReLU(0.62) = 0.62

Gradients of z
  ∂z/∂w0 = ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · x0
         = (1)(−0.2)(1)(1) = −0.2
  ∂z/∂w1 = ReLU'(y1 + x0) · x1
         = (1)(0.4) = 0.4
  ∂z/∂b0 = ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0)
         = (1)(−0.2)(1) = −0.2
  ∂z/∂b1 = ReLU'(y1 + x0) · 1
         = (1)(1) = 1
  ∂z/∂x0 = ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · w0   (through y1, x1)
         + ReLU'(y1 + x0) · 1                             (skip connection)
         = (1)(−0.2)(1)(0.3) + (1)(1) = −0.06 + 1 = 0.94

Backward pass (reverse mode, one variable at a time: upstream × local)
  ∂z/∂z  = 1
  ∂z/∂y1 = ∂z/∂z · ReLU'(y1 + x0) = 1 · ReLU'(0.62) = 1 · 1 = 1
  ∂z/∂x1 = ∂z/∂y1 · w1 = 1 · (−0.2) = −0.2
  ∂z/∂x0 = ∂z/∂x1 · ReLU'(x0·w0 + b0) · w0 + ∂z/∂z · ReLU'(y1 + x0) = (−0.2) · ReLU'(0.4) · 0.3 + 1 · ReLU'(0.62) = (−0.2) · 1 · 0.3 + 1 · 1 = −0.06 + 1 = 0.94
  ∂z/∂w0 = ∂z/∂x1 · ReLU'(x0·w0 + b0) · x0 = (−0.2) · ReLU'(0.4) · 1 = (−0.2) · 1 · 1 = −0.2
  ∂z/∂b0 = ∂z/∂x1 · ReLU'(x0·w0 + b0) = (−0.2) · ReLU'(0.4) = (−0.2) · 1 = −0.2
  ∂z/∂w1 = ∂z/∂y1 · x1 = 1 · 0.4 = 0.4
  ∂z/∂b1 = ∂z/∂y1 · 1 = 1 · 1 = 1

Notes
  ReLU'(u) = 1[u > 0], from the rule of relu: ∂x = ḡ ⊙ 1[x > 0]; ReLU'(0) = 0 at the kink, as PyTorch
`);
  });

  /** What every format must show of P1, as each writes it. */
  const mustShow = (write: (s: string) => string) => [
    ...["0.4", "−0.38", "0.62", "−0.2", "0.94", "−0.06"].map(write),
    write("ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · w0"),
    write("ReLU'(y1 + x0) · 1"),
    write("∂z/∂x0 = ∂z/∂x1 · ReLU'(x0·w0 + b0) · w0 + ∂z/∂z · ReLU'(y1 + x0)"),
    write("∂z/∂y1 = ∂z/∂z · ReLU'(y1 + x0) = 1 · ReLU'(0.62) = 1 · 1 = 1"),
  ];

  it.each([
    ["markdown", formatMarkdown, (s: string) => s],
    ["text", formatText, (s: string) => s],
  ])("shows values, gradients, both paths of ∂z/∂x0 and the adjoint steps in %s", (_, format, write) => {
    const out = format(p1());
    for (const s of mustShow(write)) expect(out).toContain(s);
  });

  it("shows the same in LaTeX, with names, derivatives and minus signs typeset", () => {
    const out = formatLatex(p1());
    const flat = out.replace(/&/g, "").replace(/ +/g, " ");
    for (const s of mustShow((m) => mathToLatex(m))) expect(flat).toContain(s);
    expect(out).toContain("\\frac{\\partial z}{\\partial x_{0}} &= \\operatorname{ReLU}'(y_{1} + x_{0}) \\cdot w_{1}");
    expect(out).toContain("\\text{(skip connection)}");
    expect(out).not.toMatch(/[−∂·]/);
  });

  it("puts values by name, gradients by symbol and by input, paths and adjoint steps in JSON", () => {
    const j = JSON.parse(formatJson(p1()));
    expect(j.values).toEqual({ ...P1_VALUES, ...auto.values });
    expect(j.gradients).toEqual(Object.fromEntries(P1_WRT.map((w) => [`∂z/∂${w}`, auto.grads[w]])));
    expect(j.gradientsByInput).toEqual(Object.fromEntries(P1_WRT.map((w) => [w, auto.grads[w]])));
    const paths = j.paths["∂z/∂x0"];
    expect(paths.map((p: { label: string }) => p.label)).toEqual(["through y1, x1", "skip connection"]);
    expect(paths[0].factors.filter((f: { unit: boolean }) => !f.unit).map((f: { text: string; value: number }) => [f.text, f.value])).toEqual([
      ["ReLU'(y1 + x0)", 1], ["w1", -0.2], ["ReLU'(x0·w0 + b0)", 1], ["w0", 0.3],
    ]);
    expect(j.backward.map((s: { symbol: string; value: number }) => [s.symbol, s.value])).toEqual(
      [["∂z/∂z", 1], ...["y1", "x1", "x0", "w0", "b0", "w1", "b1"].map((n) => [`∂z/∂${n}`, auto.grads[n]])],
    );
    expect(j.checks).toBeUndefined();
  });

  it("draws the graph in DOT: each node with value and gradient, each edge with its local derivative", () => {
    const dot = formatDot(p1());
    expect(dot).toMatch(/^digraph chainrule \{/);
    expect(dot).toContain('"x1" [label="x1 = ReLU(x0·w0 + b0)\\nvalue 0.4\\n∂z/∂x1 = −0.2"');
    expect(dot).toContain('"x0" [label="x0 (input)\\nvalue 1\\n∂z/∂x0 = 0.94"');
    expect(dot).toContain(`"x0" -> "z" [label="∂z/∂x0 (local)\\n= ReLU'(y1 + x0) = 1"]`);
    expect(dot).toContain(`"x0" -> "x1" [label="∂x1/∂x0 (local)\\n= ReLU'(x0·w0 + b0) · w0 = 0.3"]`);
    expect(dot.match(/->/g)).toHaveLength(8);
  });

  it("draws the graph as SVG with the same labels", () => {
    const svg = formatSvg(p1());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<rect [^>]*rx="6"/g)).toHaveLength(8);
    expect(svg.match(/<path [^>]*marker-end/g)).toHaveLength(8);
    for (const s of ["x1 = ReLU(x0·w0 + b0)", "value −0.38", "∂z/∂x0 = 0.94", "= w1 = −0.2", "= ReLU'(y1 + x0) = 1"]) expect(svg).toContain(s);
    expect((svg.match(/<text/g) ?? []).length).toBe((svg.match(/<\/text>/g) ?? []).length);
  });

  it("is what explain() returns for a program", () => {
    expect(explain(P1, P1_VALUES, { wrt: P1_WRT })).toEqual(p1());
  });
});

describe("explainProgram", () => {
  it("defaults to the last assignment and to every input; --of picks another output", () => {
    const d = explainProgram(P1, P1_VALUES);
    expect(d.of).toBe("z");
    expect(d.wrt).toEqual(["x0", "w0", "b0", "w1", "b1"]);
    const y = explainProgram(P1, P1_VALUES, { of: "y1", wrt: ["w0", "b1"] });
    expect(y.gradients.map((g) => [g.symbol, g.value])).toEqual([["∂y1/∂w0", -0.2], ["∂y1/∂b1", 1]]);
    expect(y.gradients[0]!.paths!.map((p) => p.factors.filter((f) => !f.unit).map((f) => f.text))).toEqual([["w1", "ReLU'(x0·w0 + b0)", "x0"]]);
  });

  it("states the convention at the kink of ReLU", () => {
    const d = explainProgram("h = relu(x*w - 1); L = h*3", { x: 0.5, w: 2 });
    const g = d.gradients.find((x) => x.wrt === "w")!;
    expect(g.value).toBe(0);
    expect(g.paths![0]!.factors.find((f) => f.kink)?.kink).toMatch(/kink: taken as \$0\$, as PyTorch/);
    expect(formatText(d)).toContain("ReLU'(x·w − 1) at x·w − 1 = 0, the kink: taken as 0, as PyTorch does");
  });

  it("sums the paths of a variable used twice (the product rule)", () => {
    const d = explainProgram("y = x*x + 3*x", { x: 2 });
    const g = d.gradients[0]!;
    expect(g.value).toBe(7);
    expect(g.paths!.map((p) => [p.label, p.value])).toEqual([["direct, use 1 of x", 2], ["direct, use 2 of x", 2], ["direct, use 3 of x", 3]]);
  });

  it("differentiates the functions of the language with their ops' rules", () => {
    const src = "a = sigmoid(x) * tanh(x) + exp(x) / sqrt(x) - log(x) + abs(-x) + max(x, 1) - min(x, 1) + x^3";
    const d = explainProgram(src, { x: 0.7 });
    const x = scalar(0.7, { dtype: "float64", requiresGrad: true });
    const a = F.add(F.sub(F.add(F.add(F.sub(F.add(F.mul(F.sigmoid(x), F.tanh(x)), F.div(F.exp(x), F.sqrt(x))), F.log(x)), F.abs(F.neg(x))), F.maximum(x, 1)), F.minimum(x, 1)), F.pow(x, 3));
    const [gx] = gradients(a, [x]);
    expect(d.forward[0]!.value).toBe(a.item());
    expect(d.gradients[0]!.value).toBe(gx!.item());
    expect(d.gradients[0]!.paths!.reduce((s, p) => s + p.value, 0)).toBeCloseTo(gx!.item(), 12);
    const texts = d.gradients[0]!.paths!.flatMap((p) => p.factors.map((f) => f.text));
    for (const t of ["sigmoid'(x)", "tanh'(x)", "exp(x)", "1/sqrt(x)", "1/x", "sign(−x)", "1[x > 1]", "1[x < 1]", "3·x^2"]) expect(texts).toContain(t);
  });

  it("explains a tensor program in matrix form with autograd's numbers", () => {
    const values = { X: [[1, 2], [0.5, -1], [0, 1]], W: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], b: [0.1, 0, -0.1], y: [2, 0, 1] };
    const d = explainProgram("Z = X @ W + b\nH = relu(Z)\nL = crossentropy(H, y)", values, { wrt: ["W", "b"] });
    const X = tensor(values.X, { dtype: "float64" });
    const W = tensor(values.W, { dtype: "float64", requiresGrad: true });
    const b = tensor(values.b, { dtype: "float64", requiresGrad: true });
    const H = F.relu(F.add(F.matmul(X, W), b));
    const P = F.softmax(H);
    const L = F.neg(F.div(F.sum(F.mul(F.log(P), F.oneHot(tensor([2, 0, 1], { dtype: "int32" }), 3, { dtype: "float64" }))), 3));
    const [gW, gb] = gradients(L, [W, b]);
    expect(d.forward[2]!.value).toBeCloseTo(L.item(), 14);
    const close = (a: unknown, t: Tensor) => (a as number[] | number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(t.data[i]!, 14));
    close(d.gradients[0]!.value, gW!);
    close(d.gradients[1]!.value, gb!);
    const step = (n: string) => d.backward.find((s) => s.name === n)!;
    expect(step("H").terms[0]!.local).toBe("(softmax(H) − onehot(y))/3");
    expect(step("Z").terms[0]!.local).toBe("∂L/∂H ⊙ 1[Z > 0]");
    expect(step("W").terms[0]!.local).toBe("Xᵀ · ∂L/∂Z");
    expect(step("b").terms[0]!.local).toBe("Σₙ ∂L/∂Z");
    expect(step("W").shape).toEqual([2, 3]);
    close(step("W").value, gW!);
    expect(d.backward.some((s) => s.name === "y")).toBe(false);
    expect(formatText(d)).toContain("∂L/∂W = Xᵀ · ∂L/∂Z   [2×3]");
  });

  it("lists the names that have no value", () => {
    expect(() => explainProgram(P1, { x0: 1, w0: 0.3 })).toThrow(ValueError);
    expect(() => explainProgram(P1, { x0: 1, w0: 0.3 })).toThrow(/no value for b0, w1, b1: set them with --set b0=…,w1=…,b1=… or --values file.json/);
    expect(() => explainProgram("y = a + b; z = y*c", { a: 1, b: 2, c: 3, y: 4 })).toThrow(/y is assigned in the program and also given a value/);
    expect(() => explainProgram("y = z + 1; z = 2", {})).toThrow(/z is used before its assignment/);
    expect(() => explainProgram(P1, P1_VALUES, { wrt: ["q"] })).toThrow(/no variable named q/);
    expect(() => explainProgram(P1, P1_VALUES, { of: "q" })).toThrow(/no variable named q/);
  });

  it("raises ParseError with a position for a malformed program", () => {
    try {
      explainProgram("x1 = relu(x0*w0 + b0\nz = x1", P1_VALUES);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).line).toBe(1);
      expect((e as Error).message).toContain("^");
    }
  });

  it("shows more digits with a higher precision", () => {
    const d = explainProgram("y = x / 3", { x: 2 }, { precision: 4 });
    expect(formatText(d)).toContain("y = x/3 = 2/3 = 0.6667");
    expect(formatText(explainProgram("y = x / 3", { x: 2 }, { precision: 15 }))).toContain("0.666666666666667");
  });

  it("lists the shortest paths up to a bound, says how many there are in all, and sums them through the backward pass", () => {
    const src = Array.from({ length: 7 }, (_, i) => `a${i + 1} = a${i} + a${i}*w`).join("\n");
    const d = explainProgram(src, { a0: 1, w: 0.5 }, { wrt: ["a0"] });
    expect(d.gradients[0]!.paths).toHaveLength(32);
    expect(d.gradients[0]!.totalPaths).toBe("128");
    expect(formatText(d)).toMatch(/\+ …\s+\(96 more; 128 paths in all, the shortest shown: the backward pass sums them\)/);
    expect(d.gradients[0]!.value).toBeCloseTo(1.5 ** 7, 12);
    expect(d.backward.find((s) => s.name === "a0")!.value).toBeCloseTo(1.5 ** 7, 12);
  });
});

describe("values outside a function's domain, and values given (issue 7, items 8 and 19)", () => {
  it.each<[string, string, Record<string, number>, string]>([
    ["a division by zero", "z = x0/w0", { x0: 1, w0: 0 }, "z: division by zero: x0/w0 with w0 = 0 gives ∞"],
    ["0/0", "z = x0/(w0 - w0)", { x0: 0, w0: 2 }, "z: division by zero: x0/(w0 − w0) with w0 − w0 = 0 gives NaN"],
    ["log of 0", "y = x*0\nz = log(y)", { x: 3 }, "z: log of 0: log(y) with y = 0 gives −∞"],
    ["log of a negative number", "z = log(x) + 1", { x: -2 }, "z: log of a negative number: log(x) with x = −2 gives NaN"],
    ["sqrt of a negative number", "z = sqrt(x - 1)", { x: 0.5 }, "z: square root of a negative number: sqrt(x − 1) with x − 1 = −0.5 gives NaN"],
    ["a negative base to a fractional power", "z = x^p", { x: -8, p: 0.5 }, "z: a negative base to a fractional power: x^p with x = −8, p = 0.5 gives NaN"],
    ["0 to a negative power", "z = x^p", { x: 0, p: -1 }, "z: 0 to a negative power (a division by zero): x^p with x = 0, p = −1 gives ∞"],
    ["an overflow", "z = exp(x)", { x: 1000 }, "z: overflow (beyond the largest float64, about 1.8e308): exp(x) at x = 1000 gives ∞"],
  ])("says where %s happens", (_, program, values, note) => {
    const d = explainProgram(program, values);
    expect(d.notes.map(richToText)).toContain(note);
    expect(d.warnings!.map(richToText)).toEqual([note]);
    expect(formatText(d)).toContain(`Notes\n  ${note}`);
  });

  it("says it once, where it first happens, not where the ∞ merely flows on", () => {
    const d = explainProgram("y = x0/w0\nz = y*2 + 1", { x0: 1, w0: 0 });
    expect(d.warnings!.map(richToText)).toEqual(["y: division by zero: x0/w0 with w0 = 0 gives ∞"]);
    expect(explainProgram("z = x0/w0", { x0: 1, w0: 2 }).warnings).toBeUndefined();
  });

  it("counts the elements of a tensor that leave the domain", () => {
    const d = explainProgram("z = sum(log(v))", { v: [1, 0, -1, 2] });
    expect(d.warnings!.map(richToText)).toEqual(["z: log of a negative number: log(v) gives ±∞ or NaN in 2 of 4 elements"]);
  });

  it("says that softmax over one element is constant", () => {
    const d = explainProgram("L = sum(softmax(h))", { h: [[0.3], [-1]] });
    expect(d.warnings!.map(richToText)).toEqual(["L: softmax(h) runs over one element, so it is constant (softmax = 1) and its gradient is 0"]);
  });

  it("refuses a value for a name the program does not use, naming its variables", () => {
    expect(() => explainProgram(P1, { ...P1_VALUES, w9: 5 })).toThrow(ValueError);
    expect(() => explainProgram(P1, { ...P1_VALUES, w9: 5 })).toThrow("w9 is not a variable of the program; its inputs are x0, w0, b0, w1, b1 (it assigns x1, y1, z)");
  });

  it("refuses a value that is not finite, however it was written", () => {
    for (const bad of [Infinity, -Infinity, NaN, Number("1e400")]) {
      expect(() => explainProgram(P1, { ...P1_VALUES, x0: bad })).toThrow(/^x0: .* is not a finite number/);
    }
    expect(() => explainProgram("y = sum(v)", { v: [1, Infinity] })).toThrow("v: ∞ is not a finite number");
  });

  it("checks the options of the public functions", () => {
    expect(() => explainProgram(P1, P1_VALUES, { precison: 3 } as never)).toThrow(/explainProgram: unknown option "precison" \(did you mean "precision"\?\)/);
    expect(() => explain(P1, P1_VALUES, { wrtt: ["x0"] } as never)).toThrow(/explain: unknown option "wrtt"/);
    expect(() => explainProgram(P1, P1_VALUES, 3 as never)).toThrow(/expected an options object, found number/);
  });
});
