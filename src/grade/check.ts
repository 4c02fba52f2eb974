import { ValueError } from "../errors.js";
import { explainProgram, formatNumber, richToText } from "../explain/index.js";
import { checkOptions } from "../options.js";
import { type Context, type Def, Env, decimals } from "./evaluate.js";
import { type MathExpr, type Step, type Unread, ReadError, mathPieces, parseChain, show, toProgram } from "./read.js";

/** One checked step of a chain: the expression on `line`, compared with the true value of the chain's left side. */
export interface StepCheck {
  line: number;
  /** `y₁ = (0.4)(−0.2) + (−0.3)`: the chain's left side and this step. */
  claim: string;
  /** The step's value (at the sample that shows a difference, for a derivation without numbers). */
  claimed: number | null;
  correct: number | null;
  ok: boolean;
  /** For the first wrong step of a chain: why; for a step that follows from one: where that is. */
  firstWrongStep: string | null;
  /** The line of the first wrong step this one follows from. */
  carriedFrom?: number;
  /** The kind of slip named: wrong-variable, sign, arithmetic, dropped-term, factor-2, activation, value, differs. */
  slip?: string;
  /** The values at which a derivation's line was shown to differ. */
  at?: string;
}

/** What `checkSolution` returns; `ok` is true when every step is right. */
export interface GradeReport {
  checks: StepCheck[];
  unread: Unread[];
  /** The lines of math read, each with its role and its text as Unicode math, in order. */
  lines: { line: number; text: string; role: "given" | "definition" | "step" }[];
  right: number;
  wrong: number;
  carried: number;
  ok: boolean;
}

/** Options of `checkSolution`. */
export interface CheckSolutionOptions {
  /** Values of symbols that the text does not give (`--set`, `--values`). */
  values?: Readonly<Record<string, number>>;
  /** A relative tolerance for every comparison, in place of the precision the numbers are written with. */
  tol?: number;
  /** The kind of text: Markdown (default), LaTeX or plain text. */
  format?: "md" | "tex" | "txt";
  /** The seed of the random values a derivation without numbers is checked at. */
  seed?: number;
}

interface Chain { steps: Step[]; role: "given" | "definition" | "check" }
const SIZES = [3, 4, 5];
const fmt = (v: number) => formatNumber(v, 6);
const isLiteral = (e: MathExpr): boolean => e.kind === "num" || (e.kind === "neg" && e.arg.kind === "num");
const literalValue = (e: MathExpr) => (e.kind === "num" ? e.value : -(e as { arg: { value: number } }).arg.value);
const walk = (e: MathExpr, f: (x: MathExpr) => void): void => {
  f(e);
  const kids = e.kind === "neg" ? [e.arg] : e.kind === "bin" ? [e.left, e.right] : e.kind === "call" ? [e.arg] : e.kind === "deriv" ? [e.of, e.wrt] : e.kind === "sum" ? [e.body, ...(e.lo ? [e.lo] : []), ...(e.hi ? [e.hi] : [])] : e.kind === "sym" ? e.idx : e.kind === "delta" ? [e.a, e.b] : [];
  kids.forEach((k) => walk(k, f));
};
const hasSymbols = (e: MathExpr) => { let s = false; walk(e, (x) => { if (x.kind === "sym" || x.kind === "deriv") s = true; }); return s; };
const literals = (e: MathExpr) => { const out: Extract<MathExpr, { kind: "num" }>[] = []; walk(e, (x) => { if (x.kind === "num") out.push(x); }); return out; };

/** Significant digits and half a unit of the last digit of a written number (`0.3208`: 4, 0.00005). */
function writtenPrecision(text: string): { digits: number; half: number } | null {
  if (!text.includes(".") || /e/i.test(text)) return null;
  const decimalsOf = text.split(".")[1]!.length;
  return { digits: text.replace(".", "").replace(/^0+/, "").length, half: 0.5 * 10 ** -decimalsOf };
}

/** Indices used in `e` that no sum binds. */
function freeIndices(e: MathExpr, bound: string[] = [], out = new Set<string>()): Set<string> {
  if (e.kind === "sum") { freeIndices(e.body, [...bound, e.index], out); return out; }
  if (e.kind === "sym") for (const i of e.idx) { if (i.kind === "sym" && i.idx.length === 0 && /^[a-z]$/.test(i.name) && !bound.includes(i.name)) out.add(i.name); else freeIndices(i, bound, out); }
  else if (e.kind === "delta") [e.a, e.b].forEach((x) => freeIndices({ kind: "sym", name: "_", idx: [x] }, bound, out));
  else if (e.kind === "neg" || e.kind === "call") freeIndices(e.arg, bound, out);
  else if (e.kind === "bin") { freeIndices(e.left, bound, out); freeIndices(e.right, bound, out); }
  else if (e.kind === "deriv") { freeIndices(e.of, bound, out); freeIndices(e.wrt, bound, out); }
  return out;
}

