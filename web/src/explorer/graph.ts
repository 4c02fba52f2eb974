// The computation graph in SVG, from the layout the worker made: a box per variable (its value after the
// forward pass, its gradient once the backward pass reaches it), an arrow per use labelled with the local
// derivative; edges and nodes carry classes for the current backward step and the highlighted paths.
import type { ProgramDerivation } from "chainrule";
import type { Layout } from "./handlers.js";
import { edgeLines, LINE_H, nodeLines } from "./text.js";

const NS = "http://www.w3.org/2000/svg";
const r = (v: number) => Math.round(v * 10) / 10;

export interface View {
  /** Forward values shown. */
  values: boolean;
  /** The variables whose gradient is shown (the backward steps done). */
  grads: ReadonlySet<string>;
  /** Edges of the current backward step, as `from→to`. */
  step: ReadonlySet<string>;
  /** The highlighted chain-rule paths: per edge `from→to` (and per node), the indices of the paths through it. */
  paths: ReadonlyMap<string, number[]>;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** A smooth curve through dagre's points (Catmull-Rom as cubic Béziers), passing through the label. */
function curve(ps: readonly { x: number; y: number }[]): string {
  const at = (i: number) => ps[Math.max(0, Math.min(ps.length - 1, i))]!;
  let s = `M${r(at(0).x)},${r(at(0).y)}`;
  for (let i = 0; i + 1 < ps.length; i++) {
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    s += ` C${r(p1.x + (p2.x - p0.x) / 6)},${r(p1.y + (p2.y - p0.y) / 6)} ${r(p2.x - (p3.x - p1.x) / 6)},${r(p2.y - (p3.y - p1.y) / 6)} ${r(p2.x)},${r(p2.y)}`;
  }
  return s;
}

function lines(parent: Element, ls: string[], x: number, y: number, anchor: "start" | "middle", cls: (i: number) => string): void {
  const t = el("text", { "text-anchor": anchor }, parent);
  ls.forEach((l, i) => {
    const span = el("tspan", { x: r(x), y: r(y + i * LINE_H), class: cls(i) }, t);
    span.textContent = l;
  });
}

/** Draws `d`'s graph into `svg` (replacing what was there) as `view` says. */
export function drawGraph(svg: SVGSVGElement, d: ProgramDerivation, lay: Layout, view: View): void {
  svg.replaceChildren();
  svg.setAttribute("width", String(Math.ceil(lay.width)));
  svg.setAttribute("height", String(Math.ceil(lay.height)));
  svg.setAttribute("viewBox", `0 0 ${Math.ceil(lay.width)} ${Math.ceil(lay.height)}`);
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "explorer-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }, marker);
  const pathClass = (key: string) => (view.paths.get(key) ?? []).map((p) => ` on-path path-${p % 4}`).join("");
  d.graph.edges.forEach((e, i) => {
    const key = `${e.from}→${e.to}`;
    const g = el("g", { class: `edge${view.step.has(key) ? " step" : ""}${pathClass(key)}`, "data-from": e.from, "data-to": e.to }, svg);
    const { points, label: b } = lay.edges[i]!;
    el("path", { d: curve(points), class: "wire", "marker-end": "url(#explorer-arrow)" }, g);
    el("rect", { x: r(b.x), y: r(b.y), width: r(b.w), height: r(b.h), rx: 3, class: "label" }, g);
    lines(g, edgeLines(e, view.values), b.x + b.w / 2, b.y + 13, "middle", () => "");
    el("title", {}, g).textContent = `∂${e.to}/∂${e.from} = ${e.local}`;
  });
  d.graph.nodes.forEach((n, i) => {
    const b = lay.nodes[i]!;
    const cls = `node ${n.kind}${view.step.has(n.name) ? " step" : ""}${view.grads.has(n.name) ? " has-grad" : ""}${pathClass(n.name)}`;
    const g = el("g", { class: cls, "data-name": n.name }, svg);
    el("rect", { x: r(b.x), y: r(b.y), width: r(b.w), height: r(b.h), rx: 6 }, g);
    const ls = nodeLines(d, n, { value: view.values, grad: view.grads.has(n.name) });
    lines(g, ls, b.x + 10, b.y + 19, "start", (k) => (k === 0 ? "name" : ls[k]!.startsWith("∂") ? "grad" : "value"));
  });
}
