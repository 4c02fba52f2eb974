import type { AdjointStep, Check, Factor, ForwardStep, Gradient, Path } from "./derivation.js";
import { countText, factorText, formatFactor, formatNumber, formatShape, formatValue, type Value } from "./numbers.js";

/**
 * The Unicode lines that every text-like format lays out: an equation is a left side and a chain of
 * right sides, each equal to the next (`x1`, [`ReLU(x0·w0 + b0)`, `ReLU(1·0.3 + 0.1)`, `ReLU(0.4)`, `0.4`]).
 */
export interface Chain {
  lhs: string;
  /** Sum terms of the first right side, one per line, each with its label (several paths). */
  terms?: { text: string; label: string }[];
  rhs: string[];
  /** Set when the value is a tensor: its shape and its value, shown on their own. */
  shape?: string;
  value?: string;
  /** The tensor's value itself, for formats that lay out matrices. */
  raw?: Value;
  /** A remark on the whole equation. */
  label?: string;
}

/**
 * A path's factors as shown: the structural 1s left out, except a last one when fewer than two factors
 * would remain (the skip connection's `ReLU'(y1 + x0) · 1`: the sum passes the gradient on unchanged).
 */
export function shownFactors(p: Path): Factor[] {
  const kept = p.factors.filter((f) => !f.unit);
  const last = p.factors[p.factors.length - 1];
  return kept.length < 2 && last?.unit ? [...kept, last] : kept;
}

/** `ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · x0`. */
export function pathSymbolic(p: Path): string {
  const fs = shownFactors(p);
  return fs.length === 0 ? "1" : fs.map((f) => factorText(f.text)).join(" · ");
}

/** `(1)(−0.2)(1)(1)`: each factor in parentheses; a lone factor as a plain number. */
export function pathNumbers(p: Path, precision: number): string {
  const fs = shownFactors(p);
  if (fs.length === 0) return "1";
  if (fs.length === 1) return formatNumber(fs[0]!.value, precision);
  return fs.map((f) => `(${formatNumber(f.value, precision)})`).join("");
}

/** `a + b + (−c)`: a sum of numbers, negative terms after the first in parentheses. */
export function sumText(values: readonly number[], precision: number): string {
  return values.map((v, i) => (i === 0 ? formatNumber(v, precision) : formatFactor(v, precision))).join(" + ");
}

const dedupe = (parts: string[]) => parts.filter((s, i) => s !== parts[i - 1]);
/** The chain of a tensor: its shape and value on their own. */
const tensorChain = (lhs: string, rhs: string[], shape: number[], value: Value, precision: number): Chain =>
  ({ lhs, rhs, shape: formatShape(shape), value: formatValue(value, precision), raw: value });

/** `x1 = ReLU(x0·w0 + b0) = ReLU(1·0.3 + 0.1) = ReLU(0.4) = 0.4`, or a tensor's equation with its value. */
export function forwardChain(f: ForwardStep, precision: number): Chain {
  if (f.shape.length > 0) return tensorChain(f.name, [f.expression], f.shape, f.value, precision);
  return { lhs: f.name, rhs: [f.expression, ...f.stages] };
}

/** A gradient as a sum over its paths: symbolic, then with numbers, then the result. */
export function gradientChain(g: Gradient, precision: number): Chain {
  const total = formatValue(g.value, precision);
  if (g.shape.length > 0) return tensorChain(g.symbol, [], g.shape, g.value, precision);
  if (g.paths === null) return { lhs: g.symbol, rhs: [total], label: g.pathsOmitted ?? "" };
  if (g.paths.length === 0) return { lhs: g.symbol, rhs: ["0"], label: `${g.of} does not depend on ${g.wrt}` };
  const terms = g.paths.map((p) => ({ text: pathSymbolic(p), label: g.paths!.length > 1 ? p.label : "" }));
  if (g.totalPaths !== undefined) {
    const all = BigInt(g.totalPaths);
    const more = `${countText(all - BigInt(g.paths.length))} more; ${countText(all)} paths in all, the shortest shown: the backward pass sums them`;
    return { lhs: g.symbol, terms: [...terms, { text: "…", label: more }], rhs: [total] };
  }
  const numbers = g.paths.map((p, i) => (i > 0 ? factorText(pathNumbers(p, precision)) : pathNumbers(p, precision))).join(" + ");
  const sums = g.paths.length > 1 ? [sumText(g.paths.map((p) => p.value), precision)] : [];
  return { lhs: g.symbol, terms, rhs: dedupe([numbers, ...sums, total]) };
}

/** One step of reverse mode: `∂z/∂x1 = ∂z/∂y1 · w1 = 1 · (−0.2) = −0.2`. */
export function adjointChain(s: AdjointStep, precision: number): Chain {
  const value = formatValue(s.value, precision);
  // NOTE: in a program with tensors a term's `local` is the whole vector-Jacobian product, upstream included.
  const vjps = s.terms.map((t) => t.local).join(" + ");
  if (s.shape.length > 0) return tensorChain(s.symbol, s.terms.length > 0 ? [vjps] : [], s.shape, s.value, precision);
  if (s.terms.length === 0) return { lhs: s.symbol, rhs: [value] };
  const sums = s.terms.length > 1 ? [sumText(s.terms.map((t) => t.value as number), precision)] : [];
  if (s.terms.some((t) => t.localValues === undefined)) return { lhs: s.symbol, rhs: dedupe([vjps, ...sums, value]) };
  const symbolic = s.terms.map((t) => `${t.upstream} · ${t.local}`).join(" + ");
  const up = (t: (typeof s.terms)[number]) => formatFactor(t.upstreamValue as number, precision);
  const atValues = s.terms.map((t) => `${up(t)} · ${t.localAtValues ?? t.local}`).join(" + ");
  const numbers = s.terms.map((t) => `${up(t)} · ${(t.localValues ?? [1]).map((v) => formatFactor(v, precision)).join(" · ")}`).join(" + ");
  return { lhs: s.symbol, rhs: dedupe([symbolic, atValues, numbers, ...sums, value]) };
}

/** A check as one line of text with `$…$` math (`✓ $z = 0.62$`, `✗ $y1 = −0.08$; correct: $−0.38$`) and the explanation of a wrong one. */
export function checkLines(c: Check, precision: number): { head: string; detail: string[] } {
  const shown = `$${c.target} = ${formatNumber(c.claimed, precision)}$`;
  if (c.ok) return { head: `✓ ${shown}`, detail: [] };
  const correct = c.correct === null ? "" : `; correct: $${formatNumber(c.correct, precision)}$`;
  return { head: `✗ ${shown}${correct}`, detail: c.firstWrongStep ? [`first wrong step: ${c.firstWrongStep}`] : [] };
}
