import { describe, expect, it } from "vitest";
import { checkSolution, crossEntropy, explainModelSpec, formatGradeMarkdown, formatGradeText, gradients, scalar, summary, mlpSpec, tensor, checkTensorClaims, checkSummaryClaims, type StepCheck, type Tensor } from "../../src/index.js";
import { P1_RIGHT_MD, P1_RIGHT_TXT, P1_SLIPS_MD, P1_SLIPS_TXT, P4_RIGHT_MD, P4_SLIPS_MD, ROUNDED_MD, SQUARE_MD } from "./solutions.js";

/** P1's true values, from the library's tensors and autograd (not from the code under test). */
function p1() {
  const o = { requiresGrad: true, dtype: "float64" } as const;
  const [x0, w0, w1, b0, b1] = [1.0, 0.3, -0.2, 0.1, -0.3].map((v) => scalar(v, o)) as [Tensor, Tensor, Tensor, Tensor, Tensor];
  const x1 = x0.mul(w0).add(b0).relu();
  const y1 = x1.mul(w1).add(b1);
  const z = y1.add(x0).relu();
  const [dw0, dw1, db0, db1, dx0] = gradients(z, [w0, w1, b0, b1, x0]).map((g) => g.item());
  return { x1: x1.item(), y1: y1.item(), z: z.item(), dw0: dw0!, dw1: dw1!, db0: db0!, db1: db1!, dx0: dx0! };
}
const truth = p1();
const at = (checks: StepCheck[], line: number) => checks.filter((c) => c.line === line);
const firstWrong = (checks: StepCheck[], line: number) => at(checks, line).find((c) => !c.ok)!;

