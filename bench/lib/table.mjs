// Tables of a run: one row per metric, one column per library, and the chainrule/peer ratios the
// README shows (console text and markdown from the same pivot).

/** Column order of the libraries; any other library follows in order of appearance. */
const LIB_ORDER = ["chainrule", "chainrule 2t", "jax-js", "tfjs-wasm", "tfjs-cpu", "torch 1t", "torch 2t"];

/** The ratios shown: [chainrule variant, peer, column title]. */
export const RATIOS = [
  ["chainrule", "jax-js", "vs jax-js"],
  ["chainrule", "tfjs-wasm", "vs tfjs-wasm"],
  ["chainrule", "torch 1t", "vs torch 1t"],
  ["chainrule 2t", "torch 2t", "2t vs torch 2t"],
  ["chainrule", "tfjs-cpu", "vs tfjs-cpu"],
];

export function fmtNum(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  if (a >= 1) return v.toFixed(3);
  return v.toPrecision(3);
}

/** Groups rows by metric name; returns the libraries present (ordered) and the metrics. */
export function pivot(rows) {
  const libs = [];
  const metrics = new Map();
  for (const r of rows) {
    if (!libs.includes(r.library)) libs.push(r.library);
    if (!metrics.has(r.name)) metrics.set(r.name, { name: r.name, unit: r.unit, better: r.better, byLib: {} });
    metrics.get(r.name).byLib[r.library] = r;
  }
  libs.sort((a, b) => {
    const ia = LIB_ORDER.indexOf(a), ib = LIB_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  const ratios = RATIOS.filter(([x, y]) => [...metrics.values()].some((m) => m.byLib[x] && m.byLib[y]));
  return { libs, metrics: [...metrics.values()], ratios };
}

/** chainrule/peer for one metric, or null. Throughput units: > 1 is chainrule faster. */
export function ratioOf(metric, x, y) {
  const a = metric.byLib[x], b = metric.byLib[y];
  if (!a || !b || !(b.median > 0)) return null;
  return a.median / b.median;
}

/** Stores each comparison on chainrule's rows (`ratios: { peer: value }`) for results.json. */
export function annotateRatios(rows) {
  const { metrics, ratios } = pivot(rows);
  for (const m of metrics)
    for (const [x, y] of ratios) {
      const r = ratioOf(m, x, y);
      if (r !== null) (m.byLib[x].ratios ??= {})[y] = +r.toFixed(4);
    }
}

const fmtRatio = (r) => (r === null ? "—" : `${r.toFixed(2)}×`);

function cells(p, m, withSpread) {
  const vals = p.libs.map((lib) => {
    const r = m.byLib[lib];
    if (!r) return "—";
    const v = fmtNum(r.median);
    return withSpread && r.repetitions > 1 ? `${v} (${fmtNum(r.min)}–${fmtNum(r.max)})` : v;
  });
  const rat = p.ratios.map(([x, y]) => fmtRatio(ratioOf(m, x, y)));
  return [m.name, m.unit, ...vals, ...rat];
}

/** An aligned text table of one suite's rows (median, and min–max when repeated). */
export function consoleTable(rows) {
  const p = pivot(rows);
  const head = ["metric", "unit", ...p.libs, ...p.ratios.map((r) => r[2])];
  const body = p.metrics.map((m) => cells(p, m, false));
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cs) => cs.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd();
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
}

/** A markdown table of one suite's rows. */
export function markdownTable(rows) {
  const p = pivot(rows);
  const head = ["metric", "unit", ...p.libs, ...p.ratios.map((r) => r[2])];
  const body = p.metrics.map((m) => cells(p, m, false));
  const esc = (s) => s.replace(/\|/g, "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`,
    ...body.map((b) => `| ${b.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** bench/README-table.md: every suite of results.json, with the machine and the peers. */
export function readmeTables(results) {
  const out = [];
  const peers = results.peers ?? {};
  const cr = peers.chainrule ?? {};
  const torchInfo = peers.torch;
  out.push(
    `Measured by \`npm run bench\` on ${results.cpu} ×${results.cores} (${results.platform}), Node ${results.node}. ` +
      `chainrule ${results.chainrule?.version ?? ""} (${results.chainrule?.commit?.slice(0, 7) ?? "uncommitted"}), backend \`${cr.backend ?? "?"}\`` +
      `${cr.matmulFloat32ServedBy && cr.matmulFloat32ServedBy !== cr.backend ? ` (float32 matmul on \`${cr.matmulFloat32ServedBy}\`)` : ""}` +
      `${cr.description ? ` (${cr.description})` : ""}, threads ${cr.threads ?? "?"}. Medians after warm-up, peers interleaved round by round in one run.`,
  );
  const peerLine = [];
  if (peers["tfjs-cpu"]) peerLine.push(`tfjs-cpu = @tensorflow/tfjs ${peers["tfjs-cpu"].version} cpu backend`);
  if (peers["tfjs-wasm"]) peerLine.push(peers["tfjs-wasm"].error ? `tfjs-wasm failed: ${peers["tfjs-wasm"].error}` : `tfjs-wasm = @tensorflow/tfjs-backend-wasm ${peers["tfjs-wasm"].version} (SIMD ${peers["tfjs-wasm"].simd ? "on" : "off"}, ${peers["tfjs-wasm"].threads} thread)`);
  if (peers["jax-js"]) peerLine.push(peers["jax-js"].error ? `jax-js failed: ${peers["jax-js"].error}` : `jax-js = @jax-js/jax ${peers["jax-js"].version} on wasm (${peers["jax-js"].threads} thread, jit)`);
  if (torchInfo) peerLine.push(torchInfo.error ? `PyTorch skipped: ${torchInfo.error}` : `torch 1t/2t = PyTorch ${torchInfo.torch} CPU with 1/2 threads, BLAS ${torchInfo.openblas ?? torchInfo.blas ?? "?"}`);
  if (peerLine.length) out.push(peerLine.join("; ") + ".");
  out.push("Ratios are chainrule's median over the peer's: above 1× chainrule is faster (GFLOPS, samples/s), below 1× it is faster for times (ms, µs/op, s).");
  for (const [name, s] of Object.entries(results.suites ?? {})) {
    if (!s.rows?.length) continue;
    out.push(`\n### ${name}${s.quick ? " (quick run: fewer repetitions, shorter runs)" : ""}\n`);
    const when = s.date ? ` Run ${s.date.slice(0, 16).replace("T", " ")} UTC${s.loadavg ? `, load average ${s.loadavg[0]} on ${results.cores} cores` : ""}.` : "";
    if (s.description) out.push(`${s.description}.${when}\n`);
    out.push(markdownTable(s.rows));
    const bad = (s.checks ?? []).filter((c) => !c.ok);
    out.push(`\nChecks: ${(s.checks ?? []).length - bad.length}/${(s.checks ?? []).length} passed${bad.length ? ` (failed: ${bad.map((c) => c.name).join("; ")})` : ""}.`);
    for (const n of s.notes ?? []) out.push(`\n${n}`);
  }
  return out.join("\n") + "\n";
}
