// The text of the graph's boxes and labels, shared by the worker (which sizes the layout) and the page
// (which draws it); nothing heavy is imported here.
import type { ProgramDerivation } from "chainrule";

/** The most nodes drawn: a larger graph is summarized (its values and gradients are still listed). */
export const MAX_DRAWN = 300;
export const CHAR_W = 7.4;
export const LINE_H = 16;

const clip = (s: string, n = 42) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** The lines of a node's box, as drawn, with its value and gradient (widths are sized for both). */
export function nodeLines(d: ProgramDerivation, n: ProgramDerivation["graph"]["nodes"][number], show: { value: boolean; grad: boolean }): string[] {
  const lines = [n.expression ? clip(`${n.name} = ${n.expression}`) : n.name];
  if (show.value) lines.push(`= ${valueText(n.value)}`);
  if (show.grad && n.grad !== null) lines.push(`∂${d.of}/∂${n.name} = ${valueText(n.grad)}`);
  return lines;
}
export function edgeLines(e: ProgramDerivation["graph"]["edges"][number], value: boolean): string[] {
  return [clip(e.local, 32), ...(value && e.value !== null ? [`= ${valueText(e.value)}`] : [])];
}

/** A number as the library prints it (10 significant digits, `−` for minus, ∞, NaN); a tensor by its shape. */
export function valueText(v: unknown): string {
  if (typeof v !== "number") return Array.isArray(v) ? `tensor [${shapeOf(v).join("×")}]` : String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  return String(Number(v.toPrecision(10))).replace("e+", "e").replace(/-/g, "−");
}
const shapeOf = (v: unknown): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : []);

