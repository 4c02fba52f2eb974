import { gradients } from "../autograd/engine.js";
import { ValueError } from "../errors.js";
import { add, div, mul, pow, sub } from "../ops/functions.js";
import { exp, log, neg, relu, sigmoid, tanh } from "../ops/unary.js";
import { scalar } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { type MathExpr, ReadError, show } from "./read.js";

/** A definition of the solution: `x_1 = ReLU(…)`, or with index parameters `P(y=j) = …`. */
export interface Def { params: string[]; expr: MathExpr; line: number }

/** What the whole solution states: given values, definitions, families of indexed symbols, one-hot ones. */
export interface Context {
  givens: Map<string, number>;
  defs: Map<string, Def>;
  oneHot: Set<string>;
  families: Set<string>;
}

const f64 = (v: number, requiresGrad = false) => scalar(v, { dtype: "float64", requiresGrad });

/** A random generator of one decimal numbers in ±1.5, never 0 (mulberry32). */
export function decimals(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    const v = Math.round((u * 3 - 1.5) * 10) / 10;
    return v === 0 ? 0.4 : v;
  };
}

/**
 * Values of the solution's expressions, in float64 with the library's ops, derivatives by its autograd.
 * Given values and random stand-ins are leaves; a defined variable is its definition plus a shift (a
 * leaf: 0, or the person's own wrong value minus the true one), so that `∂z/∂y1` is the gradient by
 * that shift, and a wrong value carried down keeps the chain rule working.
 */
export class Env {
  readonly leaves = new Map<string, Tensor>();
  private readonly cache = new Map<string, Tensor>();
  readonly shifts = new Map<string, Tensor>();
  readonly random = new Set<string>();
  readonly hot = new Map<string, number>();
  usedSum = false;
  /** Replaces the value of a literal (by identity), for the precision of written numbers. */
  literal?: Map<MathExpr, number>;

  constructor(readonly ctx: Context, readonly size: number, readonly rng: () => number, readonly overrides: ReadonlyMap<string, number> = new Map()) {}

  private leaf(key: string, value: number): Tensor {
    if (!this.leaves.has(key)) this.leaves.set(key, f64(value, true));
    return this.leaves.get(key)!;
  }

  private element(base: string, at: number[]): Tensor {
    if (this.ctx.oneHot.has(base)) {
      if (!this.hot.has(base)) this.hot.set(base, 1 + Math.floor(Math.abs(this.rng() * 10)) % this.size);
      return f64(at[0] === this.hot.get(base) ? 1 : 0);
    }
    const key = `${base}${at.join(",")}`;
    const given = this.ctx.givens.get(key);
    if (given === undefined) this.random.add(base);
    return this.leaf(key, given ?? this.rng());
  }

  defined(name: string, at: number[] = []): Tensor {
    const def = this.ctx.defs.get(name)!;
    const key = `${name}[${at.join(",")}]`;
    if (!this.cache.has(key)) {
      this.cache.set(key, null as unknown as Tensor);
      const t = this.value(def.expr, new Map(def.params.map((p, k) => [p, at[k]!])));
      const o = at.length === 0 ? this.overrides.get(name) : undefined;
      const shift = f64(o === undefined ? 0 : o - t.item(), true);
      if (at.length === 0) this.shifts.set(name, shift);
      this.cache.set(key, add(t, shift));
    }
    const t = this.cache.get(key);
    if (t === null) throw new ReadError(`${name} is defined in terms of itself`);
    return t!;
  }

  /** The number of an index expression. */
  private index(e: MathExpr, idx: ReadonlyMap<string, number>): number {
    if (e.kind === "sym" && e.idx.length === 0 && idx.has(e.name)) return idx.get(e.name)!;
    if (e.kind === "sym" && e.idx.length === 0 && /^[a-z]$/.test(e.name)) throw new ReadError(`the index ${e.name} is not bound`);
    return this.value(e, idx).item();
  }

