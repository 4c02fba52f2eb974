import { describe, expect, it } from "vitest";
import type { ProgramDerivation } from "../../src/explain/derivation.js";
import { explainEvaluated } from "../../src/explain/explain-program.js";
import { formatJson, formatLatex, formatMarkdown, formatText } from "../../src/explain/format.js";
import { formatDot } from "../../src/explain/graph-draw.js";
import { parseProgram } from "../../src/explain/parser.js";
import { evaluateProgram } from "../../src/explain/program.js";

// Work that grows faster than the program is caught by counting it, not by timing it (the machine is
// noisy; the times of long programs are the benchmark's business): each step, its occurrences and the
// derivation's entries are read through a counting proxy. A linear explanation reads four times as
// much for four times the lines; a scan of every step per variable (the backward pass once did one)
// reads sixteen times as much.

/** `x1 = tanh(x0*w0)`, …: one input per line, so that every count (paths, adjoints, notes) grows with n. */
const chain = (n: number) => Array.from({ length: n }, (_, k) => `x${k + 1} = tanh(x${k}*w${k}) + b`).join("\n");
const values = (n: number) => ({ x0: 1, b: 0.01, ...Object.fromEntries(Array.from({ length: n }, (_, k) => [`w${k}`, 0.9])) });
/** Wrong claims at the end, a forward value and two gradients, so that the diagnosis runs too. */
const claims = (n: number) => `x${n}=0.5, x${n - 1}=0.4, dx${n}/dw${n - 1}=0.3, dx${n}/dx${n - 2}=2, dx${n}/db=1`;

/** A proxy of `o` that counts every property read (indices and `length` of arrays included). */
function counter() {
  const counts = { reads: 0 };
  const cache = new WeakMap<object, object>();
  const wrap = <T extends object>(o: T, deep: boolean): T => {
    if (cache.has(o)) return cache.get(o) as T;
    const p = new Proxy(o, {
      get: (t, k, r) => {
        counts.reads++;
        const v = Reflect.get(t, k, r) as unknown;
        return deep && typeof v === "object" && v !== null ? wrap(v, true) : v;
      },
    });
    cache.set(o, p);
    return p;
  };
  return { counts, wrap };
}

/** The reads of the steps while explaining and checking a chain of n lines, and of the derivation while formatting it in every format. */
function work(n: number): { explain: number; format: number; d: ProgramDerivation } {
  const ev = evaluateProgram(parseProgram(chain(n)), values(n));
  const { counts, wrap } = counter();
  for (const [name, s] of ev.steps) ev.steps.set(name, wrap({ ...s, occurrences: wrap(s.occurrences.map((o) => wrap(o, false)), false) }, false));
  const d = explainEvaluated(ev, { check: claims(n) });
  const explain = counts.reads;
  const f = counter();
  const shown = f.wrap(d, true);
  for (const format of [formatText, formatMarkdown, formatLatex, formatJson, formatDot]) expect(format(shown).length).toBeGreaterThan(n);
  return { explain, format: f.counts.reads, d };
}

describe("the work of explaining a long program grows linearly with its length", () => {
  it("reads the steps and the derivation about 4 times as often for 4 times the lines, checks included", { timeout: 120_000 }, () => {
    const [small, large] = [work(300), work(1200)];
    // the explanation is complete: every adjoint, every gradient and every claim (all wrong) is there
    expect(large.d.backward).toHaveLength(1200 + 1200 + 2); // x1…x1200, then the inputs x0, b, w0…w1199
    expect(large.d.gradients).toHaveLength(1200 + 2);
    expect(large.d.checks!.map((c) => c.ok)).toEqual([false, false, false, false, false]);
    // ∂x_n/∂w_{n−1} = tanh'(u)·x_{n−1} with u = x_{n−1}·w_{n−1}: a check of the numbers read, not of the count
    const x = (k: number) => large.d.forward[k - 1]!.value as number;
    const u = x(1199) * 0.9;
    expect(large.d.checks![2]!.correct).toBeCloseTo((1 - Math.tanh(u) ** 2) * x(1199), 12);
    for (const k of ["explain", "format"] as const) {
      const ratio = large[k] / small[k];
      expect(small[k]).toBeGreaterThan(300);
      // linear: 4; quadratic: 16 (the scan of every step per variable read 6.1M times for 300 lines, 91M for 1,200: 14.9)
      expect(ratio, `${k}: ${small[k]} reads for 300 lines, ${large[k]} for 1,200`).toBeLessThan(6);
    }
  });
});
