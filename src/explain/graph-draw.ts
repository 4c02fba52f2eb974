import dagre from "@dagrejs/dagre";
import { ValueError } from "../errors.js";
import type { GraphEdge, GraphNode, ProgramDerivation } from "./derivation.js";
import { formatNumber, formatShape, formatValue } from "./numbers.js";

const MAX_LINE = 64;
const clip = (s: string, max = MAX_LINE) => ([...s].length > max ? `${[...s].slice(0, Math.max(1, max - 1)).join("")}…` : s);

function nodeLines(d: ProgramDerivation, n: GraphNode): string[] {
  const p = d.precision;
  const shape = n.shape.length > 0 ? `   [${formatShape(n.shape)}]` : "";
  return [
    clip(n.expression ? `${n.name} = ${n.expression}` : `${n.name} (input)`),
    clip(`value ${formatValue(n.value, p)}${shape}`),
    ...(n.grad === null ? [] : [clip(`∂${d.of}/∂${n.name} = ${formatValue(n.grad, p)}`)]),
  ];
}

/**
 * An edge's label, as lines: the local derivative ∂to/∂from of the one step that uses `from` (marked
 * "local", so that it does not read as the total gradient that the box of `from` shows), then its rule
 * and value; for tensors, the vector-Jacobian product this use sends back. A long rule is cut, never the value.
 */
function edgeLabel(d: ProgramDerivation, e: GraphEdge): string[] {
  if (e.value === null) return e.local.startsWith("no gradient") ? [e.local] : ["sends back", clip(e.local)];
  const value = formatValue(e.value, d.precision);
  const rule = e.local === value ? "" : ` = ${value}`;
  return [`∂${e.to}/∂${e.from} (local)`, `= ${clip(e.local, MAX_LINE - [...rule].length - 2)}${rule}`];
}

const legend = (d: ProgramDerivation) =>
  `box: value and total gradient ∂${d.of}/∂name (all paths); edge: ${d.graph.edges.some((e) => e.value !== null) ? "local derivative of one step" : "what reverse mode sends back along it"}`;

const dotString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** `d`, checked to be a program's derivation: only a program has a graph to draw. */
function expectProgram(d: unknown, fn: string): ProgramDerivation {
  const kind = typeof d === "object" && d !== null ? (d as { kind?: unknown }).kind : undefined;
  if (kind !== "program") throw new ValueError(`${fn}: expected the derivation of a program (explainProgram's result), found ${kind !== undefined ? `a derivation of kind ${String(kind)}` : d === null ? "null" : typeof d}`);
  return d as ProgramDerivation;
}

/**
 * The program's graph in Graphviz DOT: one box per variable with its value and total gradient, one edge
 * per use labelled with the local derivative ∂to/∂from (for tensors, what reverse mode sends back).
 */
