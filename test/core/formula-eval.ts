import { type Tensor, tensor } from "../../src/index.js";
import * as F from "../../src/ops/functions.js";

/** A value of the formula notation: a tensor, a number, or a list of numbers (a shape, a permutation). */
export type Value = Tensor | number | readonly number[];

/** What a formula's names mean at one node: roles and symbols (ḡ, α, p, index, π), and its functions. */
export interface Env {
  vars: Record<string, Value>;
  fns: Record<string, (...args: Value[]) => Value>;
}

/**
 * The few prose phrases of the op formulas, each read as one function of the notation (the functions are
 * given per node by the env: `expandTo` broadcasts to the input's shape, `sumTo` sums back to it, …).
 */
const PHRASES: [RegExp, string][] = [
  [/^(.+) broadcast over the summed axes$/u, "expandTo($1)"],
  [/^Σ (.+) over the expanded axes$/u, "sumTo($1)"],
  [/^(.+) at the sliced positions, 0 elsewhere$/u, "unslice($1)"],
  [/^the slice of (.+) that (\S+) filled$/u, "sliceOf($1, $2)"],
  [/^(.+), 0 beyond the index$/u, "padTo($1)"],
];

type Tok = { t: string; num?: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s+|(\d+(?:\.\d+)?)|(ḡ′?|[A-Za-z\u0370-\u03a2\u03a4-\u03ff]+ᵢ?)|(⁻¹|[·⊙/−\-+^()[\],><=≠≤≥¬√ᵀ²#]|Σⱼ?)/uy;
  let i = 0;
  while (i < src.length) {
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new Error(`formula: cannot read "${src.slice(i)}" in "${src}"`);
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: "num", num: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ t: m[2] });
    else if (m[3] !== undefined) out.push({ t: m[3] === "-" ? "−" : m[3] });
  }
  return out;
}

const isT = (v: Value): v is Tensor => typeof v === "object" && !Array.isArray(v) && "shape" in v;
const tens = (v: Value, what: string): Tensor | number => {
  if (Array.isArray(v)) throw new Error(`formula: ${what} of a list`);
  return v as Tensor | number;
};
const broadcasts = (a: readonly number[], b: readonly number[]): boolean => {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i]!, y = b[b.length - i]!;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
};
function bin(op: string, a: Value, b: Value): Value {
  const x = tens(a, op), y = tens(b, op);
  if (typeof x === "number" && typeof y === "number") {
    return op === "+" ? x + y : op === "−" ? x - y : op === "/" ? x / y : op === "^" ? x ** y : x * y;
  }
  // NOTE: `·` is the matrix product between tensors whose shapes do not broadcast (`ḡ · Bᵀ`), else a product.
  if (op === "·" && isT(x) && isT(y) && x.ndim > 0 && y.ndim > 0 && !broadcasts(x.shape, y.shape)) return F.matmul(x, y);
  const fn = { "+": F.add, "−": F.sub, "/": F.div, "^": F.pow, "·": F.mul, "⊙": F.mul }[op]!;
  return fn(x as Tensor, y as Tensor);
}
const mask = (v: Value): Tensor => {
  if (!isT(v)) throw new Error("formula: 1[…] of a non-tensor");
  return v;
};

