import { ValueError } from "../errors.js";
import type { Derivation, Equation, ModelDerivation, NamedDerivation, ProgramDerivation } from "./derivation.js";
import { latexText, mathToLatex, richToLatexText, richToText } from "./latex.js";
import { type Chain, adjointChain, checkLines, forwardChain, gradientChain } from "./lines.js";
import { alignColumns, formatNumber, formatShape, formatValue, type Value } from "./numbers.js";

/** A titled part of a worked solution: lines of Unicode math (`math`) or of text with `$…$` math (`text`). */
interface Section {
  title: string;
  kind: "math" | "text";
  lines: string[];
  /** For LaTeX: the section laid out from its data (chains, matrix equations, tables) rather than from its lines. */
  latex?: () => string[];
}

const width = (s: string) => [...s].length;

/** A chain as Unicode lines: `lhs = a = b`, several paths one per line with their labels, tensors with their value below. */
function chainLines(c: Chain, lhsWidth = width(c.lhs)): string[] {
  const lhs = c.lhs + " ".repeat(Math.max(0, lhsWidth - width(c.lhs)));
  const pad = " ".repeat(lhsWidth);
  if (c.shape !== undefined) {
    const head = c.rhs.length > 0 ? `${lhs} = ${c.rhs.join(" = ")}   [${c.shape}]` : `${lhs} = ${c.value}   [${c.shape}]`;
    return c.rhs.length > 0 ? [head, `${pad} = ${c.value}`] : [head];
  }
  if (c.terms === undefined) return [`${lhs} = ${c.rhs.join(" = ")}${c.label ? `   (${c.label})` : ""}`];
  const tw = Math.max(...c.terms.map((t) => width(t.text)));
  const lines = c.terms.map((t, i) => {
    const label = t.label ? `${" ".repeat(tw - width(t.text))}   (${t.label})` : "";
    return `${i === 0 ? `${lhs} =` : `${pad} +`} ${t.text}${label}`;
  });
  return [...lines, `${pad} = ${c.rhs.join(" = ")}`];
}

/** A section of equations as chains, their left sides in one column (in LaTeX too). */
function chainSection(title: string, chains: Chain[], p: number, lay: (c: Chain, lhsWidth: number) => string[] = chainLines): Section {
  const [w, lw] = [Math.max(...chains.map((c) => width(c.lhs))), Math.max(...chains.map((c) => mathWidth(c.lhs)))];
  const latex = () => alignedDisplays(chains.map((c) => chainToLatex(c, p, lw)));
  return { title, kind: "math", lines: chains.flatMap((c) => lay(c, w)), latex };
}

function programSections(d: ProgramDerivation): Section[] {
  const p = d.precision;
  const scalars = d.inputs.filter((i) => i.shape.length === 0).map((i) => `${i.name} = ${formatValue(i.value, p)}`);
  const tensors = d.inputs.filter((i) => i.shape.length > 0).map((i) => `${i.name} = ${formatValue(i.value, p)}   [${formatShape(i.shape)}]`);
  const sections: Section[] = [{ title: "Inputs", kind: "math", lines: [...(scalars.length > 0 ? [scalars.join(", ")] : []), ...tensors] }];
  const fwd = d.forward.map((f) => forwardChain(f, p));
  const scalarRows = fwd.filter((c) => c.shape === undefined);
  const aligned = alignColumns(scalarRows.map((c) => [c.lhs, ...c.rhs]), " = ");
  const rowOf = new Map(scalarRows.map((c, i) => [c, aligned[i]!]));
  const forwardLines = (c: Chain, w: number) => (c.shape === undefined ? [rowOf.get(c)!] : chainLines(c, w));
  sections.push(chainSection("Forward pass", fwd, p, forwardLines));
  if (d.gradients.length > 0) sections.push(chainSection(`Gradients of ${d.of}`, d.gradients.map((g) => gradientChain(g, p)), p));
  if (d.backward.length > 0) {
    const title = "Backward pass (reverse mode, one variable at a time: upstream × local)";
    sections.push(chainSection(title, d.backward.map((s) => adjointChain(s, p)), p));
  }
  if (d.notes.length > 0) sections.push({ title: "Notes", kind: "text", lines: d.notes });
  if (d.checks) {
    const lines = d.checks.flatMap((c) => {
      const { head, detail } = checkLines(c, p);
      return [head, ...detail.map((l) => `    ${l}`)];
    });
    const right = d.checks.filter((c) => c.ok).length;
    const t = d.tolerance ?? 1e-6;
    const tol = t > 0 && t < 1e-3 ? t.toExponential().replace("e-", "e−") : formatNumber(t);
    sections.push({ title: `Check: ${right} of ${d.checks.length} right (relative tolerance ${tol})`, kind: "text", lines });
  }
  return sections;
}

