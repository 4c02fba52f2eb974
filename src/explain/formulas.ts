import { OPS, type OpName } from "../ops/index.js";
import type { Formula } from "../ops/op.js";

/** The upstream gradient ḡ as the op formulas write it. */
export const UPSTREAM = "\u1e21";

/** The symbol of a gradient: `∂z/∂w0`. */
export const gradSymbol = (of: string, wrt: string): string => `∂${of}/∂${wrt}`;

/** One input's rule of an op formula: `∂A = ḡ · Bᵀ` gives role `A`, rule `ḡ · Bᵀ`. */
export interface Rule {
  role: string;
  rule: string;
}

/** Formulas of the composite functions of the program language, written as the ops write theirs. */
const COMPOSITE_FORMULAS: Record<string, Formula> = {
  // mean = sum / n: the sum's rule, scaled by 1/n
  mean: { x: `${UPSTREAM} / n broadcast over the averaged axes` },
  // softmax = exp(logSoftmax(x)): y ⊙ (ḡ − Σⱼ ḡ ⊙ y) with y = softmax(x)
  softmax: { x: `softmax(x) ⊙ (${UPSTREAM} − Σⱼ ${UPSTREAM} ⊙ softmax(x))` },
  // logSoftmax = x − logΣexp(x)
  logsoftmax: { x: `${UPSTREAM} − softmax(x) ⊙ Σⱼ ${UPSTREAM}` },
};

/** The op formula of a primitive (by op name), or of a composite function of the program language. */
export function formulaOf(op: OpName | keyof typeof COMPOSITE_FORMULAS): Formula {
  return COMPOSITE_FORMULAS[op] ?? OPS[op as OpName].formula;
}

/** A formula's rules in input order: `{ a: "ḡ", b: "−ḡ" }` gives roles `a`, `b`. */
export function rulesOf(formula: Formula): Rule[] {
  return Object.entries(formula).map(([role, rule]) => ({ role, rule }));
}

/** The rule of one input of an op, by position (0 for the first input). */
export function ruleOf(op: Parameters<typeof formulaOf>[0], input: number): string {
  const rules = rulesOf(formulaOf(op));
  const r = rules[input] ?? rules[0];
  if (!r) throw new Error(`explain: the formula of ${op} has no rule for input ${input}`);
  return r.rule;
}

/** The roles a formula names, in input order (`a`, `b`; `A`, `B`; `x`; `h`, `y`). */
export function rolesOf(op: Parameters<typeof formulaOf>[0]): string[] {
  return rulesOf(formulaOf(op)).map((r) => r.role);
}

/** The rule of input `i` of an op with ḡ bound to `up` and its roles to `args`, in input order. */
export const ruleWith = (op: Parameters<typeof formulaOf>[0], i: number, up: string, args: readonly string[]): string =>
  instantiate(ruleOf(op, i), Object.fromEntries([[UPSTREAM, up], ...rolesOf(op).map((r, k) => [r, args[k] ?? ""])]));

/** Whether `text` reads as one term: a name (`√d` too), a number, `∂z/∂y`, a call `f(…)`, a group `(…)`, `Xᵀ`. */
export function isAtomic(text: string): boolean {
  const t = text.trim();
  if (/^√?[\p{L}\p{N}_.'₀-₉ᵀ²]+$/u.test(t)) return !/^[−-]/.test(t);
  if (/^∂[\p{L}\p{N}_.₀-₉]+\/∂[\p{L}\p{N}_.₀-₉]+$/u.test(t)) return true;
  return /^\(.*\)$|^[\p{L}_][\p{L}\p{N}_']*\(.*\)$/u.test(t) && closing(t, t.indexOf("(")) === t.length - 1;
}

/** Where the parenthesis that closes the one at `open` stands, or the length of `s` when none does. */
export function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) return i;
  }
  return s.length;
}

/** `text` in parentheses unless it is one term. */
export function group(text: string): string {
  return isAtomic(text) ? text : `(${text})`;
}

/**
 * Instantiates a rule: `ḡ` and the role names replaced by the given texts, each in parentheses when it
 * is not one term and not already delimited (`1[x > 0]` with x = `y1 + x0` gives `1[y1 + x0 > 0]`).
 */
export function instantiate(rule: string, bindings: Record<string, string>): string {
  const re = new RegExp(`${UPSTREAM}|[A-Za-z\\u0370-\\u03ff]+`, "g");
  return dropFalseClause(rule.replace(re, (token, offset: number) => {
    const text = bindings[token];
    if (text === undefined) return token;
    const before = rule.slice(0, offset).trimEnd().slice(-1);
    const after = rule.slice(offset + token.length).trimStart()[0] ?? "";
    const delimited = (before === "" || "([,".includes(before)) && (after === "" || ")],<>=".includes(after));
    return delimited ? text : group(text);
  }));
}

const NUM = String.raw`[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?`;
const CMP: Record<string, (a: number, b: number) => boolean> = { "=": (a, b) => a === b, "≠": (a, b) => a !== b, "<": (a, b) => a < b, ">": (a, b) => a > b, "≤": (a, b) => a <= b, "≥": (a, b) => a >= b };

/** A rule's `, 0 where b = 0` clause dropped once it reads numbers that do not meet it (`3·2^(3−1), 0 where 3 = 0` → `3·2^(3−1)`). */
function dropFalseClause(text: string): string {
  const m = new RegExp(`, 0 where (${NUM}(?: [=≠<>≤≥] ${NUM})+)$`).exec(text);
  if (!m) return text;
  const parts = m[1]!.split(" ");
  const num = (t: string) => Number(t.replace("−", "-"));
  for (let i = 1; i < parts.length; i += 2) if (!CMP[parts[i]!]!(num(parts[i - 1]!), num(parts[i + 1]!))) return text.slice(0, m.index);
  return text;
}

/** Simplifies a rule instantiated with ḡ = 1: `1 · b` → `b`, `1 ⊙ 1[x > 0]` → `1[x > 0]`, `−1 · a / b²` → `−a / b²`. */
export function dropUnitUpstream(text: string): string {
  return text
    .replace(/^1 [·⊙] /, "")
    .replace(/^−1 · /, "−")
    .replace(/ [·⊙] 1$/, "")
    .replace(/^1 \/ /, "1/");
}
