import type { GraphEdge, GraphNode, ProgramDerivation } from "./derivation.js";
import { formatNumber, formatShape, formatValue } from "./numbers.js";

const MAX_LINE = 64;
const clip = (s: string) => ([...s].length > MAX_LINE ? `${[...s].slice(0, MAX_LINE - 1).join("")}…` : s);

function nodeLines(d: ProgramDerivation, n: GraphNode): string[] {
  const p = d.precision;
  const shape = n.shape.length > 0 ? `   [${formatShape(n.shape)}]` : "";
  return [
    clip(n.expression ? `${n.name} = ${n.expression}` : `${n.name} (input)`),
    clip(`value ${formatValue(n.value, p)}${shape}`),
    ...(n.grad === null ? [] : [clip(`∂${d.of}/∂${n.name} = ${formatValue(n.grad, p)}`)]),
  ];
}

function edgeLabel(d: ProgramDerivation, e: GraphEdge): string {
  if (e.value === null) return clip(`${e.local}`);
  return clip(`∂${e.to}/∂${e.from} = ${e.local}${e.local === formatValue(e.value, d.precision) ? "" : ` = ${formatValue(e.value, d.precision)}`}`);
}

const dotString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/**
 * The program's graph in Graphviz DOT: one box per variable with its value and gradient, one edge per
 * use labelled with the local derivative ∂to/∂from (for tensors, what reverse mode sends back).
 */