function equationLines(eqs: readonly Equation[]): string[] {
  const aligned = alignColumns(eqs.map((e) => [e.lhs, e.rhs]), " = ");
  const w = Math.max(...aligned.map(width));
  const shapes = eqs.map((e) => `[${e.shape.join("×") || "scalar"}]`);
  const sw = Math.max(...shapes.map(width));
  return aligned.map((l, i) => {
    const note = eqs[i]!.note ? `${" ".repeat(sw - width(shapes[i]!))}   ${richToText(eqs[i]!.note!)}` : "";
    return `${l}${" ".repeat(w - width(l))}   ${shapes[i]}${note}`;
  });
}

function modelSections(d: ModelDerivation): Section[] {
  const sections: Section[] = [{ title: "Network", kind: "text", lines: d.legend }];
  const ins = d.inputs ?? [];
  if (ins.length > 0) sections.push({ title: "Inputs", kind: "math", lines: ins.map((x) => `${x.name} = ${formatValue(x.value, 6)}   [${x.shape.join("×")}]`), latex: () => alignedDisplays([ins.map((x) => `${mathToLatex(x.name)}\\ [${mathToLatex(x.shape.join("×"))}] &= ${valueToLatex(x.value, 6, LINE_EM)} \\\\`)]) });
  if (d.layers) {
    const rows = d.layers.map((l) => [`${l.name} ${l.type}`, `output [${l.outputShape.join("×")}]`, l.params > 0 ? `parameters ${l.arithmetic}` : ""]);
    const counts = d.layers.filter((l) => l.params > 0).map((l) => l.params.toLocaleString("en-US"));
    const total = `total parameters: ${counts.join(" + ")} = ${(d.totalParams ?? 0).toLocaleString("en-US")}`;
    const lines = [...alignColumns(rows, "   ").map((l) => l.trimEnd()), total];
    sections.push({ title: "Shapes and parameters (P2, P3)", kind: "math", lines, latex: () => layersBlock(d) });
  }
  sections.push(
    { title: "Forward pass", kind: "math", lines: equationLines(d.forward), latex: () => equationsBlock(d.forward) },
    { title: "Backward pass", kind: "math", lines: equationLines(d.backward), latex: () => equationsBlock(d.backward) },
  );
  if (d.numeric) {
    const values = [...d.forward, ...d.backward].filter((e) => e.value !== undefined).map((e) => `$${e.lhs} = ${formatValue(e.value!, 6)}$`);
    const agreement = `${d.standIns ? `on random data with stand-in sizes ${Object.entries(d.standIns).map(([k, v]) => `$${k} = ${v}$`).join(", ")}` : `loss $L = ${formatNumber(d.numeric.loss)}$`}; every equation above, evaluated, ${d.numeric.maxAbsDiff <= d.numeric.tolerance ? "agrees" : "DISAGREES"} with autograd: largest difference $${formatNumber(d.numeric.maxAbsDiff, 3)}$ (tolerance $${formatNumber(d.numeric.tolerance)}$)`;
    sections.push({ title: "Numbers", kind: "text", lines: [agreement, ...values] });
  }
  if (d.notes.length > 0) sections.push({ title: "Notes", kind: "text", lines: d.notes });
  return sections;
}