export function formatDot(d: ProgramDerivation): string {
  expectProgram(d, "formatDot");
  const out = [
    "digraph chainrule {",
    "  rankdir=LR;",
    `  label=${dotString(legend(d))}; labelloc=b; fontname="Helvetica"; fontsize=10;`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const n of d.graph.nodes) out.push(`  ${dotString(n.name)} [label=${dotString(nodeLines(d, n).join("\n"))}, fillcolor="${fill(d, n)}"];`);
  for (const e of d.graph.edges) out.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(edgeLabel(d, e).join("\n"))}];`);
  out.push("}");
  return out.join("\n") + "\n";
}

const fill = (d: ProgramDerivation, n: GraphNode) => (n.name === d.of ? "#fff3c4" : n.kind === "input" ? "#dcebfa" : "#eeeeee");
const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
// NOTE: widths are estimated for a monospace font of 12px (DejaVu Sans Mono advances 0.6 em; 7.4 px leaves room for fallbacks).
const CHAR_W = 7.4;
const LINE_H = 16;
const textWidth = (s: string) => [...s].length * CHAR_W;
/** A coordinate as the SVG writes it. */
const r = (v: number) => formatNumber(v, 6).replace("−", "-");

/** A rectangle by its top-left corner. */
export interface Box { x: number; y: number; w: number; h: number }

/** Where the SVG draws each box, edge and edge label. */
export interface GraphLayout {
  width: number;
  height: number;
  nodes: { node: GraphNode; lines: string[]; box: Box }[];
  /** `label` is the whole label; `lines`, how the SVG writes it: the derivative's name, then its value. */
  edges: { edge: GraphEdge; label: string; lines: string[]; box: Box; points: { x: number; y: number }[] }[];
  legend: { text: string; x: number; y: number };
}

/**
 * Lays the graph out with dagre, inputs on the left: the edge labels are dummy nodes of the layout, so
 * they sit on their edges and overlap neither each other nor the boxes.
 */
/** The most variables a graph is laid out with (dagre's layout recurses with the graph's depth). */
export const MAX_DRAWN_NODES = 2000;

export function layoutGraph(d: ProgramDerivation): GraphLayout {
  expectProgram(d, "layoutGraph");
  if (d.graph.nodes.length > MAX_DRAWN_NODES)
    throw new ValueError(`layoutGraph: ${d.graph.nodes.length} variables are too many to draw (up to ${MAX_DRAWN_NODES}): use the text, markdown, latex, json or dot format`);
  const g = new dagre.graphlib.Graph<object, { width: number; height: number; x?: number; y?: number }, { width: number; height: number; labelpos: "c"; x?: number; y?: number; points?: { x: number; y: number }[] }>();
  g.setGraph({ rankdir: "LR", nodesep: 20, edgesep: 16, ranksep: 40, marginx: 16, marginy: 16 });
  // NOTE: dagre keys nodes by plain objects, so a variable named `constructor` would collide: ids are indices.
  const id = new Map(d.graph.nodes.map((n, i) => [n.name, `n${i}`]));
  const lines = new Map(d.graph.nodes.map((n) => [n.name, nodeLines(d, n)]));
  for (const [name, ls] of lines) g.setNode(id.get(name)!, { width: Math.max(...ls.map(textWidth)) + 20, height: ls.length * LINE_H + 14 });
  const labelLines = d.graph.edges.map((e) => edgeLabel(d, e));
  d.graph.edges.forEach((e, i) => g.setEdge(id.get(e.from)!, id.get(e.to)!, { width: Math.max(...labelLines[i]!.map(textWidth)) + 8, height: labelLines[i]!.length * LINE_H + 2, labelpos: "c" }));
  dagre.layout(g);
  const box = (l: { x?: number; y?: number; width: number; height: number }): Box => ({ x: l.x! - l.width / 2, y: l.y! - l.height / 2, w: l.width, h: l.height });
  const info = g.graph() as { width: number; height: number };
  const text = legend(d);
  return {
    width: Math.max(info.width, textWidth(text) + 32), height: info.height + LINE_H + 8,
    nodes: d.graph.nodes.map((n) => ({ node: n, lines: lines.get(n.name)!, box: box(g.node(id.get(n.name)!)) })),
    edges: d.graph.edges.map((e, i) => {
      const l = g.edge(id.get(e.from)!, id.get(e.to)!);
      return { edge: e, label: labelLines[i]!.join(" "), lines: labelLines[i]!, box: box(l), points: l.points ?? [] };
    }),
    legend: { text, x: 16, y: info.height + 4 },
  };
}

/** A smooth curve through every one of dagre's points (Catmull-Rom as cubic Béziers), so it passes through the label. */
function pathThrough(ps: readonly { x: number; y: number }[]): string {
  const at = (i: number) => ps[Math.max(0, Math.min(ps.length - 1, i))]!;
  let s = `M${r(at(0).x)},${r(at(0).y)}`;
  for (let i = 0; i + 1 < ps.length; i++) {
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    const c1 = [p1.x + (p2.x - p0.x) / 6, p1.y + (p2.y - p0.y) / 6], c2 = [p2.x - (p3.x - p1.x) / 6, p2.y - (p3.y - p1.y) / 6];
    s += ` C${c1.map(r).join(",")} ${c2.map(r).join(",")} ${r(p2.x)},${r(p2.y)}`;
  }
  return s;
}

/**
 * The program's graph as a standalone SVG, laid out by dagre from inputs (left) to the output (right):
 * boxes with name, value and total gradient; edges labelled with their local derivatives.
 */
export function formatSvg(d: ProgramDerivation): string {
  expectProgram(d, "formatSvg");
  const lay = layoutGraph(d);
  const parts: string[] = [];
  for (const e of lay.edges) parts.push(`<path d="${pathThrough(e.points)}" fill="none" stroke="#555" marker-end="url(#arrow)"/>`);
  for (const e of lay.edges) {
    const b = e.box;
    parts.push(`<rect x="${r(b.x)}" y="${r(b.y)}" width="${r(b.w)}" height="${r(b.h)}" fill="#ffffff" fill-opacity="0.9" class="label"/>`);
    const x = r(b.x + b.w / 2);
    const spans = e.lines.map((l, i) => `<tspan x="${x}" y="${r(b.y + 13 + i * LINE_H)}">${xml(l)}</tspan>`);
    parts.push(`<text text-anchor="middle" class="edge">${spans.join("")}</text>`);
  }
  for (const { node, lines, box: b } of lay.nodes) {
    parts.push(`<rect x="${r(b.x)}" y="${r(b.y)}" width="${r(b.w)}" height="${r(b.h)}" rx="6" fill="${fill(d, node)}" stroke="#333"/>`);
    lines.forEach((line, i) => {
      parts.push(`<text x="${r(b.x + 10)}" y="${r(b.y + 19 + i * LINE_H)}"${i === 0 ? ' font-weight="bold"' : ""}>${xml(line)}</text>`);
    });
  }
  parts.push(`<text x="${r(lay.legend.x)}" y="${r(lay.legend.y + 12)}" class="legend">${xml(lay.legend.text)}</text>`);
  const [w, h] = [r(lay.width), r(lay.height)];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">`,
    `<title>${xml(`Graph of ${d.of}`)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    "<style>.edge { font-size: 11px; fill: #222; } .legend { font-size: 11px; fill: #555; }</style>",
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
  ].join("\n") + "\n";
}
