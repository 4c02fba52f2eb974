import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { explainProgram } from "../../src/explain/explain-program.js";
import { formatJson, formatMarkdown, formatText } from "../../src/explain/format.js";
import { MAX_DEPTH, parseProgram } from "../../src/explain/parser.js";

/** `x1 = x0*a + b`, …, `x{n} = x{n-1}*a + b`: one path from the output to x0, n paths to a and to b. */
const chain = (n: number) => Array.from({ length: n }, (_, k) => `x${k + 1} = x${k}*a + b`).join("\n");
/** `x{k+1} = x{k}*a + x{k}*b`: the paths to x0 double with each rung. */
const ladder = (n: number) => Array.from({ length: n }, (_, k) => `x${k + 1} = x${k}*a + x${k}*b`).join("\n");

describe("long programs (issue 7, item 9)", () => {
  it("explains and checks a chain of 2,000 assignments", () => {
    const d = explainProgram(chain(2000), { x0: 1, a: 0.5, b: 0.1 }, { check: "x2000=0.2, dx2000/dx0=0" });
    // x_{k+1} = x_k/2 + 0.1 tends to 0.2; ∂x2000/∂x0 = 0.5^2000 underflows to 0
    expect(d.forward.at(-1)!.value).toBeCloseTo(0.2, 12);
    expect(d.checks!.map((c) => c.ok)).toEqual([true, true]);
    const x0 = d.gradients.find((g) => g.wrt === "x0")!;
    expect(x0.paths).toBeNull();
    expect(x0.pathsOmitted).toBe("1 path, too long to list: the backward pass shows how reverse mode sums it");
    const a = d.gradients.find((g) => g.wrt === "a")!;
    expect(a.totalPaths).toBe("2000");
    expect(a.paths).toHaveLength(32);
    expect(a.paths!.map((p) => p.vars.length).sort((m, n) => m - n)).toEqual(Array.from({ length: 32 }, (_, k) => k + 2));
    expect(a.paths!.some((p) => p.vars.join() === "x2000,a")).toBe(true);
    expect(d.backward).toHaveLength(2000 + 3);
    for (const format of [formatText, formatMarkdown, formatJson]) expect(format(d).length).toBeGreaterThan(0);
  });

  it("explains a chain of 10,000 assignments, every adjoint in the backward pass", { timeout: 30_000 }, () => {
    const d = explainProgram(chain(10_000), { x0: 1, a: 0.5, b: 0.1 });
    expect(d.forward).toHaveLength(10_000);
    expect(d.backward).toHaveLength(10_000 + 3);
    const b = d.gradients.find((g) => g.wrt === "b")!.value as number;
    expect(b).toBeCloseTo(2, 9); // Σₖ 0.5^k
    const text = formatText(d);
    expect(text).toContain("x10000 = x9999·a + b");
    expect(text).toMatch(/∂x10000\/∂x1 += ∂x10000\/∂x2 · a = /);
  });

  it("counts the paths of a ladder exactly and lists only some, while the backward pass shows every adjoint", () => {
    const d = explainProgram(ladder(2000), { x0: 1, a: 0.5, b: 0.5 }, { wrt: ["x0"] });
    const g = d.gradients[0]!;
    expect(g.totalPaths).toBe((2n ** 2000n).toString());
    expect(g.paths).toBeNull();
    expect(g.pathsOmitted).toMatch(/^about 1\.1e602 paths, too long to list/);
    expect(g.value).toBe(1);
    expect(d.backward).toHaveLength(2000 + 3);
    const small = explainProgram(ladder(10), { x0: 1, a: 0.5, b: 0.25 }, { wrt: ["x0"] }).gradients[0]!;
    expect(small.totalPaths).toBe("1024");
    expect(small.paths).toHaveLength(32);
    expect(small.value).toBeCloseTo(0.75 ** 10, 14);
    expect(formatText(explainProgram(ladder(10), { x0: 1, a: 0.5, b: 0.25 }, { wrt: ["x0"] }))).toMatch(/\+ …\s+\(992 more; 1,024 paths in all/);
  });

  it("refuses nesting deeper than the limit with a ParseError, not a stack overflow", () => {
    const deep = (n: number) => `y = ${"(".repeat(n)}x${")".repeat(n)}`;
    for (const source of [deep(100_000), `y = ${"-".repeat(50_000)}x`, `y = ${Array(20_000).fill("x").join(" + ")}`, `y = ${"relu(".repeat(MAX_DEPTH + 1)}x${")".repeat(MAX_DEPTH + 1)}`, `y = ${Array(MAX_DEPTH + 2).fill("x").join("^")}`]) {
      expect(() => parseProgram(source)).toThrow(ParseError);
      expect(() => parseProgram(source)).toThrow(`the expression nests deeper than ${MAX_DEPTH} levels`);
    }
  });

  it("explains and checks expressions right up to the nesting limit", () => {
    for (const source of [`y = ${"relu(".repeat(MAX_DEPTH - 1)}x${")".repeat(MAX_DEPTH - 1)}`, `y = ${Array(MAX_DEPTH).fill("x").join(" + ")}`]) {
      const d = explainProgram(source, { x: 0.5 }, { check: "y=3, dy/dx=2" });
      expect(d.checks!.every((c) => !c.ok)).toBe(true);
      expect(formatText(d).length).toBeGreaterThan(0);
    }
  });
});
