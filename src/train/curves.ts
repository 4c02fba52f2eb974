import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { describeValue } from "../tensor/format.js";
import type { EpochLog } from "./fit.js";

interface Series {
  label: string;
  color: string;
  values: (number | undefined)[];
  dashed?: boolean;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function panel(x0: number, y0: number, w: number, h: number, title: string, epochs: number, series: Series[], fmt: (v: number) => string): string {
  const vals = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const px = (e: number) => x0 + (epochs <= 1 ? w / 2 : ((e - 1) / (epochs - 1)) * w);
  const py = (v: number) => y0 + h - ((v - lo) / (hi - lo)) * h;
  const parts = [
    `<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (const t of niceTicks(lo, hi)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x0 + w}" y2="${y}" stroke="#eee"/>`, `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(t)}</text>`);
  }
  const every = Math.max(1, Math.ceil(epochs / 10));
  for (let e = 1; e <= epochs; e += every) parts.push(`<text x="${px(e).toFixed(1)}" y="${y0 + h + 16}" text-anchor="middle" font-size="11">${e}</text>`);
  parts.push(`<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle" font-size="12">epoch</text>`);
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => (v === undefined ? null : `${px(i + 1).toFixed(1)},${py(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    if (pts.length === 0) return;
    parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    for (const p of pts) parts.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="2.5" fill="${s.color}"/>`);
    const ly = y0 + h + 56, lx = x0 + w / 2 - 90 + k * 110;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`, `<text x="${lx + 30}" y="${ly}" dominant-baseline="middle" font-size="11">${esc(s.label)}</text>`);
  });
  return parts.join("\n");
}

/**
 * Loss and accuracy per epoch, train and validation (`valLoss`, `valAccuracy`; `testLabel` renames it), as a standalone SVG document.
 * @example writeFileSync("curves.svg", curvesSvg(history));
 */
export function curvesSvg(history: readonly EpochLog[], options?: { title?: string; testLabel?: string }): string {
  if (!Array.isArray(history)) throw new ValueError(`curvesSvg: expected the history (an array of epoch logs from fit), found ${describeValue(history)}`);
  const opts = checkOptions("curvesSvg", options, ["title", "testLabel"]);
  const n = history.length;
  const test = opts.testLabel ?? "validation";
  const W = 900, H = 380;
  const loss = panel(70, 60, 320, 240, "Loss", n, [
    { label: "train", color: "#1f77b4", values: history.map((l) => l.loss) },
    { label: test, color: "#d62728", values: history.map((l) => l.valLoss), dashed: true },
  ], (v) => v.toPrecision(3));
  const acc = panel(520, 60, 320, 240, "Accuracy", n, [
    { label: "train", color: "#1f77b4", values: history.map((l) => l.accuracy) },
    { label: test, color: "#d62728", values: history.map((l) => l.valAccuracy), dashed: true },
  ], (v) => `${(v * 100).toFixed(1)}%`);
  const title = opts.title ? `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16">${esc(opts.title)}</text>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${title}
${loss}
${acc}
</svg>
`;
}