/**
 * Grades a worked solution as it was written: reads its given values, definitions and chains of
 * equalities (Markdown with LaTeX math, LaTeX, or plain text), evaluates every expression of every
 * chain (derivatives by the library's autograd, in float64) and marks each step right or wrong. The
 * first wrong step of a chain gets the reason (a value put in for the wrong variable, a sign dropped, an
 * arithmetic slip, a term dropped, a factor 2 lost), a step that follows from an earlier wrong one is
 * said to be carried; a derivation without numbers is checked at random values (sums for C = 3, 4, 5).
 * Lines that cannot be read are listed with the reason.
 * @example checkSolution("Let $x = 2$.\n\n$$y = x^2 = 2 \\cdot 2 = 5$$").wrong; // 1
 */
export function checkSolution(text: string, options?: CheckSolutionOptions): GradeReport {
  const opts = checkOptions("checkSolution", options, ["values", "tol", "format", "seed"]);
  if (typeof text !== "string") throw new ValueError(`checkSolution: the solution must be a string, found ${text === null ? "null" : typeof text}`);
  const kind = opts.format ?? "md";
  if (!["md", "tex", "txt"].includes(kind)) throw new ValueError(`checkSolution: format must be "md", "tex" or "txt", found ${JSON.stringify(kind)}`);
  if (opts.tol !== undefined && !(typeof opts.tol === "number" && opts.tol >= 0)) throw new ValueError(`checkSolution: tol must be a number ≥ 0, found ${String(opts.tol)}`);
  const values = opts.values ?? {};
  if (typeof values !== "object" || values === null || Object.values(values).some((v) => typeof v !== "number" || !Number.isFinite(v))) throw new ValueError("checkSolution: values must be an object of finite numbers, such as { x0: 1 }");
  const seed = Number.isInteger(opts.seed) ? opts.seed! : 1;

  const pieces = mathPieces(text, kind);
  const userFns = new Set([...text.matchAll(/(?<![\\a-zA-Z])([A-Za-z])\(\s*[a-z]\s*=\s*[a-z]\s*\)/g)].map((m) => m[1]!));
  const unread: Unread[] = [];
  const chains: Chain[] = [];
  for (const p of pieces) {
    if (p.text.startsWith("\u0000")) { unread.push({ line: p.line, text: "", reason: p.text.slice(1) }); continue; }
    try {
      const exprs = parseChain(p.text, p.latex, userFns);
      const steps = exprs.flatMap((expr) => (expr ? [{ expr, line: p.line, source: p.text }] : []));
      if (exprs[0] === null) {
        if (chains.length === 0) throw new ReadError("a line starting with = continues no equation");
        chains.at(-1)!.steps.push(...steps);
      } else if (steps.length >= 2) chains.push({ steps, role: "check" });
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      unread.push({ line: p.line, text: p.text, reason: e.message });
    }
  }

  const ctx: Context = { givens: new Map(Object.entries(values)), defs: new Map(), oneHot: new Set(), families: new Set() };
  for (const re of [/\$\\?(?:mathbf\{)?([a-zA-Z])\}?\$[^.\n$]{0,20}?\bone[- ]hot/gi, /one[- ]hot\s+(?:vector\s+|label\s+)?\$\\?(?:mathbf\{)?([a-zA-Z])/gi, /\b([a-zA-Z])\s+(?:is\s+)?(?:a\s+)?one[- ]hot/gi])
    for (const m of text.matchAll(re)) ctx.oneHot.add(m[1]!);
  for (const c of chains) {
    const [e0, e1] = [c.steps[0]!.expr, c.steps[1]!.expr];
    if (e0.kind !== "sym" || ctx.givens.has(e0.name) || ctx.defs.has(e0.name)) continue;
    const params = e0.idx.map((i) => (i.kind === "sym" && i.idx.length === 0 ? i.name : ""));
    if (params.includes("")) continue;
    if (params.length === 0 && isLiteral(e1)) { ctx.givens.set(e0.name, literalValue(e1)); c.role = "given"; }
    else { ctx.defs.set(e0.name, { params, expr: e1, line: c.steps[1]!.line } satisfies Def); c.role = "definition"; }
  }
  for (const c of chains) for (const s of c.steps) walk(s.expr, (x) => { if (x.kind === "sym" && x.idx.length > 0 && !ctx.defs.has(x.name)) ctx.families.add(x.name); });
  for (const h of ctx.oneHot) ctx.families.delete(h);

  const checks: StepCheck[] = [];
  const lines: GradeReport["lines"] = [];
  /** The person's own wrong values so far, by the left side's text, with the line of the step they come from. */
  const claimed = new Map<string, { key: string; value: number; line: number; name: string; correct: number }>();
  let chainNo = 0;
  for (const c of chains) {
    chainNo++;
    const e0 = c.steps[0]!.expr;
    const byLine = new Map<number, string[]>();
    for (const st of c.steps) byLine.set(st.line, [...(byLine.get(st.line) ?? []), show(st.expr)]);
    [...byLine].forEach(([line, parts], k) => {
      const prev = lines.at(-1), text = (k === 0 ? "" : "= ") + parts.join(" = ");
      if (c.role === "given" && prev?.role === "given" && prev.line === line) prev.text += `, ${text}`;
      else lines.push({ line, text, role: c.role === "check" ? "step" : c.role });
    });
    if (c.role === "given") continue;
    const ref = c.role === "definition" ? 1 : 0;
    const lhs = show(e0);
    const free = new Set([...freeIndices(e0), ...freeIndices(c.steps[ref]!.expr)]);
    // The samples: the given values (one), or random values for symbols without one, for several sizes.
    const envs: { env: Env; idx: Map<string, number> }[] = [];
    const makeEnvs = (size: number, s: number, overrides?: Map<string, number>) => {
      const env = new Env(ctx, size, decimals(seed * 7919 + chainNo * 31 + s), overrides);
      const combos: Map<string, number>[] = [...free].slice(0, 2).reduce((acc, i) => acc.flatMap((m) => Array.from({ length: size }, (_, k) => new Map([...m, [i, k + 1]]))), [new Map()]);
      return combos.map((idx) => ({ env, idx }));
    };
    const truth = makeEnvs(3, 0);
    const evalAll = (sample: { env: Env; idx: Map<string, number> }) => c.steps.map((s) => {
      try { return { v: sample.env.value(s.expr, sample.idx).item(), err: null }; } catch (e) { if (e instanceof ReadError || e instanceof ValueError) return { v: NaN, err: e.message }; throw e; }
    });
    const results0 = truth.map(evalAll);
    const symbolic = truth[0]!.env.random.size > 0 || truth[0]!.env.usedSum;
    envs.push(...truth);
    const results = [...results0];
    if (symbolic) for (const [s, size] of SIZES.entries()) for (const sample of makeEnvs(size, s + 1)) { envs.push(sample); results.push(evalAll(sample)); }
    const refErr = results[0]![ref]!.err;
    if (refErr !== null) { unread.push({ line: c.steps[ref]!.line, text: c.steps[ref]!.source, reason: refErr }); continue; }

    const close = (a: number, b: number, step?: MathExpr, env?: Env, idx?: Map<string, number>): boolean => {
      if (Number.isNaN(a) && Number.isNaN(b)) return true;
      if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b; // ±∞ only equals itself; no tolerance scales with ∞
      const scale = Math.max(Math.abs(a), Math.abs(b));
      if (opts.tol !== undefined) return Math.abs(a - b) <= opts.tol * scale || Math.abs(a - b) <= 1e-12;
      let allowed = Math.max(1e-9 * scale, 1e-12);
      if (step && env && !symbolic) {
        const p = isLiteral(step) ? writtenPrecision(((step.kind === "neg" ? step.arg : step) as { text: string }).text) : null;
        if (p && p.digits >= 2) allowed += p.half;
        else if (!isLiteral(step)) for (const lit of literals(step)) {
          const w = writtenPrecision(lit.text);
          if (!w || w.digits < 3) continue;
          env.literal = new Map([[lit, lit.value + w.half]]);
          try { allowed += Math.abs(env.value(step, idx).item() - a); } finally { env.literal = undefined; }
        }
      }
      return Math.abs(a - b) <= allowed * (1 + 1e-9);
    };

    let firstWrong: StepCheck | null = null;
    let carriedOrigin: number | undefined;
    for (let k = ref + 1; k < c.steps.length; k++) {
      const s = c.steps[k]!;
      const claim = `${lhs} = ${show(s.expr)}`;
      const extra = [...freeIndices(s.expr)].filter((i) => !free.has(i));
      if (extra.length > 0) { unread.push({ line: s.line, text: s.source, reason: `the index ${extra.join(", ")} is free in ${show(s.expr)} but not in ${lhs}: ambiguous` }); continue; }
      const err = results[0]![k]!.err;
      if (err !== null) { unread.push({ line: s.line, text: s.source, reason: err }); continue; }
      const bad = results.findIndex((r, n) => !close(r[k]!.v, r[ref]!.v, s.expr, envs[n]!.env, envs[n]!.idx));
      const r0 = results[bad < 0 ? 0 : bad]!;
      const check: StepCheck = { line: s.line, claim, claimed: r0[k]!.v, correct: r0[ref]!.v, ok: bad < 0, firstWrongStep: null };
      checks.push(check);
      if (check.ok) continue;
      const prev = c.steps[k - 1]!;
      const sample = envs[bad]!;
      if (symbolic) check.at = sample.env.describe(sample.idx, fmt);
      if (firstWrong) {
        // After the first wrong step: carried when it keeps the value of the step before it.
        const same = results.every((r, n) => close(r[k]!.v, r[k - 1]!.v, s.expr, envs[n]!.env, envs[n]!.idx));
        if (same) {
          check.carriedFrom = firstWrong.carriedFrom ?? firstWrong.line;
          check.firstWrongStep = `carried from line ${firstWrong.line}`;
          continue;
        }
      }
      // Carried from an earlier line when it is what the left side gives with the person's own earlier values.
      if (!symbolic && claimed.size > 0) {
        const person = new Env(ctx, 3, decimals(1), new Map([...claimed].map(([n, v]) => [n, v.value])));
        const pv = person.value(c.steps[ref]!.expr).item();
        if (close(check.claimed!, pv, s.expr, person) && !close(pv, check.correct!)) {
          const from = [...claimed.values()].filter((o) => !close(new Env(ctx, 3, decimals(1), new Map([[o.key, o.value]])).value(c.steps[ref]!.expr).item(), check.correct!));
          const o = from[0] ?? [...claimed.values()][0]!;
          check.carriedFrom = o.line;
          check.firstWrongStep = `carried from line ${o.line}: follows from ${from.map((x) => `${x.name} = ${fmt(x.value)}`).join(", ")} above; with ${from.map((x) => `${x.name} = ${fmt(x.correct)}`).join(", ")}, ${show(c.steps[ref]!.expr)} = ${fmt(check.correct!)}`;
          firstWrong ??= check;
          continue;
        }
      }
      const d = symbolic
        ? diagnoseSymbolic(results.map((r) => [r[k]!.v, r[ref]!.v]), k - 1 === ref && ref === 0 ? lhs : `line ${prev.line}`, s.line, ctx, e0, prev.expr)
        : diagnose(prev.expr, s.expr, e0, truth[0]!.env, ctx, (a, b) => close(a, b));
      check.firstWrongStep = symbolic ? `line ${s.line} ≠ ${k - 1 === ref && ref === 0 ? lhs : `line ${prev.line}`} at ${check.at}: ${fmt(check.claimed!)} vs ${fmt(check.correct!)}${d.why ? `: ${d.why}` : ""}` : d.why;
      check.slip = d.slip;
      if (firstWrong && !firstWrong.ok) check.firstWrongStep = `another slip after line ${firstWrong.line}: ${check.firstWrongStep}`;
      firstWrong ??= check;
      carriedOrigin ??= s.line;
    }
    // The person's value of the left side, where their chain ends wrong, for what follows.
    const last = checks.at(-1);
    if (!symbolic && last && last.claim.startsWith(`${lhs} = `) && !last.ok && (e0.kind === "sym" || e0.kind === "deriv") && isLiteral(c.steps.at(-1)!.expr)) {
      const key = e0.kind === "sym" ? e0.name : lhs;
      claimed.set(key, { key, value: last.claimed!, line: last.carriedFrom ?? last.line, name: lhs, correct: last.correct! });
    }
  }
  const wrong = checks.filter((c) => !c.ok);
  return { checks, unread: unread.sort((a, b) => a.line - b.line), lines, right: checks.length - wrong.length, wrong: wrong.length, carried: wrong.filter((c) => c.carriedFrom !== undefined).length, ok: wrong.length === 0 };
}

/** Whether the left side's definitions square something (so that a factor 2 can be lost). */
function squares(e: MathExpr, ctx: Context, depth = 0): boolean {
  let found = false;
  walk(e, (x) => {
    if (x.kind === "bin" && x.op === "^" && x.right.kind === "num" && x.right.value === 2) found = true;
    if (x.kind === "sym" && depth < 8 && ctx.defs.has(x.name) && squares(ctx.defs.get(x.name)!.expr, ctx, depth + 1)) found = true;
  });
  return found;
}

function diagnoseSymbolic(pairs: [number, number][], prevName: string, line: number, ctx: Context, e0: MathExpr, prev: MathExpr): { why: string; slip: string } {
  const all = (f: (a: number, b: number) => boolean) => pairs.every(([a, b]) => (Number.isNaN(a) && Number.isNaN(b)) || f(a, b));
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  if (all((a, b) => near(2 * a, b)) && squares(e0, ctx) || all((a, b) => near(2 * a, b)) && squares(prev, ctx)) return { why: "a factor 2 was lost (the derivative of u² is 2u·u′)", slip: "factor-2" };
  if (all((a, b) => near(a, -b))) return { why: "the sign is flipped", slip: "sign" };
  return { why: "", slip: "differs" };
}

type Close = (a: number, b: number) => boolean;
interface Mismatch { p: MathExpr; c: MathExpr | null }
const terms = (e: MathExpr): MathExpr[] => (e.kind === "bin" && (e.op === "+" || e.op === "-") ? [...terms(e.left), e.op === "-" ? { kind: "neg", arg: e.right } : e.right] : [e]);
const factors = (e: MathExpr): MathExpr[] => (e.kind === "bin" && e.op === "*" ? [...factors(e.left), ...factors(e.right)] : [e]);

/** Lines `c` up with `p` (the step before it, which is right): the sub-expressions whose numbers differ, or a term or factor left out. */
function align(p: MathExpr, c: MathExpr, val: (e: MathExpr) => number, close: Close, out: Mismatch[]): boolean {
  if (isLiteral(c)) {
    if (!close(val(c), val(p))) out.push({ p, c });
    return true;
  }
  for (const split of [terms, factors]) {
    const [ps, cs] = [split(p), split(c)];
    if (ps.length === 1 && cs.length === 1) continue;
    if (ps.length === cs.length) return ps.every((x, k) => align(x, cs[k]!, val, close, out));
    if (ps.length === cs.length + 1) {
      for (let j = 0; j < ps.length; j++) {
        const rest = ps.filter((_, k) => k !== j), trial: Mismatch[] = [];
        if (rest.every((x, k) => align(x, cs[k]!, val, close, trial)) && trial.length === 0) { out.push({ p: ps[j]!, c: null }); return true; }
      }
    }
    return false;
  }
  if (p.kind === "neg" && c.kind === "neg") return align(p.arg, c.arg, val, close, out);
  if (p.kind === "call" && c.kind === "call" && p.fn === c.fn) return align(p.arg, c.arg, val, close, out);
  if (p.kind === "bin" && c.kind === "bin" && p.op === c.op) return align(p.left, c.left, val, close, out) && align(p.right, c.right, val, close, out);
  if (!close(val(c), val(p))) out.push({ p, c });
  return show(p) === show(c) || !hasSymbols(c);
}

/** The slips of explain --check that reproduce `claimed` for the left side `e0` (a variable or a gradient of the solution's program). */
function explainSlips(e0: MathExpr, claimed: number, ctx: Context, numeric?: MathExpr): string[] {
  const defs: string[] = [];
  const inputs: Record<string, number> = {};
  const seen = new Set<string>();
  const add = (e: MathExpr): boolean => {
    let ok = true;
    walk(e, (x) => {
      if (x.kind !== "sym" || seen.has(x.name)) return;
      seen.add(x.name);
      const def = ctx.defs.get(x.name);
      if (def && def.params.length === 0 && add(def.expr)) { const t = toProgram(def.expr); if (t === null) ok = false; else defs.push(`${x.name} = ${t}`); }
      else if (ctx.givens.has(x.name)) inputs[x.name] = ctx.givens.get(x.name)!;
      else ok = false;
    });
    return ok;
  };
  let claim: string;
  if (numeric) { const t = toProgram(numeric); if (t === null) return []; defs.push(`t = ${t}`); claim = `t=${claimed}`; }
  else if (e0.kind === "sym" && e0.idx.length === 0 && add(e0)) claim = `${e0.name}=${claimed}`;
  else if (e0.kind === "deriv" && e0.of.kind === "sym" && e0.wrt.kind === "sym" && add(e0.of) && seen.has((e0.wrt as { name: string }).name)) claim = `d${e0.of.name}/d${(e0.wrt as { name: string }).name}=${claimed}`;
  else return [];
  try {
    const d = explainProgram(defs.join("\n"), inputs, { check: claim, tol: 1e-6 });
    return (d.checks?.[0]?.slips ?? []).map((s) => richToText(s).replace(/\s*\([^()]*(?:\([^()]*\)[^()]*)*\)$/, "").replace(/([+−-]) −(\d[\d.]*)/g, "$1 (−$2)"));
  } catch {
    return [];
  }
}

/** Why the numeric step `c` is wrong when the step `p` before it is right. */
function diagnose(p: MathExpr, c: MathExpr, e0: MathExpr, env: Env, ctx: Context, close: Close): { why: string; slip: string } {
  const val = (e: MathExpr) => env.value(e).item();
  const [vp, vc] = [val(p), val(c)];
  const so = `so ${show(e0)} = ${fmt(vp)}`;
  if (close(2 * vc, vp) && (squares(e0, ctx) || squares(p, ctx))) return { why: `${show(c)} = ${fmt(vc)}, half of ${fmt(vp)}: a factor 2 was lost (the derivative of u² is 2u·u′); ${so}`, slip: "factor-2" };
  if (isLiteral(c) && !hasSymbols(p)) {
    const slips = explainSlips(e0, vc, ctx, p);
    return { why: `${show(p)} = ${fmt(vp)}, not ${fmt(vc)}: ${slips.length ? slips.join("; or ") : "an arithmetic slip"}`, slip: slips.length ? "dropped-term" : "arithmetic" };
  }
  const named = [...ctx.givens.keys(), ...[...ctx.defs].filter(([, d]) => d.params.length === 0).map(([n]) => n)];
  const reason = ({ p: a, c: b }: Mismatch) => {
    if (b === null) return { why: `the term ${show(a)} = ${fmt(val(a))} was left out`, slip: "dropped-term" };
    const [va, vb] = [val(a), val(b)];
    if (a.kind === "call" && a.fn.endsWith("'")) return { why: `${show(a)} = ${fmt(va)} here (${show(a.arg)} = ${fmt(val(a.arg))}), not ${fmt(vb)}`, slip: "activation" };
    if (va !== 0 && close(vb, -va)) return { why: `the sign of ${show(a)} = ${fmt(va)} was dropped`, slip: "sign" };
    const others = named.filter((n) => n !== (a.kind === "sym" ? a.name : "") && close(val({ kind: "sym", name: n, idx: [] }), vb));
    if (others.length > 0 && !isLiteral(a)) return { why: `${fmt(vb)} is ${others.map((n) => `${show({ kind: "sym", name: n, idx: [] })}'s`).join(" or ")} value; ${show(a)} = ${fmt(va)}`, slip: "wrong-variable" };
    return { why: `${show(a)} = ${fmt(va)}, not ${fmt(vb)}`, slip: "value" };
  };
  const out: Mismatch[] = [];
  if (isLiteral(c) ? p.kind === "sym" || p.kind === "call" : align(p, c, val, close, out) && out.length > 0) {
    const reasons = (out.length ? out : [{ p, c }]).map(reason);
    if (out.length || reasons[0]!.slip !== "value") return { why: `${show(c)}: ${reasons.map((r) => r.why).join("; ")}; ${so}`, slip: reasons[0]!.slip };
  }
  const slips = explainSlips(e0, vc, ctx);
  if (slips.length) return { why: `${show(c)} = ${fmt(vc)}, not ${fmt(vp)}: ${slips.join("; or ")}`, slip: /left out|dropped/.test(slips[0]!) ? "dropped-term" : /sign/.test(slips[0]!) ? "sign" : /in place of|replaced/.test(slips[0]!) ? "wrong-variable" : "explain" };
  const w = isLiteral(c) ? writtenPrecision(show(c).replace("−", "-")) : null;
  const rounded = w && w.digits >= 2 ? ` (${(Math.round(vp / (2 * w.half)) * 2 * w.half).toFixed(Math.round(-Math.log10(2 * w.half)))} to the digits written)` : "";
  return { why: `${show(p)} = ${fmt(vp)}${rounded}, not ${fmt(vc)}`, slip: "value" };
}
