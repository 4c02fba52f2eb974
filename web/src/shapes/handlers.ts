// The shapes tab's jobs for the computing worker (shared/compute-worker.ts): name → function of
// structured-cloneable arguments returning a structured-cloneable result.
import { explainModelSpec, mathToLatex, mlpSpec, type ModelDerivation, type ModelSpec, summary } from "chainrule";
import { errorName } from "../check/handlers.js";
import { escapeHtml, tex } from "../check/render.js";

export interface ShapesArgs { spec: string; batch: string; layout: "batch-first" | "features-first"; loss: "cross-entropy" | "mse"; input: string; l2: string }
export type Field = "spec" | "batch" | "input" | "loss" | "l2";
export interface Row { name: string; type: string; weight: string; bias: string; output: string; params: number; arithmetic: string }
export interface Eq { html: string; text: string; shape: string; note: string }
export interface ShapesResult {
  error?: { field: Field; name: string; message: string };
  rows: Row[];
  totalParams: number;
  /** P3's arithmetic: `80·1024 + 1024 + 1024·512 + 512 + 512·1 + 1 = 608,257`. */
  arithmetic: string;
  bytes: number;
  inputShape: string;
  sizes: string;
  legend: string[];
  forward: Eq[];
  backward: Eq[];
  notes: string[];
  warnings: string[];
}

const fmt = (n: number) => n.toLocaleString("en-US");
/**
 * Networks up to this many layers get the backward pass written out (explainModelSpec runs N symbolic
 * on distinct stand-in sizes, 14 of them); up to this many parameters it builds the network itself.
 */
const MAX_DEPTH = 13, MAX_PARAMS = 5e6;

class FieldError extends Error {
  constructor(readonly field: Field, message: string, name = "ValueError") { super(message); this.name = name; }
}

/** Text with `$…$` math (the library's notes): text escaped, math through mathToLatex and KaTeX. */
export function richHtml(s: string): string {
  return s.split(/\$([^$]*)\$/).map((part, i) => (i % 2 ? tex(mathToLatex(part), false) : escapeHtml(part))).join("");
}

function positive(field: Field, what: string, text: string): number {
  const n = Number(text.trim());
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n <= 0) throw new FieldError(field, `${what} must be a positive integer below 2^53, such as 32, found "${text.trim()}"`);
  return n;
}

