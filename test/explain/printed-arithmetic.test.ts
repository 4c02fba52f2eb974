import { describe, expect, it } from "vitest";
import type { ProgramDerivation } from "../../src/explain/derivation.js";
import { explainProgram } from "../../src/explain/explain-program.js";
import { formatText } from "../../src/explain/format.js";
import type { Value } from "../../src/explain/numbers.js";
import type { InputValue } from "../../src/explain/program.js";
import * as F from "../../src/ops/functions.js";
import { scalar, tensor } from "../../src/tensor/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";

/**
 * Reads back every `a = b = c` chain that the text format prints (forward pass, gradients, backward
 * pass) and evaluates each side on its own, with the program's values for names and the adjoints for
 * `∂z/∂v`: every side must equal the quantity on the left, at the printed precision.
 */

/** A side with notation this reader does not evaluate (matrix calculus); anything else must evaluate. */
const MATRIX_NOTATION = /[ᵀ⊙𝟏Σ]|expand\(|onehot\(|sum of|softmax|crossentropy/;

class Unknown extends Error {}

type Env = { vars: Map<string, Tensor>; adjoints: Map<string, Tensor> };

const num = (v: number) => scalar(v, { dtype: "float64" });
const step = (t: Tensor, f: (v: number) => number) => tensor(elements(t).map(f), { dtype: "float64" }).reshape(t.shape);
const elements = (t: Tensor): number[] => (t.ndim === 0 ? [t.item()] : (t.toArray() as unknown[]).flat(Infinity) as number[]);

/** A small Pratt reader of the printed Unicode math. */
function evaluateSide(text: string, env: Env): Tensor {
  const tokens = text.match(/∂[^\s/()]+\/∂[^\s()·+]+|[\d.]+(?:e−?\d+)?|∞|NaN|[\p{L}_][\p{L}\p{Nd}_₀-₉]*'?|[−\-+·*/^²@()\[\],<>√]|\S/gu) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++]!;
  const expect_ = (t: string) => {
    if (next() !== t) throw new Unknown(`expected ${t} in ${text}`);
  };
  const FUNCS: Record<string, (a: Tensor[]) => Tensor> = {
    ReLU: ([a]) => F.relu(a!), sigmoid: ([a]) => F.sigmoid(a!), tanh: ([a]) => F.tanh(a!), exp: ([a]) => F.exp(a!),
    log: ([a]) => F.log(a!), sqrt: ([a]) => F.sqrt(a!), abs: ([a]) => F.abs(a!), max: ([a, b]) => F.maximum(a!, b!),
    min: ([a, b]) => F.minimum(a!, b!), sum: ([a]) => F.sum(a!), mean: ([a]) => F.mean(a!), "√": ([a]) => F.sqrt(a!),
    sign: ([a]) => step(a!, Math.sign),
    "ReLU'": ([a]) => step(a!, (u) => (Number.isNaN(u) ? NaN : u > 0 ? 1 : 0)),
    "sigmoid'": ([a]) => step(a!, (u) => 1 / (1 + Math.exp(-u)) * (1 - 1 / (1 + Math.exp(-u)))),
    "tanh'": ([a]) => step(a!, (u) => 1 - Math.tanh(u) ** 2),
  };
  const array = (): Value => {
    expect_("[");
    const items: Value[] = [];
    while (peek() !== "]") {
      items.push(peek() === "[" ? array() : elements(expression())[0]!);
      if (peek() === ",") next();
    }
    next();
    return items;
  };
  const primary = (): Tensor => {
    const t = next();
    if (t === undefined) throw new Unknown(`unexpected end of ${text}`);
    if (t === "(") {
      const e = expression();
      expect_(")");
      return e;
    }
    if (t === "[") {
      i--;
      return tensor(array() as number[], { dtype: "float64" });
    }
    if (t === "∞") return num(Infinity);
    if (t === "NaN") return num(NaN);
    if (/^[\d.]/.test(t)) {
      if (t === "1" && peek() === "[") {
        next();
        const a = expression();
        const op = next();
        if (op !== ">" && op !== "<") throw new Unknown(`expected a comparison in ${text}`);
        const b = expression();
        expect_("]");
        return F.cast(op === ">" ? F.gt(a, b) : F.gt(b, a), "float64");
      }
      return num(Number(t.replace("−", "-")));
    }
    if (t.startsWith("∂")) {
      const v = env.adjoints.get(t);
      if (!v) throw new Unknown(`no adjoint ${t}`);
      return v;
    }
    if (t === "√" && peek() !== "(") return F.sqrt(power());
    if (FUNCS[t] && peek() === "(") {
      next();
      const args = [expression()];
      while (peek() === ",") {
        next();
        args.push(expression());
      }
      expect_(")");
      return FUNCS[t]!(args);
    }
    const v = env.vars.get(t);
    if (!v) throw new Unknown(`unknown name ${t} in ${text}`);
    return v;
  };
  const power = (): Tensor => {
    let base = primary();
    for (;;) {
      if (peek() === "²") {
        next();
        base = F.mul(base, base);
      } else if (peek() === "^") {
        next();
        base = F.pow(base, unary());
      } else return base;
    }
  };
  const unary = (): Tensor => {
    if (peek() === "−" || peek() === "-") {
      next();
      return F.neg(unary());
    }
    if (peek() === "+") next();
    return power();
  };
  const term = (): Tensor => {
    let left = unary();
    for (;;) {
      const t = peek();
      if (t === "·" || t === "*") {
        next();
        left = F.mul(left, unary());
      } else if (t === "/") {
        next();
        left = F.div(left, unary());
      } else if (t === "@") {
        next();
        left = F.matmul(left, unary());
      } else if (t === "(") left = F.mul(left, unary());
      else return left;
    }
  };
  const expression = (): Tensor => {
    let left = term();
    for (;;) {
      if (peek() === "+") {
        next();
        left = F.add(left, term());
      } else if (peek() === "−" || peek() === "-") {
        next();
        left = F.sub(left, term());
      } else return left;
    }
  };
  const value = expression();
  if (i !== tokens.length) throw new Unknown(`unread "${tokens.slice(i).join(" ")}" in ${text}`);
  return value;
}

/** Every chain of the sections that print equations, as its sides (labels and shapes removed). */
function printedChains(text: string): string[][] {
  const chains: string[][] = [];
  let section = "";
  let current: string[] | null = null;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) {
      section = line;
      current = null;
      continue;
    }
    if (!/^(Forward pass|Gradients of|Backward pass)/.test(section) || line.trim() === "") continue;
    const body = line.replace(/\s{3}\(.*\)$/, "").replace(/\s{3}\[[^\]]*\]$/, "");
    if (/^ {2}\S/.test(body)) {
      current = [body.trim()];
      chains.push(current);
    } else if (current) current.push(body.trim());
  }
  return chains.map((lines) => {
    const joined = lines.map((l, k) => (k === 0 ? l : l.startsWith("+") ? ` ${l}` : ` ${l}`)).join("");
    return joined.split(/\s+=\s+/);
  });
}

