import { ValueError } from "../errors.js";
import { vocabOf } from "../ops/vocab.js";
import { scalar } from "../tensor/create.js";
import { callName, exprToText, type Expr } from "./ast.js";
import type { Check, Path, ProgramDerivation } from "./derivation.js";
import type { ProgramExplainer } from "./explain-program.js";
import { gradSymbol } from "./formulas.js";
import { pathNumbers, pathSymbolic } from "./lines.js";
import { close } from "./numbers.js";
import { buildTree, dependencies, evaluate, evaluateProgram, totalGradients } from "./program.js";
import type { Claim } from "./values.js";

/** How many of the steps before a claimed one are searched for a slip carried on to it. */
const MAX_UPSTREAM_STEPS = 8;
/** How many slips are tried on one step (the sub-expressions nearest its root first), so that a check stays quick. */
const MAX_CANDIDATES = 1000;

/** Every sub-expression of `e`, parents first. */
function subExprs(e: Expr): Expr[] {
  const kids = e.kind === "unary" ? [e.arg] : e.kind === "binary" ? [e.left, e.right] : e.kind === "call" ? e.args : [];
  return [e, ...kids.flatMap(subExprs)];
}

/** `root` with `target` (by identity) replaced by `by`. */
function replace(root: Expr, target: Expr, by: Expr): Expr {
  if (root === target) return by;
  switch (root.kind) {
    case "unary": return { ...root, arg: replace(root.arg, target, by) };
    case "binary": return { ...root, left: replace(root.left, target, by), right: replace(root.right, target, by) };
    case "call": return { ...root, args: root.args.map((a) => replace(a, target, by)) };
    default: return root;
  }
}

const neg = (e: Expr): Expr => (e.kind === "unary" && e.op === "-" ? e.arg : { kind: "unary", op: "-", arg: e, pos: e.pos });
const varExpr = (name: string, at: Expr): Expr => ({ kind: "var", name, pos: at.pos });
const numExpr = (value: number, at: Expr): Expr => ({ kind: "num", value, text: String(value), pos: at.pos });

/**
 * Checks claimed values against the program's: forward values by name, gradients `dz/dname`. A wrong
 * claim gets the correct derivation and its first wrong step: an upstream claim it follows from, or a
 * common slip on its own step that reproduces the claimed number (never a guess beyond that).
 */