function compute(a: ShapesArgs): ShapesResult {
  const src = a.spec.trim();
  if (src === "") throw new FieldError("spec", `the model spec is empty: give layer widths such as 784-1024-512-10, or a JSON model { "layers": [...] }`);
  const json = src.startsWith("{");
  let spec: ModelSpec;
  try { spec = json ? JSON.parse(src) : mlpSpec(src); } catch (e) { throw new FieldError("spec", json ? `the model is not valid JSON: ${(e as Error).message}` : (e as Error).message, json ? "SyntaxError" : errorName(e)); }
  if (!json) for (const w of src.split("-")) if (!Number.isSafeInteger(Number(w.trim()))) throw new FieldError("spec", `model spec "${src.slice(0, 80)}": a width must be an integer below 2^53 = 9,007,199,254,740,992, found ${w.trim().slice(0, 40)}`);
  const batch = a.batch.trim() === "" ? undefined : positive("batch", "the batch size", a.batch);
  if (a.loss !== "cross-entropy" && a.loss !== "mse") throw new FieldError("loss", `the loss must be cross-entropy or mse, found ${String(a.loss)}`);
  const l2 = a.l2.trim() === "" ? 0 : Number(a.l2);
  if (!(l2 >= 0 && l2 < Infinity)) throw new FieldError("l2", `λ must be a number ≥ 0, such as 0.0001, found "${a.l2.trim()}"`);
  const first = Array.isArray(spec?.layers) ? spec.layers[0] : undefined;
  let input: number[];
  if (a.input.trim() !== "") input = a.input.split(/[,x×]/).map((d) => positive("input", "each dimension of the input shape", d));
  else if (first?.type === "Linear" && Number.isSafeInteger(first.in)) input = [Number(first.in)];
  else if (first?.type === "Conv2d") input = [Number(first.in), 28, 28];
  else throw new FieldError("input", `give one sample's shape for this model, such as 1,28,28`);
  let s;
  try { s = summary(spec, input, { batch, layout: a.layout, print: false }); } catch (e) { throw new FieldError("spec", (e as Error).message, errorName(e)); }

  // P5: the backward pass as matrix equations, N symbolic (nothing the size of the network is allocated for
  // a big one: the equations and symbols are those of a network of the same depth with small widths).
  let d: ModelDerivation | null = null;
  const widths = json ? null : src.split("-").map(Number);
  const notes: string[] = [];
  if (widths && widths.length - 1 <= MAX_DEPTH) d = explainModelSpec(s.totalParams <= MAX_PARAMS ? src : widths.map((w) => Math.min(w, 4)).join("-"), { layout: a.layout, loss: a.loss, l2 });
  else if (widths) notes.push(`the backward pass is written out for networks of up to ${MAX_DEPTH} layers; this one has ${widths.length - 1}`);
  else notes.push("the backward pass as matrix equations is written for MLP specs such as 784-1024-512-10; a JSON model shows its shapes and parameters");
  const names = widths ? ["D", ...widths.slice(1, -1).map((_, i, hs) => (hs.length === 1 ? "H" : `H${String(i + 1).replace(/\d/g, (c) => "₀₁₂₃₄₅₆₇₈₉"[Number(c)]!)}`)), "C"] : [];
  const value = new Map<string, string>([...names.map((n, i): [string, string] => [n, String(widths![i]!)]), ["N", batch === undefined ? "N" : String(batch)]]);
  const shapeText = (sh: string[]) => {
    if (sh.length === 0) return "scalar";
    const sym = sh.join("×"), num = sh.map((x) => value.get(x) ?? x).join("×");
    return sym === num ? sym : `${sym} = ${num}`;
  };
  const eq = (e: ModelDerivation["forward"][number]): Eq => ({ html: tex(`${mathToLatex(e.lhs)} = ${mathToLatex(e.rhs)}`, false), text: `${e.lhs} = ${e.rhs}`, shape: shapeText(e.shape), note: e.note ? richHtml(e.note) : "" });
  const shapeOf = (lhs: string) => d?.backward.find((e) => e.lhs === lhs)?.shape;
  let k = 0;
  const rows: Row[] = s.rows.map((r, i) => {
    const layer = spec.layers[i]!;
    let weight = "", bias = "";
    if (layer.type === "Linear") {
      k++;
      const w = shapeOf(`∂L/∂W${k}`), b = shapeOf(`∂L/∂b${k}`);
      weight = w ? `W${k}: ${shapeText(w)}` : `${layer.out}×${layer.in}`;
      bias = layer.bias === false ? "" : b ? `b${k}: ${shapeText(b)}` : String(layer.out);
    } else if (layer.type === "Conv2d") weight = [layer.out, layer.in, ...(Array.isArray(layer.kernel) ? layer.kernel : [layer.kernel, layer.kernel])].join("×");
    return { name: r.name, type: r.type, weight, bias, output: r.outputShape.join("×"), params: r.params, arithmetic: r.arithmetic.replace(/×/g, "·") };
  });
  const terms = s.rows.filter((r) => r.params > 0).map((r) => (r.arithmetic.includes(" = ") ? r.arithmetic.slice(0, r.arithmetic.lastIndexOf(" = ")) : fmt(r.params)).replace(/×/g, "·"));
  if (s.totalParams > Number.MAX_SAFE_INTEGER) notes.push("the count is above 2^53, where float64 rounds: the last digits are not exact");
  const legend = (d ? (s.totalParams <= MAX_PARAMS ? d.legend : d.legend.slice(1)) : []).map((l) => (batch === undefined ? l : l.replace("$N$ examples (symbolic)", `$N = ${batch}$ examples`)));
  return {
    rows, totalParams: s.totalParams, arithmetic: `${terms.join(" + ") || "0"} = ${fmt(s.totalParams)}`, bytes: s.bytes,
    inputShape: s.inputShape.join("×"), sizes: [...value].filter(([n]) => n !== "N" || batch !== undefined).map(([n, v]) => `${n} = ${v}`).join(", "),
    legend: legend.map(richHtml), forward: d ? d.forward.map(eq) : [], backward: d ? d.backward.map(eq) : [],
    notes: [...notes, ...(d?.notes ?? []).filter((n) => !(d!.warnings ?? []).includes(n))].map(richHtml), warnings: (d?.warnings ?? []).map(richHtml),
  };
}

export const handlers = {
  "shapes:compute": (a: ShapesArgs): ShapesResult => {
    try {
      return compute(a);
    } catch (e) {
      const field: Field = e instanceof FieldError ? e.field : "spec";
      return { error: { field, name: e instanceof FieldError ? e.name : errorName(e), message: (e as Error).message ?? String(e) }, rows: [], totalParams: 0, arithmetic: "", bytes: 0, inputShape: "", sizes: "", legend: [], forward: [], backward: [], notes: [], warnings: [] };
    }
  },
} satisfies Record<string, (args: never) => unknown>;