function namedSections(d: NamedDerivation): Section[] {
  const rows = d.steps.map((s, i) => [`${i + 1}.`, s.math, richToText(s.why)]);
  const w1 = Math.max(...rows.map((r) => width(r[1]!)));
  const steps = rows.map(([n, m, why]) => `${n} ${m}${why ? `${" ".repeat(w1 - width(m!))}   ${why}` : ""}`);
  const stepsLatex = () => itemsBlock(d.steps.flatMap((st) => [`$${st.math}$`, ...(st.why ? [`  ${st.why}`] : [])]), "enumerate");
  const sampleLatex = () => alignedDisplays([d.sample.map((x) => `${mathToLatex(x.name)} &= ${valueToLatex(x.value, 6, LINE_EM - 3)} \\\\`)]);
  return [
    { title: d.title, kind: "math", lines: steps, latex: stepsLatex },
    { title: "Sample", kind: "math", lines: d.sample.map((s) => `${s.name} = ${formatValue(s.value, 6)}`), latex: sampleLatex },
    {
      title: `Numerical check (seed ${d.seed}): formula against autograd`,
      kind: "text",
      lines: d.numeric.flatMap((n) => [
        `${n.maxAbsDiff <= d.tolerance ? "✓" : "✗"} ${n.label}: largest difference $${formatNumber(n.maxAbsDiff, 3)}$`,
        `    formula:  $${formatValue(n.formula, 6)}$`,
        `    autograd: $${formatValue(n.autograd, 6)}$`,
      ]),
    },
    ...(d.notes.length > 0 ? [{ title: "Notes", kind: "text" as const, lines: d.notes }] : []),
  ];
}

/** Throws a ValueError unless `d` is a derivation (what explain and its variants return). */
function checkDerivation(fn: string, d: unknown): asserts d is Derivation {
  const kind: unknown = typeof d === "object" && d !== null ? (d as { kind?: unknown }).kind : undefined;
  if (kind !== "program" && kind !== "model" && kind !== "named")
    throw new ValueError(`${fn}: expected a derivation (of a program, a model or a named one), found ${d === null ? "null" : typeof d === "object" ? `an object of kind ${String(kind)}` : typeof d}`);
}

function sectionsOf(d: Derivation): Section[] {
  return d.kind === "program" ? programSections(d) : d.kind === "model" ? modelSections(d) : namedSections(d);
}

/**
 * The worked solution as Unicode text, the layout of `chainrule explain`'s default output.
 * @example console.log(formatText(explainProgram("y = x*w", { x: 2, w: 3 })));
 */
export function formatText(d: Derivation): string {
  checkDerivation("formatText", d);
  return sectionsOf(d)
    .map((s) => [richToText(s.title), ...s.lines.map((l) => `  ${s.kind === "text" ? richToText(l) : l}`)].join("\n"))
    .join("\n\n") + "\n";
}

/** The worked solution as Markdown: headings, the equations in `text` code blocks, a table of the results. */
export function formatMarkdown(d: Derivation): string {
  checkDerivation("formatMarkdown", d);
  const out: string[] = [];
  if (d.kind === "program") out.push(`## Worked solution for ${d.of}`, "", "```text", d.source.trim(), "```");
  else if (d.kind === "model") out.push(`## Backward pass of the network ${d.spec}`);
  for (const s of sectionsOf(d)) {
    out.push("", `### ${mdRich(s.title)}`, "");
    if (s.kind === "math") out.push("```text", ...s.lines, "```");
    else out.push(...s.lines.map((l) => (l.startsWith("    ") ? `  ${mdRich(l.trim())}` : `- ${mdRich(l)}`)));
  }
  if (d.kind === "program" && d.gradients.length > 0) {
    out.push("", "### Results", "", "| quantity | value |", "| --- | --- |");
    for (const f of d.forward) out.push(`| \`${f.name}\` | ${mdCell(f.value, d.precision)} |`);
    for (const g of d.gradients) out.push(`| \`${g.symbol}\` | ${mdCell(g.value, d.precision)} |`);
  }
  return out.join("\n").replace(/^\n+/, "") + "\n";
}

const mdRich = (s: string) => s.replace(/\$([^$]*)\$/g, (_, m: string) => `\`${m}\``);
const mdCell = (v: Value, p: number) => formatValue(v, p).replace(/\|/g, "\\|");

/** The widest line, in ems of the body font, that a display holds on an `article` page (345 pt at 10 pt), with a margin. */
const LINE_EM = 33;
/** The most rows of an `aligned` display, which cannot break across pages (about half an `article` page). */
const MAX_ROWS = 18;
const FRACTION = /∂([^\s/·()]+)\/∂([^\s·()=,]+)/g;