describe("checkSolution grades P1 as written", () => {
  it("passes a right solution in Markdown with LaTeX, every step against autograd", () => {
    const r = checkSolution(P1_RIGHT_MD);
    expect(r.unread).toEqual([]);
    expect(r.wrong).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.right).toBeGreaterThan(15);
    for (const [line, value] of [[7, truth.x1], [12, truth.y1], [15, truth.z], [19, truth.dw1], [21, truth.dw0], [23, truth.db0], [25, truth.db1], [28, truth.dx0]] as const) {
      expect(at(r.checks, line).length, `line ${line}`).toBeGreaterThan(0);
      for (const c of at(r.checks, line)) expect(c.correct).toBeCloseTo(value, 12);
    }
  });

  it("reads LaTeX: align*, \\[…\\], \\operatorname, \\times", () => {
    const tex = String.raw`We set $x_0 = 1.0$, $w_0 = 0.3$, $w_1 = -0.2$, $b_0 = 0.1$, $b_1 = -0.3$.
\begin{align*}
x_1 &= \operatorname{ReLU}(x_0 w_0 + b_0) = 0.4 \\
y_1 &= x_1 w_1 + b_1 = 0.4 \times (-0.2) - 0.3 = -0.38
\end{align*}
\[ \frac{\partial y_1}{\partial b_0} = w_1 \, \text{ReLU}'(x_0 w_0 + b_0) = (-0.2)(1) = -0.2 \]`;
    const r = checkSolution(tex, { format: "tex" });
    expect(r.unread).toEqual([]);
    expect(r.ok).toBe(true);
    expect(at(r.checks, 4).at(-1)!.correct).toBeCloseTo(truth.y1, 12);
    const o = { requiresGrad: true, dtype: "float64" } as const;
    const b0 = scalar(0.1, o);
    const [dy1] = gradients(scalar(1.0, o).mul(0.3).add(b0).relu().mul(-0.2).add(-0.3), [b0]);
    expect(at(r.checks, 6).map((c) => c.correct)).toEqual([dy1!.item(), dy1!.item(), dy1!.item()]);
  });

  it("passes the same solution in plain text", () => {
    const r = checkSolution(P1_RIGHT_TXT, { format: "txt" });
    expect(r.unread).toEqual([]);
    expect(r.ok).toBe(true);
    expect(at(r.checks, 10).at(-1)!.correct).toBeCloseTo(truth.dx0, 12);
  });

  it("finds the first wrong step, says why, and calls what follows carried", () => {
    const r = checkSolution(P1_SLIPS_MD);
    // an arithmetic slip: (0.4)(−0.2) + (−0.3) = −0.5
    const y = firstWrong(r.checks, 12);
    expect(at(r.checks, 11)[0]!.ok).toBe(true);
    expect(y).toMatchObject({ claimed: -0.5, slip: "arithmetic" });
    expect(y.correct).toBeCloseTo(truth.y1, 12);
    expect(y.firstWrongStep).toBe("(0.4)(−0.2) + (−0.3) = −0.38, not −0.5: an arithmetic slip");
    // carried: z = ReLU(−0.5 + 1.0) = 0.5 follows from y1 = −0.5
    const z = at(r.checks, 15);
    expect(z.every((c) => !c.ok && c.carriedFrom === 12)).toBe(true);
    expect(z[0]!.correct).toBeCloseTo(truth.z, 12);
    expect(z[0]!.firstWrongStep).toBe("carried from line 12: follows from y₁ = −0.5 above; with y₁ = −0.38, ReLU(y₁ + x₀) = 0.62");
    // a value put in for the wrong variable: (1)(0.3), 0.3 being w0's value
    const w1 = firstWrong(r.checks, 19);
    expect(w1).toMatchObject({ claim: "∂z/∂w₁ = (1)(0.3)", claimed: 0.3, slip: "wrong-variable" });
    expect(w1.correct).toBeCloseTo(truth.dw1, 12);
    expect(w1.firstWrongStep).toBe("(1)(0.3): 0.3 is w₀'s value; x₁ = 0.4; so ∂z/∂w₁ = 0.4");
    expect(at(r.checks, 19)[0]!.ok).toBe(true); // the symbolic product is right
    expect(at(r.checks, 19)[2]).toMatchObject({ ok: false, carriedFrom: 19 });
    // a sign dropped: (1)(0.2)(1)(1) where w1 = −0.2
    const w0 = firstWrong(r.checks, 21);
    expect(w0).toMatchObject({ claimed: 0.2, slip: "sign" });
    expect(w0.correct).toBeCloseTo(truth.dw0, 12);
    expect(w0.firstWrongStep).toBe("(1)(0.2)(1)(1): the sign of w₁ = −0.2 was dropped; so ∂z/∂w₀ = −0.2");
    // a path dropped: the skip connection of ∂z/∂x0 (explain --check's slip finder)
    const x0 = firstWrong(r.checks, 23);
    expect(x0.slip).toBe("dropped-term");
    expect(x0.claimed).toBeCloseTo(-0.06, 12);
    expect(x0.correct).toBeCloseTo(truth.dx0, 12);
    expect(x0.firstWrongStep).toContain("the skip connection");
    expect(x0.firstWrongStep).toContain("was left out");
    // a line it cannot read is listed, and the rest is still checked
    expect(r.unread).toEqual([{ line: 27, text: String.raw`\frac{d}{d} \text{ReLU}(y_1 + x_0)`, reason: expect.stringContaining("has no variable") }]);
    expect(r.ok).toBe(false);
  });

  it("names a dropped term in plain text, and carries it", () => {
    const r = checkSolution(P1_SLIPS_TXT, { format: "txt" });
    const y = firstWrong(r.checks, 3);
    expect(y).toMatchObject({ claimed: -0.08, slip: "dropped-term" });
    expect(y.correct).toBeCloseTo(truth.y1, 12);
    expect(y.firstWrongStep).toBe("(0.4)(−0.2) + (−0.3) = −0.38, not −0.08: the term + (−0.3) was dropped");
    const o = { requiresGrad: false, dtype: "float64" } as const;
    const zTrue = scalar(truth.y1, o).add(1).relu().item();
    expect(at(r.checks, 4).every((c) => c.carriedFrom === 3)).toBe(true);
    expect(at(r.checks, 4)[0]!.correct).toBeCloseTo(zTrue, 12);
  });

  it("says a factor 2 was lost in the derivative of a square", () => {
    const y = scalar(0.7, { dtype: "float64", requiresGrad: true });
    const L = y.sub(1).pow(2);
    const [g] = gradients(L, [y]);
    const r = checkSolution(SQUARE_MD);
    const c = firstWrong(r.checks, 3);
    expect(c).toMatchObject({ slip: "factor-2" });
    expect(c.correct).toBeCloseTo(g!.item(), 12);
    expect(c.firstWrongStep).toContain("a factor 2 was lost");
  });

  it("compares numbers at the precision they are written with, or at --tol", () => {
    const o = { dtype: "float64", requiresGrad: true } as const;
    const w = scalar(0.8, o);
    const z = w.mul(1.5).add(-0.5).sigmoid();
    const [dw] = gradients(z, [w]);
    const r = checkSolution(ROUNDED_MD);
    expect(at(r.checks, 3).map((c) => c.ok)).toEqual([true, true, true]); // 0.668: 3 digits
    expect(at(r.checks, 4)[0]).toMatchObject({ ok: true, claimed: 0.6682 }); // 4 digits
    expect(at(r.checks, 4)[0]!.correct).toBeCloseTo(z.item(), 12);
    expect(at(r.checks, 5)[0]).toMatchObject({ ok: false, claimed: 0.6681 });
    expect(at(r.checks, 5)[0]!.firstWrongStep).toBe("z = 0.668188 (0.6682 to the digits written), not 0.6681");
    expect(at(r.checks, 6).every((c) => c.ok)).toBe(true); // (0.6682)(0.3318)(1.5) = 0.3326, rounded factors
    expect(at(r.checks, 6)[0]!.correct).toBeCloseTo(dw!.item(), 12);
    const strict = checkSolution(ROUNDED_MD, { tol: 1e-9 });
    expect(at(strict.checks, 3).at(-1)!.ok).toBe(false);
  });

  it("compares ±∞ exactly: no tolerance scales with an infinite value", () => {
    const verdict = (md: string) => checkSolution(md).checks.at(-1)!;
    expect(verdict("$$y = 1/0 = 5$$")).toMatchObject({ ok: false, claimed: 5, correct: Infinity });
    expect(verdict("$$y = \\log(0) = 0$$")).toMatchObject({ ok: false, claimed: 0, correct: -Infinity });
    expect(verdict("$$y = 1e308 \\cdot 10 = 1e309$$")).toMatchObject({ ok: true, correct: Infinity });
    expect(verdict("$$y = -1/0 = 1e309$$")).toMatchObject({ ok: false, correct: -Infinity });
  });
});

