import type { Derivation, Equation, ModelDerivation, NamedDerivation, ProgramDerivation } from "./derivation.js";
import { latexText, mathToLatex, richToLatex, richToLatexText, richToText } from "./latex.js";
import { type Chain, adjointChain, checkLines, forwardChain, gradientChain } from "./lines.js";
import { alignColumns, formatNumber, formatShape, formatValue, type Value } from "./numbers.js";

/** A titled part of a worked solution: lines of Unicode math (`math`) or of text with `$…$` math (`text`). */
interface Section {
  title: string;
  kind: "math" | "text";
  lines: string[];
  /** For LaTeX: the equations as chains, when the section is made of them. */
  chains?: Chain[];
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

function programSections(d: ProgramDerivation): Section[] {
  const p = d.precision;
  const sections: Section[] = [];
  const scalars = d.inputs.filter((i) => i.shape.length === 0);
  const tensors = d.inputs.filter((i) => i.shape.length > 0);
  sections.push({
    title: "Inputs",
    kind: "math",
    lines: [
      ...(scalars.length > 0 ? [scalars.map((i) => `${i.name} = ${formatValue(i.value, p)}`).join(", ")] : []),
      ...tensors.map((i) => `${i.name} = ${formatValue(i.value, p)}   [${formatShape(i.shape)}]`),
    ],
  });
  const fwd = d.forward.map((f) => forwardChain(f, p));
  const scalarRows = fwd.filter((c) => c.shape === undefined);
  const aligned = alignColumns(scalarRows.map((c) => [c.lhs, ...c.rhs]), " = ");
  const nameWidth = Math.max(...fwd.map((c) => width(c.lhs)));
  sections.push({
    title: "Forward pass",
    kind: "math",
    lines: fwd.flatMap((c) => (c.shape === undefined ? [aligned[scalarRows.indexOf(c)]!] : chainLines(c, nameWidth))),
    chains: fwd,
  });
  if (d.gradients.length > 0) {
    const gs = d.gradients.map((g) => gradientChain(g, p));
    const w = Math.max(...gs.map((c) => width(c.lhs)));
    sections.push({ title: `Gradients of ${d.of}`, kind: "math", lines: gs.flatMap((c) => chainLines(c, w)), chains: gs });
  }
  if (d.backward.length > 0) {
    const bs = d.backward.map((s) => adjointChain(s, p));
    const w = Math.max(...bs.map((c) => width(c.lhs)));
    sections.push({ title: "Backward pass (reverse mode, one variable at a time: upstream × local)", kind: "math", lines: bs.flatMap((c) => chainLines(c, w)), chains: bs });
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
  const sections: Section[] = [
    { title: "Network", kind: "text", lines: d.legend },
    ...(d.layers
      ? [{
        title: "Shapes and parameters (P2, P3)",
        kind: "math" as const,
        lines: [
          ...alignColumns(d.layers.map((l) => [`${l.name} ${l.type}`, `output [${l.outputShape.join("×")}]`, l.params > 0 ? `parameters ${l.arithmetic}` : ""]), "   ").map((l) => l.trimEnd()),
          `total parameters: ${d.layers.filter((l) => l.params > 0).map((l) => l.params.toLocaleString("en-US")).join(" + ")} = ${(d.totalParams ?? 0).toLocaleString("en-US")}`,
        ],
      }]
      : []),
    { title: "Forward pass", kind: "math", lines: equationLines(d.forward) },
    { title: "Backward pass", kind: "math", lines: equationLines(d.backward) },
  ];
  if (d.numeric) {
    sections.push({
      title: "Numbers",
      kind: "text",
      lines: [
        `${d.standIns ? `on random data with stand-in sizes ${Object.entries(d.standIns).map(([k, v]) => `$${k} = ${v}$`).join(", ")}` : `loss $L = ${formatNumber(d.numeric.loss)}$`}; every equation above, evaluated, ${d.numeric.maxAbsDiff <= d.numeric.tolerance ? "agrees" : "DISAGREES"} with autograd: largest difference $${formatNumber(d.numeric.maxAbsDiff, 3)}$ (tolerance $${formatNumber(d.numeric.tolerance)}$)`,
        ...d.backward.filter((e) => e.value !== undefined).map((e) => `$${e.lhs} = ${formatValue(e.value!, 6)}$`),
      ],
    });
  }
  if (d.notes.length > 0) sections.push({ title: "Notes", kind: "text", lines: d.notes });
  return sections;
}

function namedSections(d: NamedDerivation): Section[] {
  const rows = d.steps.map((s, i) => [`${i + 1}.`, s.math, richToText(s.why)]);
  const w1 = Math.max(...rows.map((r) => width(r[1]!)));
  return [
    { title: d.title, kind: "math", lines: rows.map(([n, m, why]) => `${n} ${m}${why ? `${" ".repeat(w1 - width(m!))}   ${why}` : ""}`) },
    { title: "Sample", kind: "math", lines: d.sample.map((s) => `${s.name} = ${formatValue(s.value, 6)}`) },
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

function sectionsOf(d: Derivation): Section[] {
  return d.kind === "program" ? programSections(d) : d.kind === "model" ? modelSections(d) : namedSections(d);
}

/**
 * The worked solution as Unicode text, the layout of `chainrule explain`'s default output.
 * @example console.log(formatText(explainProgram("y = x*w", { x: 2, w: 3 })));
 */
export function formatText(d: Derivation): string {
  return sectionsOf(d)
    .map((s) => [richToText(s.title), ...s.lines.map((l) => `  ${s.kind === "text" ? richToText(l) : l}`)].join("\n"))
    .join("\n\n") + "\n";
}

/** The worked solution as Markdown: headings, the equations in `text` code blocks, a table of the results. */
export function formatMarkdown(d: Derivation): string {
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

/** A value in LaTeX: a number, or a matrix for a tensor of rank 1 or 2 (large ones summarized). */
function valueToLatex(v: Value, p: number): string {
  if (typeof v === "number") return mathToLatex(formatNumber(v, p));
  const is2d = v.every((r) => Array.isArray(r));
  const depth = (x: Value): number => (typeof x === "number" ? 0 : 1 + depth(x[0] ?? 0));
  if (depth(v) > 2 || v.length > 12 || (is2d && (v[0] as Value[]).length > 12)) return mathToLatex(formatValue(v, p));
  const rows = (is2d ? (v as Value[][]) : [v]).map((r) => r.map((x) => mathToLatex(formatNumber(x as number, p))).join(" & "));
  return `\\begin{bmatrix} ${rows.join(" \\\\ ")} \\end{bmatrix}`;
}

function chainToLatex(c: Chain, p: number): string[] {
  const lhs = mathToLatex(c.lhs);
  const label = (l: string) => (l ? ` \\qquad \\text{(${latexText(l)})}` : "");
  if (c.shape !== undefined) {
    const value = c.raw !== undefined ? valueToLatex(c.raw, p) : mathToLatex(c.value ?? "");
    const shape = ` \\quad [${mathToLatex(c.shape)}]`;
    return c.rhs.length > 0 ? [`${lhs} &= ${c.rhs.map(mathToLatex).join(" = ")}${shape} \\\\`, `&= ${value} \\\\`] : [`${lhs} &= ${value}${shape} \\\\`];
  }
  if (c.terms === undefined) return [`${lhs} &= ${c.rhs.map(mathToLatex).join(" = ")}${label(c.label ?? "")} \\\\`];
  return [
    ...c.terms.map((t, i) => `${i === 0 ? `${lhs} &= ` : "&\\phantom{=} + "}${mathToLatex(t.text)}${label(t.label)} \\\\`),
    `&= ${c.rhs.map(mathToLatex).join(" = ")} \\\\`,
  ];
}

/**
 * The worked solution as a LaTeX fragment (needs amsmath): `\paragraph` headings and `aligned`
 * blocks inside `\[ … \]`, inline math as `\( … \)`; KaTeX renders every math part.
 */
export function formatLatex(d: Derivation): string {
  const out: string[] = ["% chainrule explain (LaTeX fragment; needs \\usepackage{amsmath})"];
  for (const s of sectionsOf(d)) {
    out.push("", `\\paragraph{${richToLatexText(s.title)}}`);
    if (s.chains) {
      out.push("\\[", "\\begin{aligned}", ...s.chains.flatMap((c) => chainToLatex(c, d.kind === "program" ? d.precision : 6)), "\\end{aligned}", "\\]");
    } else if (s.kind === "math") {
      const lines = d.kind === "model" ? (s.title === "Forward pass" ? d.forward : s.title === "Backward pass" ? d.backward : null) : null;
      const body = lines
        ? lines.map((e) => `${mathToLatex(e.lhs)} &= ${mathToLatex(e.rhs)} && [${mathToLatex(e.shape.join("×") || "scalar")}]${e.note ? ` \\quad ${richToLatex(e.note)}` : ""} \\\\`)
        : d.kind === "named" && s.title === d.title
          ? d.steps.map((st, i) => `&\\text{${i + 1}.}\\ ${mathToLatex(st.math)}${st.why ? ` && ${richToLatex(st.why)}` : ""} \\\\`)
          : s.lines.map((l) => `&${mathToLatex(l)} \\\\`);
      out.push("\\[", "\\begin{aligned}", ...body, "\\end{aligned}", "\\]");
    } else {
      const items: string[] = [];
      for (const l of s.lines) {
        if (l.startsWith(" ") && items.length > 0) items[items.length - 1] += ` \\newline ${richToLatexText(l.trim())}`;
        else items.push(`  \\item ${richToLatexText(l)}`);
      }
      out.push("\\begin{itemize}", ...items, "\\end{itemize}");
    }
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
  if (d.kind !== "program") return JSON.stringify(d, plainText, 2) + "\n";
  const view = {
    kind: d.kind,
    program: d.source,
    of: d.of,
    wrt: d.wrt,
    values: Object.fromEntries([...d.inputs.map((i) => [i.name, i.value] as const), ...d.forward.map((f) => [f.name, f.value] as const)]),
    forward: d.forward,
    gradients: Object.fromEntries(d.gradients.map((g) => [g.symbol, g.value])),
    gradientsByInput: Object.fromEntries(d.gradients.map((g) => [g.wrt, g.value])),
    paths: Object.fromEntries(d.gradients.map((g) => [g.symbol, g.paths])),
    backward: d.backward,
    graph: d.graph,
    notes: d.notes,
    ...(d.checks ? { checks: d.checks, tolerance: d.tolerance } : {}),
  };
  return JSON.stringify(view, plainText, 2) + "\n";
}
