import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { explainOutput } from "../../src/cli/explain-command.js";
import { explainAttention } from "../../src/explain/attention.js";
import type { Equation, ModelDerivation } from "../../src/explain/derivation.js";
import { deriveNamed } from "../../src/explain/derive.js";
import { formatJson, formatLatex, formatMarkdown, formatText } from "../../src/explain/format.js";
import { ShapeError, ValueError } from "../../src/errors.js";
import { scaledDotProductAttention } from "../../src/nn/layers/attention.js";
import { tensor } from "../../src/tensor/create.js";

// PyTorch 1.13 in float64 on the same inputs (test/explain/fixtures/attention-torch.py writes it).
type Mat = (number | string)[][];
interface Case {
  spec: string;
  loss: "cross-entropy" | "mse";
  values: Record<string, number[][] | number[]>;
  L: number;
  forward: Record<string, Mat>;
  grad: Record<string, number[][]>;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "attention-torch.json"), "utf8")) as { cases: Case[] };
const num = (x: number | string) => Number(x);
const explainCase = (c: Case) => explainAttention(c.spec, { loss: c.loss, values: c.values });
const eqOf = (eqs: Equation[], lhs: string) => eqs.find((e) => e.lhs === lhs) ?? expect.fail(`no line ${lhs}`);
const expectMatrix = (got: unknown, want: Mat, digits = 11) => {
  const g = got as number[][];
  expect(g.map((r) => r.length)).toEqual(want.map((r) => r.length));
  want.forEach((row, i) => row.forEach((w, j) => (Number.isFinite(num(w)) ? expect(g[i]![j]).toBeCloseTo(num(w), digits) : expect(g[i]![j]).toBe(num(w)))));
};

/**
 * A plain-loop reading of the printed right sides (`Aᵀ · ∂L/∂O`, `A ⊙ (∂L/∂A − Σⱼ ∂L/∂A ⊙ A)`, `(∂L/∂S / √d)ᵀ · Q`,
 * `∂L/∂M ⊙ 1[j ≤ i]`, `2(O − Y)/(T·d)`), with the names bound to PyTorch's matrices: independent of the library.
 */
function evaluate(text: string, env: Record<string, number[][] | number>): number[][] | number {
  const toks = text.match(/∂L\/∂\w+|1\[j ≤ i\]|√d|Σⱼ|\d+(?:\.\d+)?|[A-Za-z]\w*|[()·⊙/+−ᵀ]/gu)!;
  let p = 0;
  type V = number[][] | number;
  const map2 = (a: V, b: V, f: (x: number, y: number) => number): V => {
    if (typeof a === "number" && typeof b === "number") return f(a, b);
    const rows = typeof a === "number" ? (b as number[][]) : a;
    const at = (v: V, i: number, j: number) => (typeof v === "number" ? v : v[i]![v[i]!.length === 1 ? 0 : j]!);
    const wide = typeof a !== "number" && a[0]!.length > 1 ? a : typeof b !== "number" ? b : a;
    return rows.map((_, i) => (wide as number[][])[0]!.map((_, j) => f(at(a, i, j), at(b, i, j))));
  };
  const matmul = (a: number[][], b: number[][]) => a.map((r) => b[0]!.map((_, j) => r.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
  const tr = (a: number[][]) => a[0]!.map((_, j) => a.map((r) => r[j]!));
  const primary = (): V => {
    const t = toks[p++]!;
    if (t === "(") {
      const v = expr();
      expect(toks[p++]).toBe(")");
      return v;
    }
    if (t === "Σⱼ") return (term() as number[][]).map((r) => [r.reduce((s, x) => s + x, 0)]);
    if (/^\d+$/.test(t)) return toks[p] === "(" ? map2(Number(t), primary(), (x, y) => x * y) : Number(t);
    return env[t] ?? expect.fail(`no value for ${t} in ${text}`);
  };
  const factor = (): V => {
    let v = primary();
    while (toks[p] === "ᵀ") (p++, (v = tr(v as number[][])));
    return v;
  };
  const term = (): V => {
    let v = factor();
    while (["·", "⊙", "/"].includes(toks[p]!)) {
      const op = toks[p++]!;
      const w = factor();
      v = op === "·" && typeof v !== "number" && typeof w !== "number" ? matmul(v, w) : map2(v, w, op === "/" ? (x, y) => x / y : (x, y) => x * y);
    }
    return v;
  };
  function expr(): V {
    let v = term();
    while (toks[p] === "+" || toks[p] === "−") {
      const plus = toks[p++] === "+";
      v = map2(v, term(), plus ? (x, y) => x + y : (x, y) => x - y);
    }
    return v;
  }
  const v = expr();
  expect(p, `read all of ${text}`).toBe(toks.length);
  return v;
}

/** The names of a case bound to PyTorch's values, and its sizes, for `evaluate`. */
function envOf(c: Case, d: ModelDerivation): Record<string, number[][] | number> {
  const { T, d: dk } = d.sizes as { T: number; d: number };
  const m = (x: Mat) => x.map((r) => r.map(num));
  const env: Record<string, number[][] | number> = { T, d: dk, "√d": Math.sqrt(dk), ...Object.fromEntries(Object.entries(c.forward).map(([k, v]) => [k, m(v)])) };
  for (const k of ["X", "Wq", "Wk", "Wv"]) env[k] = c.values[k] as number[][];
  for (const [k, g] of Object.entries(c.grad)) env[`∂L/∂${k}`] = g;
  env["1[j ≤ i]"] = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j <= i ? 1 : 0)));
  const O = env.O as number[][];
  env.P = O.map((r) => r.map((x) => Math.exp(x) / r.reduce((s, z) => s + Math.exp(z), 0)));
  env.Y = c.loss === "mse" ? (c.values.Y as number[][]) : (c.values.y as number[]).map((k) => O[0]!.map((_, j) => (j === k ? 1 : 0)));
  return env;
}