/**
 * The width of Unicode math once typeset, estimated in ems (within about 10% of what pdflatex makes of
 * P1, P4 and P5): a fraction `∂a/∂b` as its wider part, binary operators and relations with their spaces.
 */
function mathWidth(s: string): number {
  let w = 0, prev = "";
  const rest = s.replace(FRACTION, (_, a: string, b: string) => {
    w += 0.8 + 0.5 * Math.max([...a].length, [...b].length);
    return "";
  });
  for (const c of rest) {
    w += c === " " ? 0
      : /[₀-₉ₙᵢⱼₖᵀ⁰-⁹²]/.test(c) || (/\d/.test(c) && /[A-Za-z₀-₉]/.test(prev)) ? 0.37
      : /[()[\]'.,|]/.test(c) ? 0.35
      : c === "·" ? 1 : /[+−⊙×]/.test(c) ? 1.25 : /[=<>←≈]/.test(c) ? 1.35
      : /[A-ZΣ‖]/.test(c) ? 0.7 : 0.5;
    prev = c;
  }
  return w;
}

/** `s` cut before each of its operators `ops` that stand outside parentheses and brackets. */
function splitTop(s: string, ops: readonly string[]): string[] {
  const pieces: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && i > start && s[i - 1] === " " && s[i + 1] === " " && ops.includes(c)) {
      pieces.push(s.slice(start, i - 1));
      start = i;
    }
  }
  return [...pieces, s.slice(start)];
}

/** Unicode math in lines of at most `room` ems: cut at its outermost sums first, then at its products. */
function breakMath(s: string, room: number, ops: readonly (readonly string[])[] = [["+", "−"], ["·", "⊙"]]): string[] {
  if (mathWidth(s) <= room || ops.length === 0) return [s];
  const pieces = splitTop(s, ops[0]!);
  if (pieces.length === 1) return breakMath(s, room, ops.slice(1));
  const lines: string[] = [];
  for (const p of pieces.flatMap((q) => breakMath(q, room - 2, ops.slice(1)))) {
    if (lines.length > 0 && mathWidth(`${lines[lines.length - 1]} ${p}`) <= room) lines[lines.length - 1] += ` ${p}`;
    else lines.push(p);
  }
  return lines;
}

/**
 * Rows of an `aligned` block for `lhs = parts…` in rows of at most `room` ems: as many sides as fit on a row, a long side
 * cut over several; the first row with the left side, the others from `&=`, continued sides indented.
 */
function alignedRows(lhs: string, parts: readonly string[], room: number, after = ""): string[] {
  const rows: { first: boolean; text: string }[] = [];
  for (const part of parts) {
    const last = rows[rows.length - 1];
    if (last?.first && mathWidth(`${last.text} = ${part}`) <= room) last.text += ` = ${part}`;
    else rows.push(...breakMath(part, room).map((text, i) => ({ first: i === 0, text })));
  }
  return rows.map((r, i) => `${i === 0 ? lhs : ""} ${r.first ? "&= " : "&\\qquad {} "}${mathToLatex(r.text)}${i === 0 ? after : ""} \\\\`.trimStart());
}

/** A value in LaTeX: a number, or a matrix for a tensor of rank 1 or 2 that fits on a line (others summarized). */
function valueToLatex(v: Value, p: number, room = LINE_EM): string {
  if (typeof v === "number") return mathToLatex(formatNumber(v, p));
  const is2d = v.every((r) => Array.isArray(r));
  const depth = (x: Value): number => (typeof x === "number" ? 0 : 1 + depth(x[0] ?? 0));
  const cells = (is2d ? (v as Value[][]) : [v]).map((r) => r.map((x) => formatNumber(x as number, p)));
  const cols = cells[0]?.length ?? 0;
  const wide = cols * (Math.max(0, ...cells.flat().map(mathWidth)) + 1) > room;
  if (depth(v) > 2 || v.length > 12 || cols > 12 || wide) return mathToLatex(formatValue(v, p));
  return `\\begin{bmatrix} ${cells.map((r) => r.map(mathToLatex).join(" & ")).join(" \\\\ ")} \\end{bmatrix}`;
}

