// The check tab's jobs for the computing worker (shared/compute-worker.ts): name → function of
// structured-cloneable arguments returning a structured-cloneable result.
import { AnomalyError, checkSolution, DTypeError, FormatError, GraphError, type GradeReport, ParseError, parseSetValues, ShapeError, ValueError } from "chainrule";
import { type Kind, renderBlocks } from "./render.js";

export interface CheckArgs { text: string; format: Kind; set?: string; tol?: string }
export type Mark = "ok" | "first" | "carried" | "given" | "definition" | "unread";
export interface Verdict { line: number; text: string; mark: Mark; label: string; why: string[] }
export interface CheckResult {
  error?: { field: "solution" | "set" | "tol"; name: string; message: string };
  right: number; wrong: number; carried: number; ok: boolean; counts: string; noEquations: boolean;
  blocks: { from: number; to: number; html: string; verdicts: Verdict[] }[];
  /** Blocks not drawn (only ✓ lines, past the first ones drawn). */
  hidden: number;
  /** Each chain's first wrong step, in line order (at most 100). */
  firstWrong: Verdict[];
  unread: { line: number; text: string; reason: string }[];
  unreadCount: number;
}

/** Each line's verdict, as `chainrule check` marks it (src/grade/format.ts): ✓, ✗ first wrong step, ✗ carried from line N, given, definition, unread. */
export function verdicts(r: GradeReport): Verdict[] {
  const byLine = new Map<number, GradeReport["checks"]>();
  for (const c of r.checks) byLine.set(c.line, [...(byLine.get(c.line) ?? []), c]);
  const out: Verdict[] = [];
  for (const l of r.lines) {
    const cs = byLine.get(l.line) ?? [];
    byLine.delete(l.line);
    if (cs.length === 0 && l.role === "step") continue;
    const wrong = cs.filter((c) => !c.ok);
    const head = wrong.find((c) => c.carriedFrom === undefined || c.carriedFrom !== c.line) ?? wrong[0];
    const mark: Mark = cs.length === 0 ? (l.role === "given" ? "given" : "definition") : wrong.length === 0 ? "ok" : head!.carriedFrom !== undefined ? "carried" : "first";
    const label = mark === "ok" ? "✓" : mark === "first" ? "✗ first wrong step" : mark === "carried" ? `✗ carried from line ${head!.carriedFrom}` : mark;
    const why = [...new Set(wrong.map((c) => c.firstWrongStep!.replace(/^carried from line \d+(?::\s*)?/, "")).filter((w) => w !== ""))];
    out.push({ line: l.line, text: l.text.slice(0, 500), mark, label, why });
  }
  for (const u of r.unread) out.push({ line: u.line, text: u.text.slice(0, 300), mark: "unread", label: "? not read", why: [u.reason] });
  return out.sort((a, b) => a.line - b.line);
}

const CLASSES = { ParseError, ShapeError, DTypeError, ValueError, FormatError, GraphError, AnomalyError };
/** The library's error class of `e` by instanceof: a minified bundle renames classes, so `constructor.name` is not the class's name. */
export const errorName = (e: unknown): string => Object.entries(CLASSES).find(([, C]) => e instanceof C)?.[0] ?? (e instanceof Error ? e.name : "Error");

const FIRST_BLOCKS = 150, MAX_BLOCKS = 400;

export const handlers = {
  "check:solution": (a: CheckArgs): CheckResult => {
    const fail = (field: "solution" | "set" | "tol", e: unknown): CheckResult => ({
      error: { field, name: errorName(e), message: e instanceof Error ? e.message : String(e) },
      right: 0, wrong: 0, carried: 0, ok: false, counts: "", noEquations: false, blocks: [], hidden: 0, firstWrong: [], unread: [], unreadCount: 0,
    });
    let values: Record<string, number> = {};
    try { if (a.set?.trim()) values = { ...parseSetValues(a.set) }; } catch (e) { return fail("set", e); }
    const tol = a.tol?.trim() ? Number(a.tol) : undefined;
    if (tol !== undefined && !(tol >= 0)) return fail("tol", new RangeError(`the tolerance must be a number ≥ 0, such as 0.01, found "${a.tol}"`));
    let r: GradeReport;
    try { r = checkSolution(a.text, { values, tol, format: a.format }); } catch (e) { return fail("solution", e); }
    const all = verdicts(r);
    const byLine = new Map<number, Verdict[]>();
    for (const v of all) byLine.set(v.line, [...(byLine.get(v.line) ?? []), v]);
    const marked = new Set(all.filter((v) => v.mark === "first" || v.mark === "carried" || v.mark === "unread").map((v) => v.line));
    let kept = 0, hidden = 0;
    const keep = (from: number, to: number) => {
      let wanted = kept < FIRST_BLOCKS;
      for (let l = from; !wanted && l <= to && kept < MAX_BLOCKS; l++) wanted = marked.has(l);
      if (wanted) kept++;
      else hidden++;
      return wanted;
    };
    const blocks = renderBlocks(a.text, a.format, keep).map((b) => {
      const vs: Verdict[] = [];
      for (let l = b.from; l <= b.to; l++) vs.push(...(byLine.get(l) ?? []));
      return { ...b, verdicts: vs };
    });
    const counts = `${r.right} step${r.right === 1 ? "" : "s"} right, ${r.wrong} wrong${r.carried ? ` (${r.carried} carried)` : ""}${r.unread.length ? `, ${r.unread.length} line${r.unread.length === 1 ? "" : "s"} not read` : ""}`;
    return {
      right: r.right, wrong: r.wrong, carried: r.carried, ok: r.ok, counts, noEquations: r.checks.length === 0 && r.unread.length === 0,
      blocks, hidden, firstWrong: all.filter((v) => v.mark === "first").slice(0, 100), unread: r.unread.slice(0, 200).map((u) => ({ ...u, text: u.text.slice(0, 300) })), unreadCount: r.unread.length,
    };
  },
} satisfies Record<string, (args: never) => unknown>;
