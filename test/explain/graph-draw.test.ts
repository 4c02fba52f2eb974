import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { deriveNamed } from "../../src/explain/derive.js";
import { explainProgram } from "../../src/explain/explain-program.js";
import { type Box, formatDot, formatSvg, layoutGraph } from "../../src/explain/graph-draw.js";

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const P1_VALUES = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };
const p1 = () => explainProgram(P1, P1_VALUES);

/** P1's steps as plain functions of their operands, to take each local derivative by central differences. */
const relu = (u: number) => Math.max(0, u);
const STEPS: Record<string, (v: Record<string, number>) => number> = {
  x1: (v) => relu(v.x0! * v.w0! + v.b0!),
  y1: (v) => v.x1! * v.w1! + v.b1!,
  z: (v) => relu(v.y1! + v.x0!),
};
const FORWARD = { ...P1_VALUES, x1: 0.4, y1: -0.38, z: 0.62 };
function localDerivative(to: string, from: string): number {
  const at = (dx: number) => STEPS[to]!({ ...FORWARD, [from]: FORWARD[from as keyof typeof FORWARD] + dx });
  return (at(1e-6) - at(-1e-6)) / 2e-6;
}

/** The local derivative of each edge of P1, written out by hand: the step's rule, then its value. */
const P1_EDGES: Record<string, [string, number]> = {
  "x0 -> x1": ["ReLU'(x0·w0 + b0) · w0", 0.3],
  "w0 -> x1": ["ReLU'(x0·w0 + b0) · x0", 1],
  "b0 -> x1": ["ReLU'(x0·w0 + b0)", 1],
  "x1 -> y1": ["w1", -0.2],
  "w1 -> y1": ["x1", 0.4],
  "b1 -> y1": ["1", 1],
  "y1 -> z": ["ReLU'(y1 + x0)", 1],
  "x0 -> z": ["ReLU'(y1 + x0)", 1],
};
const num = (v: number) => String(v).replace("-", "−");
const expectedLabel = (from: string, to: string) => {
  const [rule, value] = P1_EDGES[`${from} -> ${to}`]!;
  return `∂${to}/∂${from} (local) = ${rule}${rule === num(value) ? "" : ` = ${num(value)}`}`;
};

