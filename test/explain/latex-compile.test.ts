import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DERIVATIONS, deriveNamed } from "../../src/explain/derive.js";
import { explain, explainProgram } from "../../src/explain/explain-program.js";
import { formatLatex } from "../../src/explain/format.js";
import { explainModelSpec } from "../../src/explain/model.js";
import { Generator, nn, randn, tensor } from "../../src/index.js";

const P1 = "x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)";
const P1_VALUES = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };

/** The problems as the CLI builds them: `explain P1 --set …`, `--derive softmax-cross-entropy`, `--model 784-100-10 --loss cross-entropy --l2 1e-4`. */
const documents: [string, () => string][] = [
  ["P1", () => formatLatex(explainProgram(P1, P1_VALUES))],
  ["P1 checked against a wrong solution", () => formatLatex(explainProgram(P1, P1_VALUES, { check: "x1=0.4, y1=-0.08, z=0.92, dz/dw1=-0.2, dz/dw0=0.2, dz/dx0=-0.06" }))],
  ["P4", () => formatLatex(deriveNamed("softmax-cross-entropy"))],
  ["P5", () => formatLatex(explainModelSpec("784-100-10", { loss: "cross-entropy", l2: 1e-4 }))],
  ["P5 with three layers", () => formatLatex(explainModelSpec("784-1024-512-10", { l2: 1e-4 }))],
  ["every function of the language", () => formatLatex(explainProgram("h = relu(x*w - 1); p = sigmoid(h*2 + x^2); L = -log(p) + sqrt(x)/exp(w) + abs(x) + max(x, w) - min(x, w) + tanh(λ*x)", { x: 0.5, w: 2, λ: 0.1 }))],
  ["a tensor program", () => formatLatex(explainProgram("Z = X @ W + b\nL = crossentropy(relu(Z), y)", { X: [[1, 2], [0.5, -1], [0, 1]], W: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], b: [0.1, 0, -0.1], y: [2, 0, 1] }))],
  ["a module explained op by op", () => {
    const g = new Generator(1);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 2, 3, { generator: g }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
      new nn.Residual(new nn.Sequential(new nn.Linear(2, 2, { generator: g }), new nn.Tanh())), new nn.Linear(2, 3, { generator: g }),
    );
    return formatLatex(explain(model, randn([2, 1, 4, 4], { generator: g }), tensor([0, 2], { dtype: "int32" }), { l2: 0.01 }));
  }],
  ...DERIVATIONS.filter((n) => n !== "softmax-cross-entropy").map((n): [string, () => string] => [`--derive ${n}`, () => formatLatex(deriveNamed(n))]),
];

/** formatLatex writes a fragment; this is the smallest document around it, with the packages its first line names. */
const wrap = (fragment: string) => `\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n${fragment}\\end{document}\n`;

const probe = spawnSync("pdflatex", ["--version"], { encoding: "utf8" });
const hasPdflatex = probe.status === 0;
if (!hasPdflatex) console.log(`skipping the pdflatex builds: pdflatex is not installed (${probe.error?.message ?? probe.stderr})`);

const dir = mkdtempSync(join(tmpdir(), "chainrule-latex-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("formatLatex writes a fragment for amsmath and amssymb", () => {
  it.each(documents)("%s: no preamble, the packages named, the words set as text", (_, make) => {
    const tex = make();
    expect(tex.split("\n")[0]).toBe("% chainrule explain: a LaTeX fragment; needs \\usepackage{amsmath,amssymb}");
    expect(tex.split("\n").slice(1).join("\n")).not.toMatch(/\\documentclass|\\begin\{document\}|\\usepackage/);
    expect(tex).not.toMatch(/\\mathrm\{(output|parameters|total|Linear)\}/);
  });

  it("sets P5's table of layers in columns, words as text, products with ×", () => {
    const tex = formatLatex(explainModelSpec("784-100-10", { loss: "cross-entropy", l2: 1e-4 }));
    expect(tex).toContain("\\begin{array}");
    expect(tex).toContain("0 & \\text{Linear} & [N\\times100] & 784\\times100 + 100 = 78{,}500 \\\\");
    expect(tex).toContain("1 & \\text{ReLU} & [N\\times100] \\\\");
    expect(tex).toContain("& \\text{total} & & 78{,}500 + 1{,}010 = 79{,}510");
  });

  it("breaks P1's longest chain into one step per row, aligned on =", () => {
    const tex = formatLatex(explainProgram(P1, P1_VALUES));
    const start = tex.indexOf("\\frac{\\partial z}{\\partial x_{0}} &= \\frac{\\partial z}{\\partial x_{1}}");
    expect(start).toBeGreaterThan(0);
    const rows = tex.slice(start).split("\n").slice(0, 3);
    expect(rows[1]).toMatch(/^&= \(-0\.2\) \\cdot \\operatorname\{ReLU\}'\(0\.4\) \\cdot 0\.3 \+ 1 \\cdot \\operatorname\{ReLU\}'\(0\.62\) \\\\$/);
    expect(rows[2]).toBe("&= (-0.2) \\cdot 1 \\cdot 0.3 + 1 \\cdot 1 = -0.06 + 1 = 0.94 \\\\");
  });
});

describe.skipIf(!hasPdflatex)("pdflatex builds the documents on an article page", () => {
  it.each(documents)("%s: no errors, no line more than 20 pt too wide", (name, make) => {
    const base = name.replace(/\W+/g, "-").replace(/^-+/, "");
    writeFileSync(join(dir, `${base}.tex`), wrap(make()));
    const run = spawnSync("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", `${base}.tex`], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    const log = readFileSync(join(dir, `${base}.log`), "latin1");
    const errors = log.split("\n").filter((l) => l.startsWith("!"));
    expect(errors, errors.join("\n")).toEqual([]);
    expect(run.status, run.stdout.slice(-2000)).toBe(0);
    expect(log).toMatch(/Output written on .*\.pdf/);
    const overfull = [...log.matchAll(/Overfull \\hbox \(([\d.]+)pt too wide\)/g)].map((m) => Number(m[1]));
    expect(overfull.filter((pt) => pt > 20), `overfull boxes of ${overfull.join(", ")} pt`).toEqual([]);
    expect(log).not.toMatch(/Overfull \\vbox/);
  }, 180_000);
});
