import { ValueError } from "../errors.js";
import { type ModelDerivation, type Value, formatNumber } from "../explain/index.js";
import type { Summary } from "../train/summary.js";

/** One checked claim about a tensor, a shape or a count. */
export interface ClaimCheck {
  claim: string;
  ok: boolean;
  /** The correct value as text. */
  correct: string;
  firstWrongStep: string | null;
  /** For a tensor: the entries that differ, by index. */
  wrongEntries?: { index: number[]; claimed: number; correct: number }[];
}

/** Splits `a=[[1, 2], [3]], b=4` into name and value text at top-level `,` or `;`. */
function entries(text: string, where: string): [string, string][] {
  const out: [string, string][] = [];
  let depth = 0, start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    if (i === text.length || (depth === 0 && (c === "," || c === ";" || c === "\n"))) {
      const part = text.slice(start, i).trim();
      start = i + 1;
      if (part === "") continue;
      const eq = part.indexOf("=");
      if (eq <= 0) throw new ValueError(`${where}: expected name=value, found "${part}"`);
      out.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    }
  }
  return out;
}

const shapeOf = (v: Value): number[] => (Array.isArray(v) ? [v.length, ...(v.length ? shapeOf(v[0]!) : [])] : []);
const flat = (v: Value): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

/**
 * Checks claimed gradients of a network (`dW2=[[0.1, -0.2], …]`, or an object of arrays) against the
 * matrix derivation of `explain --model` with numbers (`values` with X): the shape first, then every
 * entry, naming the ones that differ. Names: `dW2`, `dL/dW2`, `∂L/∂W2` (any equation of the backward pass).
 */
export function checkTensorClaims(d: ModelDerivation, claims: string | Readonly<Record<string, Value>>, tol = 5e-4): ClaimCheck[] {
  if (d === null || typeof d !== "object" || d.kind !== "model") throw new ValueError("checkTensorClaims: expected the derivation of explainModelSpec or explainModule");
  const list: [string, Value][] = typeof claims === "string"
    ? entries(claims, "checkTensorClaims").map(([k, v]) => { try { return [k, JSON.parse(v) as Value]; } catch { throw new ValueError(`checkTensorClaims: ${k}: "${v}" is not a number or nested arrays`); } })
    : claims !== null && typeof claims === "object" ? Object.entries(claims) : (() => { throw new ValueError("checkTensorClaims: claims must be text such as dW2=[[0.1, -0.2]] or an object of arrays"); })();
  return list.map(([name, claimed]) => {
    const target = name.replace(/^(?:∂L\/∂|dL\/d|d)/, "");
    const eq = d.backward.find((e) => e.lhs === `∂L/∂${target}`) ?? d.forward.find((e) => e.lhs === target);
    if (!eq) throw new ValueError(`checkTensorClaims: ${name} names no equation; there are ${d.backward.map((e) => e.lhs).join(", ")}`);
    if (eq.value === undefined) throw new ValueError(`checkTensorClaims: the derivation has no numbers; give the values (X, and the weights) so that ${eq.lhs} has entries`);
    const [cs, ts] = [shapeOf(claimed), shapeOf(eq.value)];
    const claim = `${name} = ${JSON.stringify(claimed)}`;
    const round = (v: Value): Value => (Array.isArray(v) ? v.map(round) : Number(v.toPrecision(6)));
    const correct = JSON.stringify(round(eq.value));
    if (cs.join() !== ts.join()) return { claim, ok: false, correct, firstWrongStep: `${eq.lhs} = ${eq.rhs} has shape [${ts.join(", ")}] (${eq.shape.join("×")}), not [${cs.join(", ")}]` };
    const [a, b] = [flat(claimed), flat(eq.value)];
    const wrongEntries = a.flatMap((v, k) => {
      if (typeof v !== "number" || Math.abs(v - b[k]!) <= tol * Math.max(1, Math.abs(b[k]!))) return typeof v === "number" ? [] : [{ index: [k], claimed: NaN, correct: b[k]! }];
      const index = ts.map((_, i) => Math.floor(k / ts.slice(i + 1).reduce((p, q) => p * q, 1)) % ts[i]!);
      return [{ index, claimed: v, correct: b[k]! }];
    });
    const at = (w: { index: number[] }) => `[${w.index.join(", ")}]`;
    return {
      claim, ok: wrongEntries.length === 0, correct, wrongEntries,
      firstWrongStep: wrongEntries.length === 0 ? null : `${wrongEntries.length} of ${a.length} entries differ from ${eq.lhs} = ${eq.rhs}: ${wrongEntries.slice(0, 8).map((w) => `${at(w)} is ${formatNumber(w.correct, 6)}, not ${formatNumber(w.claimed, 6)}`).join("; ")}`,
    };
  });
}

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * Checks claims about a `summary` (P2, P3): `total=608257` (or `params`), a layer's count
 * (`0=82944`, `A.params=82944`: A, B, C are the Linear layers in order), an output shape
 * (`A=[1024,32]`, `2=[512,32]`) or a weight's shape as PyTorch stores it (`0.weight=[1024,80]`).
 * A wrong count gets the per-layer arithmetic and the first layer whose count (or a common slip on it) explains the claim.
 */