/** A path's label: `(through y1, x1)` with the names typeset as math, `(skip connection)` as text. */
function labelToLatex(l: string): string {
  if (!l) return "";
  const through = /^through (.+)$/.exec(l);
  return ` \\qquad ${through ? `\\text{(through }${mathToLatex(through[1]!)}\\text{)}` : `\\text{(${latexText(l)})}`}`;
}

function chainToLatex(c: Chain, p: number, lhsWidth: number): string[] {
  const lhs = mathToLatex(c.lhs);
  const room = LINE_EM - lhsWidth - 1.35;
  if (c.shape !== undefined) {
    const shape = ` \\quad [${mathToLatex(c.shape)}]`;
    const value = c.raw !== undefined ? valueToLatex(c.raw, p, room) : mathToLatex(c.value ?? "");
    const rows = alignedRows(lhs, c.rhs.length > 0 ? c.rhs : [c.value ?? ""], room - mathWidth(c.shape) - 2, shape);
    return c.rhs.length > 0 ? [...rows, `&= ${value} \\\\`] : c.raw !== undefined ? [`${lhs} &= ${value}${shape} \\\\`] : rows;
  }
  if (c.terms === undefined) return alignedRows(lhs, c.rhs, room - (c.label ? [...c.label].length * 0.45 + 2.2 : 0), labelToLatex(c.label ?? ""));
  const terms = c.terms.flatMap((t, i) => {
    const pieces = breakMath(t.text, room - (t.label ? [...t.label].length * 0.45 + 2.2 : 0));
    return pieces.map((piece, k) => `${i === 0 && k === 0 ? `${lhs} &= ` : k === 0 ? "&\\phantom{=} + " : "&\\qquad {} "}${mathToLatex(piece)}${k === pieces.length - 1 ? labelToLatex(t.label) : ""} \\\\`);
  });
  return [...terms, ...alignedRows("", c.rhs, room)];
}

/** Rows grouped by equation, in `aligned` displays that end between equations before one is too tall for a page. */
function alignedDisplays(groups: readonly string[][]): string[] {
  const displays: string[][] = [[]];
  for (const rows of groups) {
    const last = displays[displays.length - 1]!;
    if (last.length > 0 && last.length + rows.length > MAX_ROWS) displays.push([...rows]);
    else last.push(...rows);
  }
  return displays.flatMap((rows) => ["\\[", "\\begin{aligned}", ...rows, "\\end{aligned}", "\\]"]);
}

/** Matrix equations with their shapes in a column; what each line rests on in a list below (it is text, and must wrap). */
function equationsBlock(eqs: readonly Equation[]): string[] {
  const lw = Math.max(...eqs.map((e) => mathWidth(e.lhs)));
  const sw = Math.max(...eqs.map((e) => mathWidth(e.shape.join("×") || "scalar")));
  const rows = eqs.map((e) => alignedRows(mathToLatex(e.lhs), [e.rhs], LINE_EM - lw - sw - 4, ` && [${mathToLatex(e.shape.join("×") || "scalar")}]`));
  const notes = eqs.filter((e) => e.note).map((e) => `  \\item \\(${mathToLatex(e.lhs)}\\): ${richToLatexText(e.note!)}`);
  return [...alignedDisplays(rows), ...(notes.length > 0 ? ["\\noindent Where each line comes from:", "\\begin{itemize}\\raggedright", ...notes, "\\end{itemize}"] : [])];
}

/** Each layer's output shape and parameter count (P2, P3) as a table. */
function layersBlock(d: ModelDerivation): string[] {
  const num = (n: number) => n.toLocaleString("en-US").replace(/,/g, "{,}");
  const math = (s: string) => mathToLatex(s).replace(/(\d),(?=\d{3})/g, "$1{,}");
  const rows = d.layers!.map((l) => `${[math(l.name), `\\text{${latexText(l.type)}}`, `[${math(l.outputShape.join("×"))}]`, ...(l.params > 0 ? [math(l.arithmetic)] : [])].join(" & ")} \\\\`);
  const counts = d.layers!.filter((l) => l.params > 0).map((l) => num(l.params));
  return [
    "\\[",
    "\\begin{array}{rlll}",
    "& \\text{layer} & \\text{output} & \\text{parameters} \\\\",
    ...rows,
    `& \\text{total} & & ${counts.length > 1 ? `${counts.join(" + ")} = ` : ""}${num(d.totalParams ?? 0)}`,
    "\\end{array}",
    "\\]",
  ];
}