export function formatDot(d: ProgramDerivation): string {
  const out = [
    "digraph chainrule {",
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const n of d.graph.nodes) {
    const fill = n.name === d.of ? "#fff3c4" : n.kind === "input" ? "#dcebfa" : "#eeeeee";
    out.push(`  ${dotString(n.name)} [label=${dotString(nodeLines(d, n).join("\n"))}, fillcolor="${fill}"];`);
  }
  for (const e of d.graph.edges) out.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(edgeLabel(d, e))}];`);
  out.push("}");
  return out.join("\n") + "\n";
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const CHAR_W = 7.4;
const LINE_H = 16;
const textWidth = (s: string) => [...s].length * CHAR_W;

/**
 * The program's graph as a standalone SVG, laid out in layers from inputs (left) to the output (right):
 * boxes with name, value and gradient; edges labelled with their local derivatives.
 */
export function formatSvg(d: ProgramDerivation): string {
  const { nodes, edges } = d.graph;
  const layer = new Map<string, number>();
  const assigned = nodes.filter((n) => n.kind === "assigned");
  for (const n of assigned) {
    const deps = edges.filter((e) => e.to === n.name).map((e) => layer.get(e.from) ?? 0);
    layer.set(n.name, 1 + Math.max(0, ...deps));
  }
  for (const n of nodes.filter((m) => m.kind === "input")) {
    const users = edges.filter((e) => e.from === n.name).map((e) => layer.get(e.to)!);
    layer.set(n.name, users.length > 0 ? Math.max(0, Math.min(...users) - 1) : 0);
  }
  const layers: GraphNode[][] = [];
  for (const n of nodes) (layers[layer.get(n.name)!] ??= []).push(n);
  // edges that skip a layer run along lanes above the boxes
  const long = edges.filter((e) => layer.get(e.to)! - layer.get(e.from)! > 1);
  const top = 30 + long.length * 24;
  const box = new Map<string, { x: number; y: number; w: number; h: number; lines: string[] }>();
  const gap = Math.max(160, ...edges.map((e) => textWidth(edgeLabel(d, e)) + 40));
  let x = 20;
  const heights = layers.map((l) => (l ?? []).reduce((s, n) => s + (nodeLines(d, n).length * LINE_H + 14) + 36, -36));
  const total = Math.max(...heights);
  const rank = new Map<string, number>();
  layers.forEach((l, i) => {
    if (!l) return;
    // assigned nodes near the mean rank of their operands, the inputs of this layer after them
    const key = (n: GraphNode) => {
      const preds = edges.filter((e) => e.to === n.name).map((e) => rank.get(e.from) ?? 0);
      return preds.length > 0 ? preds.reduce((p, q) => p + q, 0) / preds.length : Infinity;
    };
    l.sort((p, q) => key(p) - key(q));
    const lw = Math.max(...l.map((n) => Math.max(...nodeLines(d, n).map(textWidth)) + 20));
    let y = top + (total - heights[i]!) / 2;
    l.forEach((n, k) => {
      const lines = nodeLines(d, n);
      const h = lines.length * LINE_H + 14;
      box.set(n.name, { x, y, w: lw, h, lines });
      rank.set(n.name, k - (l.length - 1) / 2);
      y += h + 36;
    });
    x += lw + gap;
  });
  const width = x - gap + 20;
  const height = top + total + 40;
  const parts: string[] = [];
  const labels: { x: number; y: number; text: string }[] = [];
  for (const e of edges) {
    const a = box.get(e.from)!, b = box.get(e.to)!;
    const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
    const lx = b.x - gap / 2;
    const lane = long.indexOf(e);
    if (lane >= 0) {
      const ly = top - 18 - lane * 24;
      parts.push(`<path d="M${x1},${y1} C${x1 + 50},${y1} ${x1 + 30},${ly} ${x1 + 90},${ly} L${x2 - 90},${ly} C${x2 - 30},${ly} ${x2 - 50},${y2} ${x2 - 2},${y2}" fill="none" stroke="#555" marker-end="url(#arrow)"/>`);
      labels.push({ x: lx, y: ly, text: edgeLabel(d, e) });
      continue;
    }
    const mx = (x1 + x2) / 2;
    parts.push(`<path d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 2},${y2}" fill="none" stroke="#555" marker-end="url(#arrow)"/>`);
    // the label sits on the curve, in the gap just before the target
    let lo = 0, hi = 1;
    for (let k = 0; k < 40; k++) {
      const t = (lo + hi) / 2;
      const xt = (1 - t) ** 3 * x1 + 3 * (1 - t) ** 2 * t * mx + 3 * (1 - t) * t ** 2 * mx + t ** 3 * x2;
      if (xt < lx) lo = t;
      else hi = t;
    }
    const t = (lo + hi) / 2;
    labels.push({ x: lx, y: y1 + (y2 - y1) * (3 * t * t - 2 * t * t * t), text: edgeLabel(d, e) });
  }
  labels.sort((p, q) => p.x - q.x || p.y - q.y);
  for (let i = 1; i < labels.length; i++) {
    const prev = labels[i - 1]!, cur = labels[i]!;
    if (Math.abs(prev.x - cur.x) < 1 && cur.y - prev.y < LINE_H + 2) cur.y = prev.y + LINE_H + 2;
  }
  for (const l of labels) {
    const w = textWidth(l.text) + 8;
    parts.push(`<rect x="${l.x - w / 2}" y="${l.y - 11}" width="${w}" height="${LINE_H}" fill="#ffffff" fill-opacity="0.9"/>`);
    parts.push(`<text x="${l.x}" y="${l.y + 1}" text-anchor="middle" class="edge">${xml(l.text)}</text>`);
  }
  for (const n of nodes) {
    const b = box.get(n.name)!;
    const fill = n.name === d.of ? "#fff3c4" : n.kind === "input" ? "#dcebfa" : "#eeeeee";
    parts.push(`<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${fill}" stroke="#333"/>`);
    b.lines.forEach((line, i) => {
      parts.push(`<text x="${b.x + 10}" y="${b.y + 19 + i * LINE_H}"${i === 0 ? ' font-weight="bold"' : ""}>${xml(line)}</text>`);
    });
  }
  const r = (v: number) => formatNumber(v, 6).replace("−", "-");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">`,
    `<title>${xml(`Graph of ${d.of}`)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    "<style>.edge { font-size: 11px; fill: #222; }</style>",
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
  ].join("\n") + "\n";
}