export function checkSummaryClaims(s: Summary, claims: string): ClaimCheck[] {
  if (s === null || typeof s !== "object" || !Array.isArray(s.rows)) throw new ValueError("checkSummaryClaims: expected the result of summary()");
  if (typeof claims !== "string") throw new ValueError("checkSummaryClaims: claims must be text such as total=608257, A=[1024,32]");
  const linear = s.rows.filter((r) => r.type === "Linear");
  const rowOf = (key: string) => (/^[A-Z]$/.test(key) ? linear[key.charCodeAt(0) - 65] : s.rows.find((r) => r.name === key));
  const every = s.rows.filter((r) => r.params > 0).map((r) => `${linear.includes(r) ? String.fromCharCode(65 + linear.indexOf(r)) : r.name}: ${r.arithmetic}`).join("; ");
  const checks = entries(claims, "summary --check").map(([name, text]): ClaimCheck => {
    const claim = `${name}=${text}`;
    const list = text.match(/^\[(.*)\]$/)?.[1];
    const value: unknown = list !== undefined ? list.split(",").map((d) => (/^\s*\d+\s*$/.test(d) ? Number(d) : d.trim())) : Number(text.replace(/[,_](?=\d{3}\b)/g, ""));
    const [key, part] = name.split(".") as [string, string | undefined];
    if (name === "total" || name === "params") {
      const n = value as number;
      if (n === s.totalParams) return { claim, ok: true, correct: fmt(s.totalParams), firstWrongStep: null };
      const biases = s.rows.reduce((t, r) => t + r.biasParams, 0);
      const slips: string[] = [];
      if (s.totalParams - biases === n) slips.push("every bias was left out");
      for (const r of s.rows) {
        if (r.params === 0) continue;
        const label = linear.includes(r) ? `layer ${String.fromCharCode(65 + linear.indexOf(r))} (${r.name})` : `layer ${r.name}`;
        if (r.biasParams > 0 && s.totalParams - r.biasParams === n) slips.push(`the first wrong count is ${label}'s: its ${fmt(r.biasParams)} biases were left out`);
        if (s.totalParams - r.params === n) slips.push(`${label} was left out`);
      }
      return { claim, ok: false, correct: fmt(s.totalParams), firstWrongStep: `total = ${fmt(s.totalParams)} = ${s.rows.filter((r) => r.params > 0).map((r) => fmt(r.params)).join(" + ")} (${every}), not ${typeof n === "number" ? fmt(n) : text}${slips.length ? `: ${slips.join("; or ")}` : ""}` };
    }
    const r = rowOf(key);
    if (!r) throw new ValueError(`summary --check: ${name} names no layer; the layers are ${s.rows.map((x) => x.name).join(", ")}${linear.length ? ` (Linear: ${linear.map((_, i) => String.fromCharCode(65 + i)).join(", ")})` : ""}`);
    if (part === "weight" || part === "bias") {
      const out = r.biasParams || (r.outputShape.filter((d) => typeof d === "number").at(s.layout === "features-first" ? 0 : -1) as number);
      const correct = part === "bias" ? [out] : [out, r.weightParams / out];
      const ok = JSON.stringify(value) === JSON.stringify(correct);
      return { claim, ok, correct: `[${correct.join(", ")}]`, firstWrongStep: ok ? null : `${name} is [${correct.join(", ")}]${part === "weight" ? ` ([out, in], as PyTorch stores a Linear weight: ${correct[1]} inputs, ${correct[0]} outputs)` : ""}, not ${text}` };
    }
    if (Array.isArray(value) || part === "shape") {
      const ok = JSON.stringify(value) === JSON.stringify(r.outputShape);
      return { claim, ok, correct: `[${r.outputShape.join(", ")}]`, firstWrongStep: ok ? null : `the output of ${key} (${r.type}) is [${r.outputShape.join(", ")}] (${s.layout}), not ${text}` };
    }
    const ok = value === r.params;
    return { claim, ok, correct: fmt(r.params), firstWrongStep: ok ? null : `${key}: ${r.arithmetic}, not ${text}${r.biasParams > 0 && value === r.weightParams ? ": the biases were left out" : ""}` };
  });
  // A wrong total with wrong per-layer counts claimed too: the first of those is where it went wrong.
  const layer = checks.find((c) => !c.ok && /^[^.=]+(?:\.params)?=\d/.test(c.claim) && !/^(?:total|params)=/.test(c.claim));
  for (const c of checks) if (!c.ok && layer && /^(?:total|params)=/.test(c.claim)) c.firstWrongStep += `; the first wrong layer count is ${layer.claim.split(/[.=]/)[0]}'s (${layer.firstWrongStep})`;
  return checks;
}

/** Claim checks as text lines: ✓ or ✗ with the reason. */
export function formatClaimChecks(checks: readonly ClaimCheck[]): string {
  if (!Array.isArray(checks)) throw new ValueError("formatClaimChecks: expected a list of checks");
  return checks.map((c) => (c.ok ? `  ✓ ${c.claim}` : `  ✗ ${c.claim}; correct: ${c.correct.length > 60 ? c.correct.slice(0, 57) + "…" : c.correct}\n      ${c.firstWrongStep}`)).join("\n") + `\n${checks.filter((c) => c.ok).length} of ${checks.length} right\n`;
}