describe("checkSolution checks a derivation without numbers (P4)", () => {
  it("passes the derivation of ∂L/∂h_i = P(y = i) − y_i at random h and one-hot y", () => {
    const r = checkSolution(P4_RIGHT_MD);
    expect(r.unread).toEqual([]);
    expect(r.checks).toHaveLength(4);
    expect(r.ok).toBe(true);
  });

  it("flags a line that differs from the line before with the values that show it", () => {
    const r = checkSolution(P4_SLIPS_MD);
    const c = firstWrong(r.checks, 4);
    expect(c.firstWrongStep).toMatch(/^line 4 ≠ line 3 at h = \(.+\), y = \((?:[01], ){2}[01]\), i = \d: /);
    // the numbers, from autograd: ∂L/∂h_i of the fused loss at that h and y
    const m = c.at!.match(/h = \(([^)]*)\), y = \(([^)]*)\), i = (\d)/)!;
    const hv = m[1]!.split(", ").map((s) => Number(s.replace("−", "-")));
    const yv = m[2]!.split(", ").map(Number);
    const h = tensor([hv], { dtype: "float64", requiresGrad: true });
    const [g] = gradients(crossEntropy(h, tensor([yv], { dtype: "float64" })), [h]);
    expect(c.correct).toBeCloseTo((g!.toArray() as number[][])[0]![Number(m[3]) - 1]!, 12);
    const p = hv.map(Math.exp), s = p.reduce((a, b) => a + b, 0), i = Number(m[3]) - 1;
    expect(c.claimed).toBeCloseTo(-yv[i]! - (p[i]! / s) * 1, 12);
    expect(at(r.checks, 5)[0]).toMatchObject({ ok: false, carriedFrom: 4 });
    expect(r.unread).toEqual([{ line: 6, text: "= p_i - y_j", reason: "the index j is free in p_i − y_j but not in ∂L/∂h_i: ambiguous" }]);
  });
});

