import type { Tensor } from "./tensor.js";

/** What a value is (`a string ("abc")`, `a Float32Array`, `null`), for "expected ..., found ..." messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array";
  const article = (name: string) => `${/^[aeiouAEIOU]/.test(name) ? "an" : "a"} ${name}`;
  if (typeof v === "object") return v.constructor && v.constructor !== Object ? article(v.constructor.name) : "an object";
  if (typeof v === "function") return "a function";
  return typeof v === "string" ? `a string (${JSON.stringify(v)})` : `a ${typeof v} (${String(v)})`;
}

const EDGE = 3;
const SUMMARIZE_ABOVE = 1000;

/** PyTorch-style printing: `tensor([[1.0000, 2.0000], …], dtype=float64, requiresGrad=true)`. */
export function formatTensor(t: Tensor): string {
  const { data, shape, dtype } = t;
  const summarize = data.length > SUMMARIZE_ABOVE;
  let fmt: (v: number) => string;
  if (dtype === "int32") fmt = (v) => String(v);
  else {
    let maxAbs = 0, minAbs = Infinity, allInt = true;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) continue;
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
      if (a > 0 && a < minAbs) minAbs = a;
      if (!Number.isInteger(v)) allInt = false;
    }
    const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && !allInt) || (minAbs !== Infinity && maxAbs / minAbs > 1e6 && !allInt);
    fmt = (v) => {
      if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
      if (sci) return v.toExponential(4);
      if (allInt) return `${v}.`;
      return v.toFixed(4);
    };
  }
  const cells: string[] = [];
  for (let i = 0; i < data.length; i++) cells.push(fmt(data[i]));
  const width = cells.reduce((w, c) => Math.max(w, c.length), 0);
  const pad = (s: string) => s.padStart(width);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const indent = "tensor(".length;
  const rec = (dim: number, off: number): string => {
    if (dim === shape.length) return pad(cells[off]);
    const n = shape[dim];
    const idx = summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? "..." : rec(dim + 1, off + i * strides[dim])));
    if (dim === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? cells[0] : rec(0, 0);
  const extras: string[] = [];
  if (data.length === 0) extras.push(`size=[${shape.join(", ")}]`);
  if (dtype !== "float32") extras.push(`dtype=${dtype}`);
  if (t.op !== null) extras.push(`gradFn=${t.op}`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  if (t.name !== undefined) extras.push(`name=${JSON.stringify(t.name)}`);
  return `tensor(${body}${extras.length ? ", " + extras.join(", ") : ""})`;
}