  value(e: MathExpr, idx: ReadonlyMap<string, number> = new Map()): Tensor {
    switch (e.kind) {
      case "num": return f64(this.literal?.get(e) ?? e.value);
      case "sym": {
        const { name } = e;
        if (e.idx.length > 0) {
          const at = e.idx.map((i) => this.index(i, idx));
          const def = this.ctx.defs.get(name);
          if (def && def.params.length === at.length) return this.defined(name, at);
          return this.element(name, at);
        }
        if (idx.has(name)) return f64(idx.get(name)!);
        const def = this.ctx.defs.get(name);
        if (def && def.params.length === 0) return this.defined(name);
        const given = this.ctx.givens.get(name);
        if (given !== undefined) return this.leaf(name, given);
        const m = name.match(/^([a-zA-Z]+)(\d+)$/);
        if (m && (this.ctx.families.has(m[1]!) || this.ctx.oneHot.has(m[1]!))) return this.element(m[1]!, [Number(m[2])]);
        this.random.add(name);
        return this.leaf(name, this.rng());
      }
      case "neg": return neg(this.value(e.arg, idx));
      case "bin": {
        const a = this.value(e.left, idx);
        if (e.op === "^" && e.right.kind === "num" && Number.isInteger(e.right.value) && e.right.value >= 1 && e.right.value <= 4) {
          let t = a;
          for (let k = 1; k < e.right.value; k++) t = mul(t, a);
          return t;
        }
        const b = this.value(e.right, idx);
        return { "+": add, "-": sub, "*": mul, "/": div, "^": pow }[e.op](a, b);
      }
      case "call": {
        const u = this.value(e.arg, idx);
        switch (e.fn) {
          case "relu": return relu(u);
          case "sigmoid": return sigmoid(u);
          case "exp": return exp(u);
          case "log": return log(u);
          case "tanh": return tanh(u);
          case "relu'": return f64(u.item() > 0 ? 1 : 0);
          case "sigmoid'": { const s = sigmoid(u); return mul(s, sub(1, s)); }
          case "tanh'": { const t = tanh(u); return sub(1, mul(t, t)); }
        }
        throw new ReadError(`${show(e)}: no derivative rule for ${e.fn}`);
      }
      case "deriv": {
        const o = this.overrides.get(show(e));
        if (o !== undefined) return f64(o);
        const w = e.wrt as Extract<MathExpr, { kind: "sym" }>;
        let target: Tensor;
        if (w.idx.length === 0 && this.ctx.defs.get(w.name)?.params.length === 0) {
          this.defined(w.name);
          target = this.shifts.get(w.name)!;
        } else target = this.value(w, idx);
        if (!target.requiresGrad || !target.isLeaf) throw new ReadError(`cannot differentiate by ${show(w)}: it is a constant here`);
        const y = this.value(e.of, idx);
        if (y.size !== 1) throw new ValueError(`${show(e.of)} is not a number`);
        return y.requiresGrad ? f64(gradients(y, [target], { retainGraph: true })[0]!.item()) : f64(0);
      }
      case "sum": {
        this.usedSum = true;
        const lo = e.lo ? this.index(e.lo, idx) : 1;
        const hiSym = e.hi?.kind === "sym" && e.hi.idx.length === 0 && !this.ctx.givens.has(e.hi.name) && !this.ctx.defs.has(e.hi.name);
        const hi = e.hi && !hiSym ? this.index(e.hi, idx) : lo + this.size - 1;
        let t = f64(0);
        for (let k = lo; k <= hi; k++) t = add(t, this.value(e.body, new Map([...idx, [e.index, k]])));
        return t;
      }
      case "delta": return f64(this.index(e.a, idx) === this.index(e.b, idx) ? 1 : 0);
    }
  }

  /** The random values this sample used: `h = (0.3, −1.1, 0.8), y = (0, 1, 0)`. */
  describe(idx: ReadonlyMap<string, number>, fmt: (v: number) => string): string {
    const parts: string[] = [];
    const families = new Set([...this.random].filter((n) => this.ctx.families.has(n)));
    for (const n of this.random) if (!families.has(n)) parts.push(`${show({ kind: "sym", name: n, idx: [] })} = ${fmt(this.leaves.get(n)!.item())}`);
    for (const n of families) parts.push(`${n} = (${Array.from({ length: this.size }, (_, k) => fmt(this.leaves.get(`${n}${k + 1}`)?.item() ?? NaN)).join(", ")})`);
    for (const [n, h] of this.hot) parts.push(`${n} = (${Array.from({ length: this.size }, (_, k) => (k + 1 === h ? 1 : 0)).join(", ")})`);
    for (const [i, v] of idx) parts.push(`${i} = ${v}`);
    return parts.join(", ");
  }
}