export function checkClaims(x: ProgramExplainer, d: ProgramDerivation, claims: readonly Claim[], tol: number): Check[] {
  const { ev, fmt } = x;
  const order = [...ev.vars.keys()];
  const index = new Map(order.map((v, i) => [v, i]));
  const scalarOf = (name: string, what: string) => {
    const t = ev.vars.get(name);
    if (!t) throw new ValueError(`--check: ${what} names ${name}, which is not a variable of the program (${order.join(", ")})`);
    if (t.size !== 1) throw new ValueError(`--check: ${name} has shape ${t.shape.join("×")}; a claim is one number`);
    return t.item();
  };
  /** Each claim checked; its target names the claim's quantity: `y1` or `∂z/∂w1`. */
  const checks: Check[] = claims.map((c) => {
    const what = `the claim "${c.text}"`;
    const target = c.kind === "value" ? c.name : gradSymbol(c.of, c.wrt);
    if (c.kind === "grad") [c.of, c.wrt].forEach((n) => scalarOf(n, what));
    const correct = c.kind === "value" ? scalarOf(c.name, what) : totalGradients(ev, c.of, [c.wrt]).get(c.wrt)!.item();
    return { claim: c.text, target, claimed: c.value, correct, ok: close(c.value, correct, tol), firstWrongStep: null };
  });
  const wrong = new Map(checks.filter((c) => !c.ok).map((c) => [c.target, c]));
  const wrongValues = new Map([...wrong].filter(([k]) => !k.startsWith("∂")).map(([k, c]) => [k, c.claimed]));
  const rootOf = (key: string): string => {
    const seen = new Set<string>();
    for (let c = wrong.get(key); c?.upstream !== undefined && !seen.has(c.upstream); c = wrong.get(key)) {
      seen.add(key);
      key = c.upstream;
    }
    return key;
  };
  const claimText = (key: string) => `$${key} = ${fmt(wrong.get(key)!.claimed)}$ (correct: $${fmt(wrong.get(key)!.correct!)}$)`;
  /** The earliest of some variables in program order. */
  const earliest = (names: Iterable<string>) => [...names].sort((a, b) => index.get(a)! - index.get(b)!)[0]!;
  /** Lays the first wrong step of `c` upstream, at the wrong claim `first` follows from. */
  const blame = (c: Check, first: string, why: string) => {
    c.upstream = first;
    c.firstWrongStep = `upstream, at ${claimText(rootOf(first))}; ${why}`;
  };

  const evalExpr = (e: Expr, env: (name: string) => number | undefined = () => undefined, withText = true): { value: number; text: string } | null => {
    try {
      const root = buildTree(e);
      const t = evaluate(root, (n) => {
        const o = env(n.name!);
        return o === undefined ? ev.vars.get(n.name!)!.detach() : scalar(o, { dtype: "float64" });
      }, true);
      if (t.size !== 1) return null;
      return { value: t.item(), text: withText ? `${exprToText(e)} = ${x.stages(root).join(" = ")}` : "" };
    } catch {
      return null;
    }
  };
  /** The value of `target` when the step `from` gives `value` instead, every step between re-evaluated. */
  const carried = (from: string, value: number, target: string): number | null => {
    const changed = new Map([[from, value]]);
    for (const name of order.slice(index.get(from)! + 1, index.get(target)! + 1)) {
      const step = ev.steps.get(name)!;
      if (!step.occurrences.some((o) => changed.has(o.name))) continue;
      const r = evalExpr(step.assignment.expr, (n) => changed.get(n), false);
      if (r === null) return null;
      changed.set(name, r.value);
    }
    return changed.get(target) ?? null;
  };
  /** `: the slip`, or `: one of: a; or b` when several slips give the same number (never one of them as fact). */
  const slipText = (slips: readonly string[]) => (slips.length === 0 ? "" : slips.length === 1 ? `: ${slips[0]}` : `: one of: ${slips.join("; or ")}`);

  const literals = [...new Set(ev.program.assignments.flatMap((a) => subExprs(a.expr)).filter((e) => e.kind === "num").map((e) => (e as { value: number }).value))];
  const inputValues = [...ev.inputs].filter(([, t]) => t.size === 1).map(([n, t]) => [n, t.item()] as const);

  /** Common slips on one assignment that reproduce `claimed`, there or, carried on, in the steps before it that no claim fixes. */
  function forwardSlips(name: string, claimed: number): string[] {
    const found = ownSlips(name, (v) => close(v, claimed, tol));
    const claimedNames = new Set(claims.map((c) => (c.kind === "value" ? c.name : "")));
    const upstream = [...dependencies(ev, name)].filter((u) => u !== name && ev.steps.has(u) && !claimedNames.has(u) && ev.vars.get(u)!.size === 1);
    // NOTE: the nearest steps only, so that a long program's check stays quick.
    for (const u of upstream.slice(-MAX_UPSTREAM_STEPS)) {
      const correct = ev.vars.get(u)!.item();
      const slips = ownSlips(u, (v) => !close(v, correct, tol) && close(carried(u, v, name) ?? NaN, claimed, tol));
      found.push(...slips.map((slip) => `in the step of $${u}$, ${slip}, which carries on to $${name} = ${fmt(claimed)}$`));
    }
    return [...new Set(found)];
  }

  /** Common slips on the assignment of `name` whose value passes `accept`. */
  function ownSlips(name: string, accept: (v: number) => boolean): string[] {
    const step = ev.steps.get(name)!;
    const e = step.assignment.expr;
    const before = order.slice(0, index.get(name)).filter((v) => ev.vars.get(v)!.size === 1);
    const candidates: { expr: Expr; slip: string }[] = [];
    for (const s of subExprs(e)) {
      /** The assignment with `s` replaced by `by`, and the slip that replacement is. */
      const slip = (by: Expr, text: string) => candidates.length < MAX_CANDIDATES && candidates.push({ expr: replace(e, s, by), slip: text });
      if (s.kind === "binary" && (s.op === "+" || s.op === "-")) {
        slip(s.left, `the term $${s.op === "+" ? "+" : "−"} ${exprToText(s.right)}$ was dropped`);
        slip(s.op === "+" ? s.right : neg(s.right), `the term $${exprToText(s.left)}$ was dropped`);
      }
      if (!(s.kind === "num" && s.value === 0)) {
        slip(neg(s), s === e ? "the sign of the result was flipped" : `the sign of $${exprToText(s)}$ was flipped`);
      }
      if (s.kind === "var") {
        for (const u of before.filter((u) => u !== s.name).slice(0, MAX_CANDIDATES)) {
          slip(varExpr(u, s), `$${s.name}$ was replaced by $${u} = ${fmt(ev.vars.get(u)!.item())}$`);
        }
        if (ev.inputs.has(s.name)) for (const l of literals) slip(numExpr(l, s), `$${s.name}$ was replaced by the constant $${fmt(l)}$`);
      }
      if (s.kind === "num") {
        const others = [...literals, ...inputValues.map(([, v]) => v)].filter((v) => v !== s.value);
        for (const v of new Set(others)) slip(numExpr(v, s), `the constant $${s.text}$ was copied as $${fmt(v)}$`);
      }
      if (s.kind === "call" && vocabOf(s.fn).shape === "same") {
        slip(s.args[0]!, `$${callName(s.fn)}$ was skipped`);
        slip({ ...s, args: [s, ...s.args.slice(1)] }, `$${callName(s.fn)}$ was applied twice`);
      }
    }
    const found: string[] = [];
    for (const c of candidates.slice(0, MAX_CANDIDATES)) {
      const r = evalExpr(c.expr, undefined, false);
      if (r && accept(r.value)) found.push(`${c.slip} ($${evalExpr(c.expr)!.text}$)`);
    }
    return [...new Set(found)];
  }

  function diagnoseValue(c: Check): void {
    const step = ev.steps.get(c.target);
    const fs = step && d.forward.find((f) => f.name === c.target);
    if (!step || !fs) {
      c.firstWrongStep = `$${c.target}$ is an input, given as $${fmt(c.correct!)}$`;
      return;
    }
    c.derivation = [`${c.target} = ${fs.expression}`, ...fs.stages].join(" = ");
    const deps = [...new Set(step.occurrences.map((o) => o.name))].filter((v) => wrongValues.has(v));
    if (deps.length > 0) {
      const r = evalExpr(step.assignment.expr, (n) => wrongValues.get(n));
      return blame(c, earliest(deps), r && close(r.value, c.claimed, tol)
        ? `$${c.target} = ${fmt(c.claimed)}$ follows from it ($${r.text}$)`
        : `$${c.target}$ is also not what $${fs.expression}$ gives with it`);
    }
    c.slips = forwardSlips(c.target, c.claimed);
    c.firstWrongStep = `$${c.derivation}$, not $${fmt(c.claimed)}$${slipText(c.slips)}`;
  }

  function pathSlips(paths: Path[], correct: number, claimed: number): string[] {
    const found: string[] = [];
    const hit = (v: number) => close(v, claimed, tol);
    const name = (p: Path) => (p.label.startsWith("through") ? `the path ${p.label}` : `the ${p.label}`);
    const where = (p: Path) => (paths.length > 1 ? ` in ${name(p)}` : "");
    paths.forEach((p) => {
      const rest = correct - p.value;
      if (paths.length > 1 && hit(rest)) found.push(`${name(p)} ($${pathSymbolic(p)} = ${fmt(p.value)}$) was left out`);
      if (p.value !== 0 && hit(rest - p.value)) {
        const negatives = p.factors.filter((f) => f.value < 0);
        found.push(negatives.length === 1
          ? `the sign of $${negatives[0]!.text} = ${fmt(negatives[0]!.value)}$ was dropped${where(p)}`
          : `the sign of the product${where(p)} is flipped: one factor's sign is wrong`);
      }
      p.factors.forEach((f, fi) => {
        if (f.unit) return;
        const others = p.factors.reduce((a, g, k) => (k === fi ? a : a * g.value), 1);
        const alts: { value: number; slip: string }[] = [{ value: 1, slip: `the factor $${f.text} = ${fmt(f.value)}$ was left out` }];
        if (f.role === "activation" && f.text.startsWith("ReLU'")) {
          alts.push({ value: f.value === 1 ? 0 : 1, slip: `$${f.text}$ was taken as ${f.value === 1 ? "$0$ instead of $1$" : "$1$ instead of $0$"}` });
        } else if (f.role === "activation") {
          const own = x.nodeOf(f)?.value.item();
          if (own !== undefined) alts.push({ value: own, slip: `$${f.text}$ was taken as $${f.of} = ${fmt(own)}$ itself` });
        }
        if (f.role === "operand") {
          const step = ev.steps.get(f.step)!;
          const names = [...new Set(step.occurrences.map((o) => o.name))].filter((n) => n !== f.text && ev.vars.get(n)!.size === 1);
          for (const n of names) alts.push({ value: ev.vars.get(n)!.item(), slip: `$${n} = ${fmt(ev.vars.get(n)!.item())}$ was used in place of $${f.text} = ${fmt(f.value)}$ (the derivative of $${f.of}$ by $${f.by}$ is $${f.text}$)` });
        }
        for (const a of alts) if (a.value !== f.value && hit(rest + others * a.value)) found.push(a.slip + where(p));
      });
    });
    return [...new Set(found)];
  }

  function diagnoseGradient(c: Check, claim: Extract<Claim, { kind: "grad" }>): void {
    const listed = x.scalar ? x.paths(claim.of, claim.wrt) : null;
    const paths = listed?.paths ?? null;
    const complete = paths !== null && BigInt(paths.length) === listed!.total;
    c.derivation = paths && complete && paths.length > 0
      ? `${c.target} = ${paths.map(pathSymbolic).join(" + ")} = ${paths.map((p) => pathNumbers(p, x.precision)).join(" + ")} = ${fmt(c.correct!)}`
      : `${c.target} = ${fmt(c.correct!)}`;
    if (wrongValues.size > 0) {
      const ev2 = evaluateProgram(ev.program, Object.fromEntries(ev.inputs), wrongValues);
      const g = totalGradients(ev2, claim.of, [claim.wrt]).get(claim.wrt)!.item();
      const why = `$${c.target} = ${fmt(c.claimed)}$ follows from the wrong forward value`;
      if (close(g, c.claimed, tol)) return blame(c, earliest(wrongValues.keys()), why);
    }
    if (x.scalar) {
      const step = x.backward(claim.of).find((s) => s.name === claim.wrt);
      const parents = (step?.terms ?? []).filter((t) => wrong.has(gradSymbol(claim.of, t.from)));
      if (step && parents.length > 0) {
        const sum = step.terms.reduce((acc, t) => {
          const up = wrong.get(gradSymbol(claim.of, t.from))?.claimed ?? (t.upstreamValue as number);
          return acc + up * (t.localValues ?? []).reduce((p, v) => p * v, 1);
        }, 0);
        const why = `$${c.target} = ${fmt(c.claimed)}$ follows from it`;
        if (close(sum, c.claimed, tol)) return blame(c, gradSymbol(claim.of, parents[0]!.from), why);
      }
    }
    c.slips = paths ? pathSlips(paths, c.correct!, c.claimed) : [];
    c.firstWrongStep = `$${c.derivation}$, not $${fmt(c.claimed)}$${slipText(c.slips)}`;
  }

  // Forward values in program order, then gradients from the last variable back.
  const rank = (c: Claim) => (c.kind === "value" ? index.get(c.name)! : 2 * order.length - index.get(c.wrt)!);
  for (const i of claims.map((_, k) => k).sort((a, b) => rank(claims[a]!) - rank(claims[b]!))) {
    const claim = claims[i]!;
    if (checks[i]!.ok) continue;
    if (claim.kind === "value") diagnoseValue(checks[i]!);
    else diagnoseGradient(checks[i]!, claim);
  }
  return checks;
}
