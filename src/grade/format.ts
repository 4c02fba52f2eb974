import { ValueError } from "../errors.js";
import type { GradeReport, StepCheck } from "./check.js";

/** The verdict of one line: its checks, and the mark the text and Markdown reports give it. */
function verdicts(r: GradeReport, where: string) {
  if (r === null || typeof r !== "object" || !Array.isArray(r.checks) || !Array.isArray(r.lines) || !Array.isArray(r.unread)) throw new ValueError(`${where}: expected the report of checkSolution`);
  const byLine = new Map<number, StepCheck[]>();
  for (const c of r.checks) byLine.set(c.line, [...(byLine.get(c.line) ?? []), c]);
  const rows = r.lines.map((l) => {
    const cs = byLine.get(l.line) ?? [];
    byLine.delete(l.line);
    if (cs.length === 0 && l.role === "step") return null;
    const wrong = cs.filter((c) => !c.ok);
    const head = wrong.find((c) => c.carriedFrom === undefined || c.carriedFrom !== c.line && !c.firstWrongStep!.startsWith("carried from line " + c.carriedFrom + "\n")) ?? wrong[0];
    const mark = cs.length === 0 ? (l.role === "given" ? "given" : "definition") : wrong.length === 0 ? "✓" : head!.carriedFrom !== undefined ? `✗ carried from line ${head!.carriedFrom}` : "✗ first wrong step";
    const why = wrong.map((c) => c.firstWrongStep!.replace(/^carried from line \d+(?::\s*)?/, "")).filter((w) => w !== "");
    return { line: l.line, text: l.text, mark, why: [...new Set(why)] };
  }).filter((x) => x !== null);
  const counts = `${r.right} step${r.right === 1 ? "" : "s"} right, ${r.wrong} wrong${r.carried ? ` (${r.carried} carried)` : ""}${r.unread.length ? `, ${r.unread.length} line${r.unread.length === 1 ? "" : "s"} unread` : ""}`;
  return { rows, counts };
}

/** The solution's own lines, each marked ✓ or ✗ (first wrong step, or carried), with the reason beneath; unread lines with theirs. */
export function formatGradeText(r: GradeReport, title: string = "solution"): string {
  const { rows, counts } = verdicts(r, "formatGradeText");
  const all = [...rows.map((x) => ({ ...x, unread: false })), ...r.unread.map((u) => ({ line: u.line, text: u.text, mark: `? unread: ${u.reason}`, why: [] as string[], unread: true }))].sort((a, b) => a.line - b.line);
  const width = Math.min(72, Math.max(...all.map((x) => x.text.length), 10));
  const out = [title];
  for (const x of all) {
    const label = `line ${x.line}`.padEnd(9);
    out.push(`  ${label}${(x.text.startsWith("=") ? "   " + x.text : x.text).padEnd(width + 3)}  ${x.mark}`);
    for (const w of x.why) out.push(`  ${" ".repeat(9)}   ${w}`);
  }
  out.push(counts);
  return out.join("\n") + "\n";
}

/** The same report as a Markdown table. */
export function formatGradeMarkdown(r: GradeReport, title = "solution"): string {
  const { rows, counts } = verdicts(r, "formatGradeMarkdown");
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `## Checked: ${title}`, "", "| Line | Math | Verdict | Why |", "|---:|---|---|---|",
    ...rows.map((x) => `| ${x.line} | ${cell(x.text)} | ${x.mark} | ${cell(x.why.join("; "))} |`),
    ...(r.unread.length ? ["", "Lines not read:", "", ...r.unread.map((u) => `- line ${u.line}: \`${u.text}\`: ${u.reason}`)] : []),
    "", `**${counts}**`, "",
  ].join("\n");
}
