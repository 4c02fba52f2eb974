import type { Tensor } from "../tensor/tensor.js";

/** A number, or nested arrays of numbers for a tensor (JSON-ready). */
export type Value = number | Value[];

/** The default number of significant digits shown before trimming (`0.94`, not `0.9400000000000001`). */
export const DEFAULT_PRECISION = 10;

const MINUS = "\u2212";

/**
 * The shortest text of `v` that round-trips at `precision` significant digits, with `−` (U+2212) for
 * minus: `formatNumber(0.1 + 0.2)` is `0.3`, `formatNumber(-0.2)` is `−0.2`, `formatNumber(1e-7)` is `1e−7`.
 */
export function formatNumber(v: number, precision = DEFAULT_PRECISION): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : `${MINUS}∞`;
  if (v === 0) return "0";
  return String(Number(v.toPrecision(precision))).replace("e+", "e").replace(/-/g, MINUS);
}

/** A count as text: exact up to 21 digits (`1,024`), else roughly (`about 1.1e602`). */
export function countText(n: bigint): string {
  const digits = n.toString();
  if (digits.length <= 21) return n.toLocaleString("en-US");
  return `about ${digits[0]}.${digits[1]}e${digits.length - 1}`;
}

/** Whether two numbers agree within a relative tolerance (absolutely within 1e-12 near zero); ±∞ and NaN only equal themselves. */
export function close(a: number, b: number, tol: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b || (Number.isNaN(a) && Number.isNaN(b));
  const d = Math.abs(a - b);
  return d <= tol * Math.max(Math.abs(a), Math.abs(b)) || d <= 1e-12;
}

/** A factor inside a product: a negative one in parentheses (`(−0.2)`, `(−w1)`). */
export const factorText = (text: string) => (text.startsWith(MINUS) ? `(${text})` : text);

/** A factor as written in a product of numbers: negative numbers in parentheses. */
export function formatFactor(v: number, precision = DEFAULT_PRECISION): string {
  return factorText(formatNumber(v, precision));
}

/** The values of a tensor as a number (one element, rank 0) or nested arrays. */
export function tensorValue(t: Tensor): Value {
  return t.ndim === 0 ? t.data[0]! : (t.toArray() as Value);
}

/** The most elements a value shows in full before it is summarized. */
const SHOW_ALL_UP_TO = 64;

/** A value as text: `0.4`, `[1, −2]`, `[[0.1, 0.2], [0.3, 0.4]]`; large tensors are summarized. */
export function formatValue(v: Value, precision = DEFAULT_PRECISION): string {
  if (typeof v === "number") return formatNumber(v, precision);
  const count = (x: Value): number => (typeof x === "number" ? 1 : x.reduce<number>((s, y) => s + count(y), 0));
  const summarize = count(v) > SHOW_ALL_UP_TO;
  const rec = (x: Value): string => {
    if (typeof x === "number") return formatNumber(x, summarize ? Math.min(precision, 4) : precision);
    if (summarize && x.length > 6) return `[${[...x.slice(0, 3).map(rec), "…", ...x.slice(-2).map(rec)].join(", ")}]`;
    return `[${x.map(rec).join(", ")}]`;
  };
  return rec(v);
}

/** A shape as text: `[2, 3]` gives `2×3`, `["N", "C"]` gives `N×C`, a scalar gives `scalar`. */
export function formatShape(shape: readonly (number | string)[]): string {
  return shape.length === 0 ? "scalar" : shape.join("×");
}

/**
 * Pads the cells of each row so that columns line up, from the left, as long as a column is at most
 * `maxWidth` wide (a long expression is not worth a page of spaces); a row's last cell is never padded.
 */
export function alignColumns(rows: readonly (readonly string[])[], separator: string, maxWidth = 40): string[] {
  const width = (s: string) => [...s].length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, j) => { if (j < row.length - 1) widths[j] = Math.max(widths[j] ?? 0, width(cell)); });
  const aligned = widths.findIndex((w) => w > maxWidth);
  const upTo = aligned < 0 ? widths.length : aligned;
  return rows.map((row) => row.map((cell, j) => (j < row.length - 1 && j < upTo ? cell + " ".repeat(widths[j]! - width(cell)) : cell)).join(separator));
}