const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * A small XML well-formedness check: one root, every tag closed in order, attributes quoted and
 * unique, no raw `<` or stray `&` in text or attribute values. Returns the elements with their
 * attributes and their text (a child element's text included, after a space).
 */
function parseXml(s: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const elements: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const open: { name: string; index: number }[] = [];
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  let roots = 0;
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const text = s.slice(i, lt < 0 ? s.length : lt);
    if (entity.test(text)) throw new Error(`stray & in text near ${i}`);
    if (open.length === 0 && text.trim() !== "") throw new Error(`text outside the root near ${i}`);
    for (const o of open) elements[o.index]!.text += text;
    if (lt < 0) break;
    const gt = s.indexOf(">", lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = s.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const top = open.pop();
      if (top?.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${top?.name}>`);
      continue;
    }
    const m = /^([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (!m) throw new Error(`malformed tag <${tag}>`);
    const attrs: Record<string, string> = {};
    for (const [, k, v] of m[2]!.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
      if (k! in attrs) throw new Error(`attribute ${k} twice in <${m[1]}>`);
      if (entity.test(v!)) throw new Error(`stray & in attribute ${k}`);
      attrs[k!] = v!;
    }
    if (open.length === 0 && ++roots > 1) throw new Error("more than one root element");
    for (const o of open) elements[o.index]!.text += " ";
    elements.push({ name: m[1]!, attrs, text: "" });
    if (m[3] !== "/") open.push({ name: m[1]!, index: elements.length - 1 });
  }
  if (open.length > 0) throw new Error(`<${open[0]!.name}> is never closed`);
  return elements;
}
const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();

/** Points along an SVG path made of `M x,y` and cubic `C` segments. */
function curvePoints(d: string): { x: number; y: number }[] {
  const n = (d.match(/-?[\d.]+/g) ?? []).map(Number);
  let [x0, y0] = [n[0]!, n[1]!];
  const pts = [{ x: x0, y: y0 }];
  for (let i = 2; i + 5 < n.length; i += 6) {
    const [ax, ay, bx, by, x, y] = n.slice(i, i + 6) as [number, number, number, number, number, number];
    for (let t = 0.02; t <= 1; t += 0.02) {
      const u = 1 - t;
      pts.push({ x: u ** 3 * x0 + 3 * u * u * t * ax + 3 * u * t * t * bx + t ** 3 * x, y: u ** 3 * y0 + 3 * u * u * t * ay + 3 * u * t * t * by + t ** 3 * y });
    }
    [x0, y0] = [x, y];
  }
  return pts;
}

describe("the graph of P1", () => {
  it("labels every edge with its local derivative, matching central differences of its step", () => {
    const d = p1();
    expect(d.graph.edges).toHaveLength(8);
    const { edges } = layoutGraph(d);
    for (const e of edges) {
      expect(e.label).toBe(expectedLabel(e.edge.from, e.edge.to));
      expect(e.edge.value).toBeCloseTo(localDerivative(e.edge.to, e.edge.from), 6);
    }
    // the skip connection's edge says 1 (local); the box of x0 says 0.94 (total): both shown, never confused
    const svg = formatSvg(d);
    expect(svg).toMatch(/>∂z\/∂x0 \(local\)<\/tspan><tspan [^>]*>= ReLU'\(y1 \+ x0\) = 1</);
    expect(svg).toContain("∂z/∂x0 = 0.94");
    expect(svg).not.toMatch(/>∂z\/∂x0 = ReLU/);
    expect(svg).toContain("total gradient");
  });

  it("lays out edge labels that overlap neither each other nor any box, each on its own edge", () => {
    const { nodes, edges, width, height } = layoutGraph(p1());
    const boxes = [...nodes.map((n) => n.box), ...edges.map((e) => e.box)];
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(width);
      expect(b.y + b.h).toBeLessThanOrEqual(height);
    }
    edges.forEach((e, i) => {
      for (const n of nodes) expect(overlap(e.box, n.box), `${e.label} overlaps the box of ${n.node.name}`).toBe(false);
      for (const f of edges.slice(i + 1)) expect(overlap(e.box, f.box), `${e.label} overlaps ${f.label}`).toBe(false);
      const c = { x: e.box.x + e.box.w / 2, y: e.box.y + e.box.h / 2 };
      expect(e.points.some((p) => Math.hypot(p.x - c.x, p.y - c.y) < 1), `${e.label} sits on its edge`).toBe(true);
    });
  });

  it("draws well-formed SVG whose label and box rectangles are the layout's, with no overlaps", () => {
    const d = p1();
    const svg = formatSvg(d);
    const els = parseXml(svg);
    expect(els[0]!.name).toBe("svg");
    expect(els[0]!.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    const rect = (e: { attrs: Record<string, string> }): Box => ({ x: +e.attrs.x!, y: +e.attrs.y!, w: +e.attrs.width!, h: +e.attrs.height! });
    const labels = els.filter((e) => e.name === "rect" && e.attrs.class === "label").map(rect);
    const boxes = els.filter((e) => e.name === "rect" && e.attrs.rx === "6").map(rect);
    expect(labels).toHaveLength(8);
    expect(boxes).toHaveLength(8);
    labels.forEach((l, i) => {
      for (const b of boxes) expect(overlap(l, b)).toBe(false);
      for (const m of labels.slice(i + 1)) expect(overlap(l, m)).toBe(false);
    });
    // a label's box holds its longest line in 11 px DejaVu Sans Mono (advance 0.602 em), two lines high
    const lines = els.filter((e) => e.name === "tspan").map((e) => [...unescape(e.text)].length);
    expect(Math.min(...labels.map((l) => l.w))).toBeGreaterThan(0);
    expect(lines).toHaveLength(16);
    labels.forEach((l, i) => {
      expect(l.w).toBeGreaterThanOrEqual(Math.max(lines[2 * i]!, lines[2 * i + 1]!) * 11 * 0.602);
      expect(l.h).toBeGreaterThanOrEqual(2 * 14);
    });
    const texts = els.filter((e) => e.name === "text" && e.attrs.class === "edge").map((e) => unescape(e.text));
    expect(texts.sort()).toEqual(d.graph.edges.map((e) => expectedLabel(e.from, e.to)).sort());
    expect(els.filter((e) => e.name === "path" && e.attrs["marker-end"])).toHaveLength(8);
    const paths = els.filter((e) => e.name === "path" && e.attrs["marker-end"]);
    for (const p of paths) expect(p.attrs.d).toMatch(/^M[\d.]+,[\d.]+( C[\d.]+,[\d.]+ [\d.]+,[\d.]+ [\d.]+,[\d.]+)+$/);
    // each drawn curve runs through its own label and past every other label and box (P1's layout; not promised for every graph)
    const inside = (p: { x: number; y: number }, b: Box) => p.x > b.x && p.x < b.x + b.w && p.y > b.y && p.y < b.y + b.h;
    const lay = layoutGraph(d);
    paths.forEach((p, i) => {
      const e = lay.edges[i]!;
      const pts = curvePoints(p.attrs.d!);
      expect(pts.some((q) => inside(q, e.box)), `${e.label} on its curve`).toBe(true);
      for (const f of lay.edges) if (f !== e) expect(pts.some((q) => inside(q, f.box)), `${e.label} crosses ${f.label}`).toBe(false);
      for (const n of lay.nodes) if (n.node.name !== e.edge.from && n.node.name !== e.edge.to) expect(pts.some((q) => inside(q, n.box)), `${e.label} crosses ${n.node.name}`).toBe(false);
    });
  });

  it("says local on the DOT edges too", () => {
    const dot = formatDot(p1());
    expect(dot).toMatch(/^digraph chainrule \{/);
    expect(dot).toContain(`"x0" -> "z" [label="∂z/∂x0 (local)\\n= ReLU'(y1 + x0) = 1"]`);
    expect(dot).toContain(`"x0" -> "x1" [label="∂x1/∂x0 (local)\\n= ReLU'(x0·w0 + b0) · w0 = 0.3"]`);
    expect(dot).toContain('"x0" [label="x0 (input)\\nvalue 1\\n∂z/∂x0 = 0.94"');
    expect(dot.match(/->/g)).toHaveLength(8);
    expect(dot.match(/\(local\)/g)).toHaveLength(8);
  });
});

describe("the graph of a tensor program", () => {
  it("labels edges with what reverse mode sends back, and its SVG parses", () => {
    const d = explainProgram("Z = X @ W + b\nL = mean(relu(Z))", { X: [[1, 2], [0.5, -1]], W: [[0.1, -0.2], [0.4, 0.5]], b: [0.1, 0] });
    const { edges } = layoutGraph(d);
    for (const e of edges) expect(e.label).toMatch(/^sends back /);
    expect(() => parseXml(formatSvg(d))).not.toThrow();
  });
});

describe("a long local derivative", () => {
  it("is cut in its rule, never in its value", () => {
    const d = explainProgram("y = sigmoid(a*b + a*a*b - b*b*b + a*b*b*a + tanh(a*b*a) + exp(b*a*b) + a*a*a*b*b)", { a: 0.3, b: -0.7 });
    const { edges } = layoutGraph(d);
    for (const e of edges) {
      expect(e.lines[1]!.length).toBeLessThanOrEqual(64);
      expect(e.lines[1]).toMatch(/… = \S+$/);
      expect(e.lines[1]!.endsWith(` = ${String(Number((e.edge.value as number).toPrecision(10))).replace("-", "−")}`)).toBe(true);
    }
  });
});

describe("variables named like object properties", () => {
  it("each get their own box", () => {
    const { nodes, edges } = layoutGraph(explainProgram("constructor = x*w; toString = constructor + x", { x: 1, w: 2 }));
    expect(nodes.map((n) => n.node.name).sort()).toEqual(["constructor", "toString", "w", "x"]);
    nodes.forEach((n, i) => nodes.slice(i + 1).forEach((m) => expect(overlap(n.box, m.box)).toBe(false)));
    expect(edges).toHaveLength(4);
  });
});

describe("drawing anything but a program", () => {
  it("is refused with a ValueError that says what was expected", () => {
    expect(() => formatSvg(deriveNamed("mse") as never)).toThrow(new ValueError("formatSvg: expected the derivation of a program (explainProgram's result), found a derivation of kind named"));
    expect(() => formatDot(null as never)).toThrow(ValueError);
    expect(() => layoutGraph("z = x" as never)).toThrow(/layoutGraph: expected the derivation of a program .*, found string/);
  });
});

describe("the XML check itself", () => {
  it.each([
    ["<svg><text>a</svg>", /closes/],
    ["<svg><rect x=1/></svg>", /malformed/],
    ["<svg>a & b</svg>", /stray &/],
    ["<svg/><svg/>", /more than one root/],
    ["<svg>", /never closed/],
  ])("rejects %s", (bad, message) => {
    expect(() => parseXml(bad)).toThrow(message);
  });
});

describe("a program too long to draw", () => {
  it("is a ValueError naming the count and the formats that work, not a stack overflow in the layout", () => {
    const lines = Array.from({ length: 3000 }, (_, k) => `x${k + 1} = tanh(x${k}*w${k})`);
    const d = explainProgram(lines.join("\n"), { x0: 0.5, ...Object.fromEntries(Array.from({ length: 3000 }, (_, k) => [`w${k}`, 0.9])) });
    expect(d.graph.nodes.length).toBe(6001);
    expect(() => formatSvg(d)).toThrow(ValueError);
    expect(() => formatSvg(d)).toThrow("layoutGraph: 6001 variables are too many to draw (up to 2000): use the text, markdown, latex, json or dot format");
    expect(formatDot(d).split("\n").filter((l) => l.includes("->")).length).toBe(6000);
  }, 60_000);
});