describe("explain --model attention: one head of self-attention as matrix equations with shapes", () => {
  it("writes the equations from the ops' formulas: ∂L/∂V = Aᵀ · ∂L/∂O, the softmax step, the mask, down to ∂L/∂X", () => {
    const d = explainAttention("attention");
    expect(d.sizes).toEqual({ T: 4, E: 5, d: 3 });
    expect(d.forward.map((e) => [e.lhs, e.rhs, e.shape.join("×")])).toEqual([
      ["Q", "X · Wq", "T×d"], ["K", "X · Wk", "T×d"], ["V", "X · Wv", "T×d"],
      ["S", "Q · Kᵀ / √d", "T×T"], ["M", "where(j ≤ i, S, −∞)", "T×T"], ["A", "softmax(M)", "T×T"], ["O", "A · V", "T×d"],
      ["L", "−(1/T) Σₙ Σⱼ Yₙⱼ log softmax(O)ₙⱼ", ""],
    ]);
    expect(d.backward.map((e) => [e.lhs, e.rhs, e.shape.join("×")])).toEqual([
      ["∂L/∂O", "(P − Y)/T", "T×d"],
      ["∂L/∂V", "Aᵀ · ∂L/∂O", "T×d"],
      ["∂L/∂A", "∂L/∂O · Vᵀ", "T×T"],
      ["∂L/∂M", "A ⊙ (∂L/∂A − Σⱼ ∂L/∂A ⊙ A)", "T×T"],
      ["∂L/∂Mᵢⱼ", "Aᵢⱼ(∂L/∂Aᵢⱼ − Σₖ Aᵢₖ ∂L/∂Aᵢₖ)", "T×T"],
      ["∂L/∂S", "∂L/∂M ⊙ 1[j ≤ i]", "T×T"],
      ["∂L/∂Q", "(∂L/∂S / √d) · K", "T×d"],
      ["∂L/∂K", "(∂L/∂S / √d)ᵀ · Q", "T×d"],
      ["∂L/∂Wq", "Xᵀ · ∂L/∂Q", "E×d"],
      ["∂L/∂Wk", "Xᵀ · ∂L/∂K", "E×d"],
      ["∂L/∂Wv", "Xᵀ · ∂L/∂V", "E×d"],
      ["∂L/∂X", "∂L/∂Q · Wqᵀ + ∂L/∂K · Wkᵀ + ∂L/∂V · Wvᵀ", "T×E"],
    ]);
    expect(eqOf(d.backward, "∂L/∂M").note).toContain("∂x = softmax(x) ⊙ (ḡ − Σⱼ ḡ ⊙ softmax(x))");
    expect(eqOf(d.backward, "∂L/∂S").note).toContain("∂a = ḡ ⊙ 1[c]");
    expect(eqOf(d.backward, "∂L/∂K").note).toContain("with $B = Kᵀ$");
    const noMask = explainAttention("attention:causal=false");
    expect(noMask.forward.map((e) => e.lhs)).toEqual(["Q", "K", "V", "S", "A", "O", "L"]);
    expect(noMask.backward.map((e) => e.lhs).slice(3, 6)).toEqual(["∂L/∂S", "∂L/∂Sᵢⱼ", "∂L/∂Q"]);
    expect(eqOf(noMask.backward, "∂L/∂S").rhs).toBe("A ⊙ (∂L/∂A − Σⱼ ∂L/∂A ⊙ A)");
  });

  it.each(fixture.cases)("$spec with $loss: every value, forward and backward, agrees with PyTorch", (c) => {
    const d = explainCase(c);
    expect(d.numeric!.loss).toBeCloseTo(c.L, 12);
    expect(d.numeric!.maxAbsDiff).toBeLessThanOrEqual(1e-12);
    for (const [name, want] of Object.entries(c.forward)) expectMatrix(eqOf(d.forward, name).value, want);
    for (const [name, want] of Object.entries(c.grad)) expectMatrix(eqOf(d.backward, `∂L/∂${name}`).value, want);
    expectMatrix(d.backward.find((e) => e.lhs.endsWith("ᵢⱼ"))!.value, c.grad[c.forward.M ? "M" : "S"]!);
    expect(d.backward).toHaveLength(Object.keys(c.grad).length + 1);
  });

  it.each(fixture.cases)("$spec: every shape is the shape computed, and PyTorch's", (c) => {
    const d = explainCase(c);
    for (const e of [...d.forward, ...d.backward]) {
      expect(e.shape.map((s) => d.sizes[s]), e.lhs).toEqual(e.computedShape);
      if (Array.isArray(e.value)) expect([e.value.length, (e.value[0] as number[]).length], e.lhs).toEqual(e.computedShape);
    }
    for (const [name, g] of Object.entries(c.grad)) expect(eqOf(d.backward, `∂L/∂${name}`).computedShape).toEqual([g.length, g[0]!.length]);
  });

  it.each(fixture.cases)("$spec: each printed right side, read by plain loops on PyTorch's matrices, gives PyTorch's gradient", (c) => {
    const d = explainCase(c);
    const env = envOf(c, d);
    for (const e of d.backward.filter((e) => !e.lhs.endsWith("ᵢⱼ"))) expectMatrix(evaluate(e.rhs, env), c.grad[e.lhs.slice(4)]!, 10);
  });

  it("fails if a transpose were dropped: Aᵀ · ∂L/∂O is ∂L/∂V, A · ∂L/∂O is not (nor is ∂L/∂S · K for ∂L/∂K)", () => {
    const c = fixture.cases[0]!;
    const env = envOf(c, explainCase(c));
    const far = (a: unknown, b: number[][]) => Math.max(...b.flatMap((r, i) => r.map((x, j) => Math.abs(x - (a as number[][])[i]![j]!))));
    expect(far(evaluate("Aᵀ · ∂L/∂O", env), c.grad.V!)).toBeLessThan(1e-12);
    expect(far(evaluate("A · ∂L/∂O", env), c.grad.V!)).toBeGreaterThan(1e-3);
    expect(far(evaluate("(∂L/∂S / √d)ᵀ · Q", env), c.grad.K!)).toBeLessThan(1e-12);
    expect(far(evaluate("(∂L/∂S / √d) · Q", env), c.grad.K!)).toBeGreaterThan(1e-3);
  });

  it("shows the causal mask's zeros: −∞ scores, zero weights, zero gradients above the diagonal, none below", () => {
    const d = explainAttention("attention:T=5,E=2,d=2", { seed: 3 });
    const at = (eqs: Equation[], lhs: string) => eqOf(eqs, lhs).value as number[][];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      if (j > i) {
        expect(at(d.forward, "M")[i]![j]).toBe(-Infinity);
        for (const [eqs, n] of [[d.forward, "A"], [d.backward, "∂L/∂M"], [d.backward, "∂L/∂Mᵢⱼ"], [d.backward, "∂L/∂S"]] as const) expect(Math.abs(at(eqs, n)[i]![j]!)).toBe(0);
      } else expect(at(d.forward, "A")[i]![j]).toBeGreaterThan(0);
    }
    expect(at(d.backward, "∂L/∂Q")[0]).toEqual([0, 0]);
    const json = JSON.parse(formatJson(d)) as ModelDerivation;
    expect((eqOf(json.forward, "M").value as unknown[][])[0]![1]).toBe("-Infinity");
  });

  it("runs the same forward pass as scaledDotProductAttention", () => {
    for (const c of fixture.cases) {
      const d = explainCase(c);
      const t = (n: string) => tensor(eqOf(d.forward, n).value as number[][], { dtype: "float64" });
      const O = scaledDotProductAttention(t("Q"), t("K"), t("V"), { causal: c.spec.includes("causal=false") ? false : true });
      expectMatrix(O.toArray(), c.forward.O!, 12);
    }
  });

  it("prints the numbers PyTorch computes, and the softmax step of one row written out", () => {
    const c = fixture.cases[0]!;
    const text = formatText(explainCase(c));
    const printed = (lhs: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`  ${lhs} = [`)) ?? expect.fail(`no line ${lhs}`);
      return line.slice(lhs.length + 5).match(/−?\d+(?:\.\d+)?(?:e−?\d+)?|−∞/g)!.map((s) => Number(s.replace("−∞", "-Infinity").replace(/−/g, "-")));
    };
    for (const [n, g] of [...Object.entries(c.grad).map(([n, g]) => [`∂L/∂${n}`, g] as const), ...Object.entries(c.forward)]) {
      const want = g.flat().map(num);
      const got = printed(n);
      expect(got).toHaveLength(want.length);
      got.forEach((x, i) => (Number.isFinite(want[i]!) ? expect(Math.abs(x - want[i]!), `${n}[${i}]`).toBeLessThanOrEqual(5e-6 * Math.abs(want[i]!)) : expect(x).toBe(want[i])));
    }
    const A = c.forward.A!.map((r) => r.map(num)), dA = c.grad.A!;
    const r1 = A[1]!.reduce((s, a, k) => s + a * dA[1]![k]!, 0);
    expect(text).toContain(`Σₖ A₁ₖ ∂L/∂A₁ₖ = `);
    expect(text).toContain(`= ${String(Number(r1.toPrecision(4))).replace("-", "−")}, so ∂L/∂M₁₀ = `);
    expect(text).toContain("∂L/∂M₁₂ = 0·(");
  });

  it("writes Markdown, JSON and LaTeX that compiles", () => {
    const d = explainAttention("attention");
    expect(formatMarkdown(d)).toContain("### Backward pass\n\n```text\n∂L/∂O   = (P − Y)/T");
    const json = JSON.parse(formatJson(d)) as ModelDerivation;
    expect(eqOf(json.backward, "∂L/∂V").value).toEqual(eqOf(d.backward, "∂L/∂V").value);
    expect(json.inputs!.map((x) => [x.name, x.shape.join("×")])).toEqual([["X", "T×E"], ["Wq", "E×d"], ["Wk", "E×d"], ["Wv", "E×d"], ["y", "T"]]);
    const tex = formatLatex(d);
    expect(tex).toContain("\\frac{\\partial L}{\\partial V} &= A^{\\top} \\cdot \\frac{\\partial L}{\\partial O}");
    if (spawnSync("pdflatex", ["--version"]).status !== 0) return void console.log("skipping the pdflatex build: pdflatex is not installed");
    for (const [name, fragment] of [["model", tex], ["derive", formatLatex(deriveNamed("attention"))]]) {
      writeFileSync(join(dir, `${name}.tex`), `\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n${fragment}\\end{document}\n`);
      const run = spawnSync("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", `${name}.tex`], { cwd: dir, encoding: "utf8" });
      expect(run.status, run.stdout.slice(-2000)).toBe(0);
    }
  });
});