/** Items of text with `$…$` math; lines indented by spaces continue the item before them. */
function itemsBlock(lines: readonly string[], env = "itemize"): string[] {
  const items: string[] = [];
  for (const l of lines) {
    if (l.startsWith(" ") && items.length > 0) items[items.length - 1] += ` \\newline ${richToLatexText(l.trim())}`;
    else items.push(`  \\item ${richToLatexText(l)}`);
  }
  // NOTE: ragged right, because a tensor's value in a line of text breaks only after its commas.
  return [`\\begin{${env}}\\raggedright`, ...items, `\\end{${env}}`];
}

/**
 * The worked solution as a LaTeX fragment, to `\input` into a document that loads amsmath and amssymb:
 * `\paragraph` headings, `aligned` blocks inside `\[ … \]` with one row per step where a chain is too
 * long for an `article` line, inline math as `\( … \)`, words in `\text{…}`; KaTeX renders every math part.
 * @example
 * const tex = formatLatex(explainProgram("y = x*w", { x: 2, w: 3 }));
 * const doc = `\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n${tex}\\end{document}\n`;
 */
export function formatLatex(d: Derivation): string {
  checkDerivation("formatLatex", d);
  const out: string[] = ["% chainrule explain: a LaTeX fragment; needs \\usepackage{amsmath,amssymb}"];
  for (const s of sectionsOf(d)) {
    out.push("", `\\paragraph{${richToLatexText(s.title)}}`);
    if (s.latex) out.push(...s.latex());
    else if (s.kind === "math") out.push("\\[", "\\begin{aligned}", ...s.lines.map((l) => `&${l.trim().split(/ {2,}/).map(mathToLatex).join(" \\quad ")} \\\\`), "\\end{aligned}", "\\]");
    else out.push(...itemsBlock(s.lines));
  }
  return out.join("\n") + "\n";
}

const RICH = new Set(["notes", "legend", "note", "why", "label", "title", "firstWrongStep", "slips", "kink"]);

/** Drops the `$` math marks from the text fields that mix words and math. */
function plainText(key: string, value: unknown): unknown {
  if (!RICH.has(key)) return value;
  if (typeof value === "string") return richToText(value);
  return Array.isArray(value) ? value.map((v) => (typeof v === "string" ? richToText(v) : v)) : value;
}

/**
 * The worked solution as JSON. For a program: forward values by name, gradients by `∂z/∂w0` and by
 * input name, the paths with their factors, the adjoint steps, the graph, the notes and the checks
 * (`{ claim, claimed, correct, ok, firstWrongStep }`). Other derivations as they are. Text fields
 * lose their `$` math marks.
 */
export function formatJson(d: Derivation): string {
  checkDerivation("formatJson", d);
  // NOTE: ±∞ (the masked scores of attention) as the strings "Infinity" and "-Infinity", which JSON's numbers cannot hold.
  if (d.kind !== "program") return JSON.stringify(d, (k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : plainText(k, v)), 2) + "\n";
  const view = {
    kind: d.kind, program: d.source, of: d.of, wrt: d.wrt,
    values: Object.fromEntries([...d.inputs.map((i) => [i.name, i.value] as const), ...d.forward.map((f) => [f.name, f.value] as const)]),
    forward: d.forward,
    gradients: Object.fromEntries(d.gradients.map((g) => [g.symbol, g.value])),
    gradientsByInput: Object.fromEntries(d.gradients.map((g) => [g.wrt, g.value])),
    paths: Object.fromEntries(d.gradients.map((g) => [g.symbol, g.paths])),
    backward: d.backward, graph: d.graph, notes: d.notes,
    ...(d.checks ? { checks: d.checks, tolerance: d.tolerance } : {}),
  };
  return JSON.stringify(view, plainText, 2) + "\n";
}