function same(a: Tensor, b: Tensor, precision: number): boolean {
  const xs = elements(a), ys = elements(b);
  if (xs.length !== ys.length && xs.length !== 1 && ys.length !== 1) return false;
  const n = Math.max(xs.length, ys.length);
  const tol = 10 ** (3 - precision);
  for (let k = 0; k < n; k++) {
    const x = xs[xs.length === 1 ? 0 : k]!, y = ys[ys.length === 1 ? 0 : k]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) return false;
    } else if (Math.abs(x - y) > tol * Math.max(1, Math.abs(x), Math.abs(y))) return false;
  }
  return true;
}

/** Checks every printed chain of `d`; returns how many sides were evaluated and compared. */
const toT = (v: Value) => (typeof v === "number" ? num(v) : tensor(v as number[], { dtype: "float64" }));

/** The program's values by name, and the adjoints by `∂z/∂v`. */
function envOf(d: ProgramDerivation): Env {
  return {
    vars: new Map([...d.inputs.map((i) => [i.name, toT(i.value)] as const), ...d.forward.map((f) => [f.name, toT(f.value)] as const)]),
    adjoints: new Map([...d.backward.map((b) => [b.symbol, toT(b.value)] as const), ...d.gradients.map((g) => [g.symbol, toT(g.value)] as const)]),
  };
}

function checkPrinted(d: ProgramDerivation): { compared: number; skipped: string[]; wrong: string[] } {
  const env = envOf(d);
  const truth = new Map<string, Tensor>([...env.vars, ...env.adjoints, ...d.gradients.map((g) => [g.symbol, toT(g.value)] as const)]);
  let compared = 0;
  const skipped: string[] = [], wrong: string[] = [];
  for (const [lhs, ...sides] of printedChains(formatText(d))) {
    const expected = truth.get(lhs!);
    if (!expected) throw new Error(`a printed chain with an unknown left side: ${lhs}`);
    for (const side of sides) {
      if (side.includes("…")) continue;
      let v: Tensor;
      try {
        v = evaluateSide(side, env);
      } catch (e) {
        if (e instanceof Unknown && MATRIX_NOTATION.test(side)) {
          skipped.push(side);
          continue;
        }
        throw e;
      }
      compared++;
      if (!same(v, expected, d.precision)) wrong.push(`${lhs} = ${side}: the side is ${elements(v).join(", ")}, ${lhs} is ${elements(expected).join(", ")}`);
    }
  }
  return { compared, skipped, wrong };
}

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const P1_VALUES = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };

const PROGRAMS: [string, string, Record<string, InputValue>, number?][] = [
  ["P1", P1, P1_VALUES],
  ["P1 at 3 digits", P1, P1_VALUES, 3],
  ["P1 at ReLU's kink", P1, { ...P1_VALUES, b0: -0.3 }],
  ["sigmoid, tanh and a division", "y = sigmoid(a*b) + tanh(a - b)\nz = y*y/b", { a: 0.5, b: -1.5 }],
  ["exp, log, sqrt, abs, powers", "z = exp(x)*log(w) + sqrt(x*w) - abs(x - w)^2 + x**3/w", { x: 2, w: 3 }],
  ["max, min, a negation, a power", "u = max(x, w)*min(x, w)\nv = -u + x^3\nz = v/(u + 1)", { x: 0.7, w: -1.2 }],
  ["a variable used several times", "y = x*x*w\nz = y*x + y - w", { x: 1.5, w: -2 }],
  ["constants and subtraction", "a = 2*x - 3\nb = (a - x)/4 - -a\nz = b*b - 0.5*a", { x: 0.25 }],
  ["a division by zero", "z = x0/w0", { x0: 1, w0: 0 }],
  ["a sum of squares with a tensor", "L = lam/2*(sum(W*W))", { lam: 1, W: [[1, 2], [3, 1]] }],
  ["a layer with a mean", "H = relu(X @ W + b)\nL = mean(H*H) + sum(b)*c", { X: [[1, -2, 0.5], [0.3, 0.1, -1]], W: [[0.2, -0.1], [0.4, 0.3], [-0.5, 0.6]], b: [0.1, -0.2], c: 3 }],
  ["scalars scaling a vector", "y = a*v + b\nL = sum(y*y)/n", { a: 2, b: -1, v: [1, 2, 3], n: 4 }],
  ["a classifier with cross-entropy", "S = X @ W\nL = crossentropy(S, y) + s*sum(W*W)", { X: [[1, -1], [0.5, 2]], W: [[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]], y: [0, 2], s: 0.5 }],
];

describe("every printed step of a worked solution is true as printed", () => {
  it.each(PROGRAMS)("%s", (_, program, values, precision) => {
    const d = explainProgram(program, values, { precision });
    const r = checkPrinted(d);
    expect(r.wrong).toEqual([]);
    expect(r.compared).toBeGreaterThanOrEqual(d.forward.length + d.backward.length);
  });

  it.each<[string, string, Record<string, InputValue>, string]>([
    ["P1", P1, P1_VALUES, "x1=0.4, y1=-0.08, z=0.92, y1=-0.36, z=0.5, dz/dw1=-0.2, dz/dw0=0.2, dz/dx0=-0.06, dz/db0=0"],
    ["a variable used several times", "y = x*x*w\nz = y*x + y - w", { x: 1.5, w: -2 }, "y=4.5, y=-3, z=-9, dz/dx=3, dz/dw=1"],
  ])("and so is every step of the checks of %s: the correct derivation, and each slip's own computation", (_, program, values, claims) => {
    const d = explainProgram(program, values, { check: claims });
    const env = envOf(d);
    let compared = 0;
    for (const c of d.checks!) {
      if (c.ok) continue;
      const [lhs, ...sides] = c.derivation!.split(" = ");
      for (const side of sides) {
        expect(same(evaluateSide(side, env), evaluateSide(lhs!, env), d.precision), `${c.derivation}: ${side}`).toBe(true);
        compared++;
      }
      // each slip shows what the slipped step computes: `(w0·w1 + b1 = 0.3·(−0.2) + (−0.3) = −0.36)`
      for (const slip of c.slips ?? []) {
        const math = /\(\$([^$]*)\$\)/.exec(slip)?.[1];
        if (math === undefined) continue;
        const [, first, ...rest] = math.split(" = ");
        for (const side of rest) {
          expect(same(evaluateSide(side, env), evaluateSide(first!, env), d.precision), `${slip}: ${side}`).toBe(true);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it("catches a false step (the reader is not vacuous)", () => {
    const d = explainProgram("L = lam/2*(sum(W*W))", { lam: 1, W: [[1, 2], [3, 1]] });
    const lam = d.backward.find((b) => b.name === "lam")!;
    lam.terms = lam.terms.map((t) => ({ ...t, localValues: [1] }));
    d.forward[0]!.stages = ["7"];
    const r = checkPrinted(d);
    expect(r.wrong.length).toBeGreaterThanOrEqual(1);
  });
});
