// The explorer tab's jobs for the computing worker (shared/compute-worker.ts): the worked solution of a
// program (explainProgram, as `chainrule explain` computes it, with `--check` claims) and its graph laid
// out by dagre, here so that a large program never freezes the page.
import dagre from "@dagrejs/dagre";
import { DTypeError, explainProgram, FormatError, GraphError, ParseError, parseClaims, parseSetValues, type ProgramDerivation, ShapeError, ValueError } from "chainrule";
import { latexToProgram, looksLikeLatex, plainNames } from "./latex.js";
import { CHAR_W, edgeLines, LINE_H, MAX_DRAWN, nodeLines } from "./text.js";

export type Notation = "auto" | "program" | "latex";
export interface ExplainArgs { program: string; notation: Notation; values: string; claims?: string }
export type Field = "program" | "values" | "claims";
export interface Box { x: number; y: number; w: number; h: number }
export interface Layout {
  width: number; height: number;
  nodes: Box[];
  edges: { points: { x: number; y: number }[]; label: Box }[];
}
export type ExplainResult =
  | { ok: true; d: ProgramDerivation; read: string | null; layout: Layout | null; nodeCount: number }
  | { ok: false; field: Field; name: string; message: string };

function layout(d: ProgramDerivation): Layout {
  const g = new dagre.graphlib.Graph<object, { width: number; height: number; x?: number; y?: number }, { width: number; height: number; labelpos: "c"; x?: number; y?: number; points?: { x: number; y: number }[] }>({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 24, edgesep: 18, ranksep: 50, marginx: 12, marginy: 12 });
  const id = new Map(d.graph.nodes.map((n, i) => [n.name, `n${i}`]));
  const size = (ls: string[]) => ({ width: Math.max(...ls.map((l) => l.length)) * CHAR_W + 20, height: ls.length * LINE_H + 12 });
  d.graph.nodes.forEach((n, i) => g.setNode(`n${i}`, size(nodeLines(d, n, { value: true, grad: true }))));
  d.graph.edges.forEach((e, i) => g.setEdge(id.get(e.from)!, id.get(e.to)!, { ...size(edgeLines(e, true)), labelpos: "c" }, `e${i}`));
  dagre.layout(g);
  const box = (l: { x?: number; y?: number; width: number; height: number }): Box => ({ x: l.x! - l.width / 2, y: l.y! - l.height / 2, w: l.width, h: l.height });
  const info = g.graph() as { width: number; height: number };
  return {
    width: info.width, height: info.height,
    nodes: d.graph.nodes.map((_, i) => box(g.node(`n${i}`))),
    edges: d.graph.edges.map((e, i) => {
      const l = g.edge(id.get(e.from)!, id.get(e.to)!, `e${i}`);
      return { points: l.points ?? [], label: box(l) };
    }),
  };
}

// NOTE: the library names its errors by their class (`new.target.name`), which a minified bundle renames.
const KINDS = { ParseError, ValueError, ShapeError, DTypeError, GraphError, FormatError };
const failure = (field: Field, e: unknown): ExplainResult => {
  const err = e instanceof Error ? e : new Error(String(e));
  const name = Object.entries(KINDS).find(([, C]) => err instanceof C)?.[0] ?? err.name;
  // The library's messages name the CLI's flags; on the page the values are typed in their own box.
  const message = err.message.replace(/: set (?:them|it) with --set (.*?) or --values file\.json/, ": add $1 to the values").replace(/^--check: /, "");
  return { ok: false, field, name, message };
};

/** The worked solution of `args.program` with its values (and its claims checked), with the graph's layout. */
export function explainJob(args: ExplainArgs): ExplainResult {
  const latex = args.notation === "latex" || (args.notation === "auto" && looksLikeLatex(args.program));
  let program = args.program;
  if (program.trim() === "") return failure("program", new Error("the program is empty: type assignments such as y = x*w"));
  try {
    if (latex) program = latexToProgram(program);
  } catch (e) {
    return failure("program", e);
  }
  const names = latex ? plainNames : (s: string) => s;
  let values: ReturnType<typeof parseSetValues>;
  try {
    values = args.values.trim() === "" ? {} : parseSetValues(names(args.values));
  } catch (e) {
    return failure("values", e);
  }
  let claims: ReturnType<typeof parseClaims> | undefined;
  try {
    claims = args.claims === undefined ? undefined : parseClaims(names(args.claims));
  } catch (e) {
    return failure("claims", e);
  }
  let d: ProgramDerivation;
  try {
    d = explainProgram(program, values, claims ? { check: claims } : {});
  } catch (e) {
    if (claims) {
      try {
        explainProgram(program, values);
        return failure("claims", e);
      } catch { /* the program's own error, said below */ }
    }
    const valuesError = e instanceof Error && /^no value for|is not a variable of the program; its inputs/.test(e.message);
    return failure(valuesError ? "values" : "program", e);
  }
  const n = d.graph.nodes.length;
  return { ok: true, d, read: latex ? program : null, layout: n <= MAX_DRAWN ? layout(d) : null, nodeCount: n };
}

export const handlers: Record<string, (args: never) => unknown> = {
  "explorer:explain": (args: ExplainArgs) => explainJob(args),
};