describe("reports", () => {
  it("prints the solution's own lines marked, the reason under the first wrong step", () => {
    const text = formatGradeText(checkSolution(P1_SLIPS_MD), "p1.md");
    expect(text).toMatch(/line 12\s+= −0\.5\s+✗ first wrong step\n\s+\(0\.4\)\(−0\.2\) \+ \(−0\.3\) = −0\.38, not −0\.5: an arithmetic slip/);
    expect(text).toMatch(/line 15\s+z = ReLU\(y₁ \+ x₀\) = ReLU\(−0\.5 \+ 1\.0\) = 0\.5\s+✗ carried from line 12/);
    expect(text).toMatch(/line 7\s+x₁ = ReLU\(x₀w₀ \+ b₀\) = ReLU\(1\.0·0\.3 \+ 0\.1\) = ReLU\(0\.4\) = 0\.4\s+✓/);
    expect(text).toMatch(/line 27 .*\? unread: /);
    expect(text).toMatch(/\d+ steps right, 10 wrong \(6 carried\), 1 line unread\n$/);
    const md = formatGradeMarkdown(checkSolution(P1_SLIPS_MD), "p1.md");
    expect(md).toContain("| 12 | = −0.5 | ✗ first wrong step | (0.4)(−0.2) + (−0.3) = −0.38, not −0.5: an arithmetic slip |");
  });

  it("refuses unknown options and text that is not a string", () => {
    expect(() => checkSolution("$x = 1$", { tols: 1 } as never)).toThrow('unknown option "tols" (did you mean "tol"?)');
    expect(() => checkSolution(3 as never)).toThrow("checkSolution: the solution must be a string, found number");
  });

  it("takes values the text does not give", () => {
    const r = checkSolution("$$y = 3x = 3 \\cdot 2 = 6$$", { values: { x: 2 } });
    expect(r.ok).toBe(true);
    expect(checkSolution("$$y = 3x = 3 \\cdot 2 = 7$$", { values: { x: 2 } }).checks.at(-1)).toMatchObject({ ok: false, slip: "arithmetic", correct: 6 });
  });
});

describe("tensor and summary claims", () => {
  it("names the one wrong entry of a claimed ∂L/∂W2 (P5), against autograd", () => {
    const values = { X: [[1, 2, -1], [0.5, -1, 2]], y: [0, 1], W1: [[0.1, 0.2], [-0.3, 0.4], [0.2, -0.1]], b1: [0, 0.1], W2: [[0.5, -0.5], [0.3, 0.2]], b2: [0, 0] };
    const o = { dtype: "float64" } as const;
    const W1 = tensor(values.W1, { ...o, requiresGrad: true }), W2 = tensor(values.W2, { ...o, requiresGrad: true });
    const S = tensor(values.X, o).matmul(W1).add(tensor(values.b1, o)).relu().matmul(W2).add(tensor(values.b2, o));
    const [gW2] = gradients(crossEntropy(S, tensor(values.y, { dtype: "int32" })), [W2]);
    const claimed = (gW2!.toArray() as number[][]).map((row) => row.map((v) => Number(v.toFixed(4))));
    claimed[1]![0] = -claimed[1]![0]!;
    const d = explainModelSpec("3-2-2", { values });
    const [c] = checkTensorClaims(d, `dW2=${JSON.stringify(claimed)}`);
    expect(c!.ok).toBe(false);
    expect(c!.wrongEntries).toHaveLength(1);
    expect(c!.wrongEntries![0]!.index).toEqual([1, 0]);
    expect(c!.wrongEntries![0]!.correct).toBeCloseTo((gW2!.toArray() as number[][])[1]![0]!, 12);
    expect(checkTensorClaims(d, { "∂L/∂W2": claimed.map((r, i) => (i === 1 ? [-r[0]!, r[1]!] : r)) })[0]!.ok).toBe(true);
    expect(checkTensorClaims(d, "db2=[0, 0, 0]")[0]!.firstWrongStep).toContain("has shape [2]");
  });

  it("checks claimed parameter counts and shapes (P2, P3)", () => {
    const s = summary(mlpSpec("80-1024-512-1"), [80], { batch: 32, layout: "features-first", print: false });
    const [total, weight, shape, b, bias] = checkSummaryClaims(s, "total=608000, 0.weight=[1024,30], A=[1024,32], B.params=524288, total=607233");
    expect(total).toMatchObject({ ok: false, correct: "608,257" });
    expect(total!.firstWrongStep).toContain("80×1024 + 1024 = 82,944");
    expect(weight).toMatchObject({ ok: false, correct: "[1024, 80]" });
    expect(shape!.ok).toBe(true);
    expect(b!.firstWrongStep).toBe("B: 1024×512 + 512 = 524,800, not 524288: the biases were left out");
    expect(bias!.firstWrongStep).toContain("the first wrong count is layer A (0)'s: its 1,024 biases were left out");
    expect(checkSummaryClaims(s, "A.params=82944, B.params=524288, total=607745")[2]!.firstWrongStep).toContain("the first wrong layer count is B's (B: 1024×512 + 512 = 524,800, not 524288: the biases were left out)");
  });
});
