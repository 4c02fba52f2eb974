import katex from "katex";
import { describe, expect, it } from "vitest";
import { DERIVATIONS, deriveNamed } from "../../src/explain/derive.js";
import { explainProgram } from "../../src/explain/explain-program.js";
import { formatLatex } from "../../src/explain/format.js";
import { mathToLatex, richToLatex, richToLatexText, richToText } from "../../src/explain/latex.js";
import { ValueError } from "../../src/errors.js";
import { explainModelSpec, explainModule } from "../../src/explain/model.js";
import { Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { randn, tensor } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const P1_VALUES = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };

/** The math of a LaTeX fragment: display blocks `\[…\]` and inline `\(…\)`. */
function mathParts(latex: string): { tex: string; displayMode: boolean }[] {
  return [
    ...[...latex.matchAll(/\\\[([\s\S]*?)\\\]/g)].map((m) => ({ tex: m[1]!, displayMode: true })),
    ...[...latex.matchAll(/\\\(([\s\S]*?)\\\)/g)].map((m) => ({ tex: m[1]!, displayMode: false })),
  ];
}

const g = new Generator(2);
const fragments: [string, () => string][] = [
  ["P1", () => formatLatex(explainProgram(P1, P1_VALUES))],
  ["P1 with a wrong hand solution checked", () => formatLatex(explainProgram(P1, P1_VALUES, { check: "x1=0.4, y1=-0.08, z=0.92, dz/dw1=-0.2, dz/dw0=0.2, dz/dx0=-0.06" }))],
  ["every function of the language", () => formatLatex(explainProgram("h = relu(x*w - 1); p = sigmoid(h*2 + x^2); L = -log(p) + sqrt(x)/exp(w) + abs(x) + max(x, w) - min(x, w) + tanh(λ*x)", { x: 0.5, w: 2, λ: 0.1 }))],
  ["a tensor program", () => formatLatex(explainProgram("Z = X @ W + b\nL = crossentropy(relu(Z), y) + mean(softmax(Z)) + sum(logsoftmax(Z, 0))", {
    X: [[1, 2], [0.5, -1], [0, 1]], W: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], b: [0.1, 0, -0.1], y: [2, 0, 1],
  }))],
  ["P5", () => formatLatex(explainModelSpec("784-1024-512-10", { l2: 1e-4 }))],
  ["P5 features-first with numbers", () => formatLatex(explainModelSpec("3-4-2", { layout: "features-first", loss: "mse", values: { X: [[1, 2], [0.5, -1], [0, 1]], Y: [[1, 0], [0, 1]] } }))],
  ["a module", () => formatLatex(explainModule(new Sequential(new Linear(3, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g })), randn([5, 3], { generator: g }), tensor([0, 1, 1, 0, 1], { dtype: "int32" })))],
  ...DERIVATIONS.map((n): [string, () => string] => [`--derive ${n}`, () => formatLatex(deriveNamed(n))]),
];

describe("the LaTeX output renders in KaTeX", () => {
  it.each(fragments)("%s", (_, make) => {
    const latex = make();
    expect(latex).not.toMatch(/[^\x00-\x7f]/);
    const parts = mathParts(latex);
    expect(parts.length).toBeGreaterThan(2);
    for (const { tex, displayMode } of parts) {
      expect(() => katex.renderToString(tex, { throwOnError: true, displayMode })).not.toThrow();
    }
  });
});

describe("mathToLatex and richToLatexText", () => {
  it("writes a matrix product as juxtaposition, as the program's own LaTeX does", () => {
    expect(mathToLatex("Z = X @ W + b")).toBe("Z = X W + b");
    expect(mathToLatex("H1 @ W2")).toBe("H_{1} W_{2}");
  });

  it("lets inline tensor values break after their commas, and KaTeX still renders them", () => {
    const tex = richToLatexText("formula: $[[0.1, −0.2], [0.3, 0.4]]$");
    expect(tex).toBe("formula: \\([[0.1,\\allowbreak -0.2],\\allowbreak [0.3,\\allowbreak 0.4]]\\)");
    expect(() => katex.renderToString(tex.slice(tex.indexOf("\\(") + 2, -2), { throwOnError: true })).not.toThrow();
  });

  it("refuses what is not text or not a derivation with a ValueError", () => {
    for (const f of [mathToLatex, richToLatex, richToText]) expect(() => f(3 as never)).toThrow(new ValueError(`${f.name}: expected a string, found number`));
    expect(() => formatLatex(null as never)).toThrow(new ValueError("formatLatex: expected a derivation (of a program, a model or a named one), found null"));
    expect(() => formatLatex({} as never)).toThrow(/found an object of kind undefined/);
    expect(() => mathToLatex(null as never)).toThrow(ValueError);
    expect(() => formatLatex(undefined as never)).toThrow(ValueError);
  });
});