const dir = mkdtempSync(join(tmpdir(), "chainrule-attention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the CLI's --model attention and --derive attention", () => {
  const run = (flags: Record<string, string>) => {
    const out = explainOutput(undefined, { format: "text", ...flags } as Parameters<typeof explainOutput>[1]);
    process.exitCode = undefined;
    return out.text;
  };

  it("takes the sizes, the loss, the seed and values from a file", () => {
    const c = fixture.cases[1]!;
    const file = join(dir, "values.json");
    writeFileSync(file, JSON.stringify(c.values));
    const d = JSON.parse(run({ model: c.spec, loss: c.loss, values: file, format: "json" })) as ModelDerivation;
    expectMatrix(eqOf(d.backward, "∂L/∂Wq").value, c.grad.Wq!);
    expect(run({ model: "attention:T=3", seed: "2" })).toContain("T = 3 positions");
    expect(run({ model: "attention", seed: "1" })).not.toBe(run({ model: "attention", seed: "2" }));
  });

  it("checks claimed tensors", () => {
    const d = explainAttention("attention");
    const dV = JSON.stringify(eqOf(d.backward, "∂L/∂V").value);
    expect(run({ model: "attention", check: `dV=${dV}` })).toMatch(/✓/);
  });

  it("rejects what does not apply, a bad spec and values of the wrong shape", () => {
    expect(() => run({ model: "attention", l2: "0.1" })).toThrow(/--l2 applies to an MLP or a JSON model, not to --model attention/);
    expect(() => explainAttention("attention:T=0")).toThrow(ValueError);
    expect(() => explainAttention("attention:T=0")).toThrow(/T must be an integer from 1 to 64, found 0/);
    expect(() => explainAttention("attention:n=3")).toThrow(/expected T=, E=, d= or causal= once each, found "n=3"/);
    expect(() => explainAttention("attention:causal=maybe")).toThrow(/causal must be true or false, found maybe/);
    expect(() => explainAttention("attn")).toThrow(/expected attention or attention:T=4,E=5,d=3,causal=false, found "attn"/);
    expect(() => explainAttention("attention", { values: { X: [[1, 2], [3, 4]] } })).toThrow(ShapeError);
    expect(() => explainAttention("attention", { values: { X: [[1, 2], [3, 4]] } })).toThrow(/X must be T×E = 4×5, found 2×2/);
    expect(() => explainAttention("attention", { seed: 1, sizes: 3 } as never)).toThrow(/sizes/);
    expect(explainAttention("attention:d=1").warnings).toEqual([expect.stringContaining("softmax over one class is $1$ whatever the score")]);
    expect(explainAttention("attention:d=1", { loss: "mse" }).warnings).toBeUndefined();
  });

  it("--derive attention walks through it and confirms each step with autograd", () => {
    const d = deriveNamed("attention");
    const maths = d.steps.map((s) => s.math);
    for (const m of ["∂L/∂V = Aᵀ · ∂L/∂O   [T×d]", "∂L/∂A = ∂L/∂O · Vᵀ   [T×T]", "∂Aᵢⱼ/∂Mᵢₖ = Aᵢⱼ(δⱼₖ − Aᵢₖ)", "∂L/∂Sᵢⱼ = ∂L/∂Mᵢⱼ for j ≤ i, 0 for j > i"]) expect(maths).toContain(m);
    for (const r of d.numeric) expect(r.maxAbsDiff, r.label).toBeLessThanOrEqual(1e-12);
    // ∂L/∂V = Aᵀ · ∂L/∂O by plain loops on the sample
    const A = d.sample.find((s) => s.name === "A")!.value as number[][], G = d.sample.find((s) => s.name === "∂L/∂O")!.value as number[][];
    const dV = A[0]!.map((_, j) => G[0]!.map((_, k) => A.reduce((s, row, i) => s + row[j]! * G[i]![k]!, 0)));
    expectMatrix(d.numeric[0]!.autograd as number[][], dV, 12);
    const dS = d.numeric.find((r) => r.label.startsWith("$∂L/∂S"))!.autograd as number[][];
    dS.forEach((row, i) => row.forEach((x, j) => j > i && expect(x).toBe(0)));
    expect(run({ derive: "attention" })).toContain("∂L/∂M = A ⊙ (∂L/∂A − Σⱼ ∂L/∂A ⊙ A)");
  });
});