/** Evaluates one rule of an op formula (`ḡ ⊙ 1[x > 0]`) in `env`; throws on any notation it cannot read. */
export function evaluateFormula(rule: string, env: Env): Value {
  let text = rule.trim();
  for (const [re, to] of PHRASES) text = text.replace(re, to);
  const toks = tokenize(text);
  let k = 0;
  const peek = () => toks[k]?.t;
  const eat = (t: string) => {
    if (toks[k]?.t !== t) throw new Error(`formula: expected "${t}" at token ${k} of "${rule}", found "${toks[k]?.t ?? "end"}"`);
    k++;
  };
  const f64 = (v: Value) => (typeof v === "number" ? tensor(v, { dtype: "float64" }) : (v as Tensor));
  const startsPrimary = (t: string | undefined) => t !== undefined && t !== "if" && t !== "else" && (t === "(" || t === "num" || t === "√" || t === "#" || /^[\p{L}ḡ]/u.test(t)) && !t.startsWith("Σ");

  // expr := sum [if cond else expr] [, 0 where cond]
  function expr(): Value {
    const v = choice();
    if (peek() !== "," || toks[k + 1]?.num !== 0 || toks[k + 2]?.t !== "where") return v;
    k += 3;
    return F.where(cond(), 0, f64(v));
  }
  function choice(): Value {
    const v = sum();
    if (peek() !== "if") return v;
    eat("if");
    const c = cond();
    eat("else");
    const w = choice();
    return F.where(c, f64(v), f64(w));
  }
  function cond(): Tensor {
    if (peek() === "¬") {
      k++;
      return F.eq(cond(), 0);
    }
    const CMP = { ">": F.gt, "<": F.lt, "=": F.eq, "≠": F.ne, "≤": F.le, "≥": F.ge } as Record<string, (a: Tensor, b: Tensor) => Tensor>;
    let a = sum();
    if (!(peek()! in CMP)) return F.ne(mask(a), 0);
    // NOTE: a chain `a = 0 ≤ b` is (a = 0) and (0 ≤ b).
    let all: Tensor | null = null;
    while (peek()! in CMP) {
      const fn = CMP[toks[k++]!.t]!;
      const b = sum();
      const m = fn(f64(a), f64(b));
      all = all === null ? m : F.mul(all, m);
      a = b;
    }
    return all!;
  }
  function sum(): Value {
    let v = term();
    while (peek() === "+" || peek() === "−") {
      const op = toks[k++]!.t;
      v = bin(op, v, term());
    }
    return v;
  }
  function term(): Value {
    let v = unary();
    for (;;) {
      const t = peek();
      if (t === "·" || t === "⊙" || t === "/") {
        k++;
        v = bin(t, v, unary());
      } else if (startsPrimary(t)) v = bin("⊙", v, unary());
      else return v;
    }
  }
  function unary(): Value {
    const t = peek();
    if (t === "−") {
      k++;
      return bin("·", -1, unary());
    }
    if (t === "Σⱼ") {
      k++;
      return F.sum(tens(term(), "Σⱼ") as Tensor, -1, true);
    }
    if (t === "√") {
      k++;
      const v = postfix();
      return typeof v === "number" ? Math.sqrt(v) : F.sqrt(v as Tensor);
    }
    return postfix();
  }
  function postfix(): Value {
    let v = primary();
    for (;;) {
      const t = peek();
      if (t === "ᵀ") v = isT(v) && v.ndim >= 2 ? F.transpose(v, -2, -1) : v;
      else if (t === "²") v = bin("⊙", v, v);
      else if (t === "⁻¹") {
        if (!Array.isArray(v)) throw new Error(`formula: ⁻¹ of a non-permutation in "${rule}"`);
        const p = v as readonly number[];
        v = p.map((_, i) => p.indexOf(i));
      } else if (t === "^") {
        k++;
        v = bin("^", v, postfix());
        continue;
      } else return v;
      k++;
    }
  }
  function primary(): Value {
    const tok = toks[k++];
    if (!tok) throw new Error(`formula: "${rule}" ends early`);
    if (tok.t === "num") {
      if (tok.num === 1 && peek() === "[") {
        k++;
        const c = cond();
        eat("]");
        return c;
      }
      return tok.num!;
    }
    if (tok.t === "(") {
      const v = expr();
      eat(")");
      return v;
    }
    if (tok.t === "#") {
      const name = toks[k++]?.t ?? "";
      if (!(name in env.vars)) throw new Error(`formula: unknown count #${name} in "${rule}"`);
      return env.vars[name]!;
    }
    const name = tok.t;
    const squared = peek() === "²" && toks[k + 1]?.t === "(";
    if (squared) k++;
    if (peek() === "(" && name in env.fns) {
      k++;
      const args: Value[] = [];
      if (peek() !== ")") {
        args.push(expr());
        while (peek() === ",") {
          k++;
          args.push(expr());
        }
      }
      eat(")");
      const v = env.fns[name]!(...args);
      return squared ? bin("⊙", v, v) : v;
    }
    if (squared) throw new Error(`formula: ${name}² of a non-function in "${rule}"`);
    if (!(name in env.vars)) throw new Error(`formula: unknown name "${name}" in "${rule}"`);
    return env.vars[name]!;
  }

  const v = expr();
  if (k !== toks.length) throw new Error(`formula: cannot read past token ${k} ("${toks[k]!.t}") of "${rule}"`);
  return v;
}

/** A value as a float64 tensor of `shape` (a number broadcast). */
export function asTensor(v: Value, shape: readonly number[]): Tensor {
  if (Array.isArray(v)) throw new Error("formula: a list where a gradient was expected");
  if (typeof v === "number") return F.expand(tensor(v, { dtype: "float64" }), shape);
  return F.cast(v as Tensor, "float64");
}
