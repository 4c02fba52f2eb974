#!/usr/bin/env node
// GFLOPS of the WASM GEMM (src/kernels/wasm, built into dist/ by `npm run build`): medians after
// warm-up, every transpose variant, 1 and 2 threads. Run with and without
// --experimental-wasm-relaxed-simd (Node 20) to compare relaxed SIMD with plain SIMD. By default the
// GEMM times one thread against several and keeps the faster (a busy machine can make threads a
// loss); --fixed always uses the threads asked for.
//   node [--experimental-wasm-relaxed-simd] bench/gemm.mjs [--quick] [--fixed] [--threads 1,2] [--blocks mc,kc,nc] [--only 1024]
import { loadWasmGemm } from "../dist/kernels/wasm/index.js";

const arg = (name) => { const i = process.argv.indexOf(name); return i < 0 ? undefined : process.argv[i + 1]; };
const quick = process.argv.includes("--quick");
const threadList = (arg("--threads") ?? "1,2").split(",").map(Number);
const blocks = arg("--blocks")?.split(",").map(Number);
const only = arg("--only");
const gemm = loadWasmGemm({
  adaptive: !process.argv.includes("--fixed"),
  ...(blocks ? { blocks: { mc: blocks[0], kc: blocks[1], nc: blocks[2] } } : {}),
});
if (!gemm) { console.log("WASM SIMD is not available here"); process.exit(0); }

const cases = [];
const variants = [[false, false, "A·B"], [true, false, "Aᵀ·B"], [false, true, "A·Bᵀ"], [true, true, "Aᵀ·Bᵀ"]];
for (const s of [128, 512, 1024]) for (const [ta, tb, v] of variants) cases.push({ name: `${s}³ ${v}`, m: s, n: s, k: s, ta, tb });
for (const [inp, outp] of [[784, 1024], [1024, 512], [512, 10]]) {
  cases.push({ name: `fwd 64×${inp}·${inp}×${outp}`, m: 64, n: outp, k: inp, ta: false, tb: false });
  cases.push({ name: `fwd 64×${inp}·(${outp}×${inp})ᵀ`, m: 64, n: outp, k: inp, ta: false, tb: true });
  cases.push({ name: `dX 64×${outp}·(${inp}×${outp})ᵀ`, m: 64, n: inp, k: outp, ta: false, tb: true });
  cases.push({ name: `dW (64×${inp})ᵀ·64×${outp}`, m: inp, n: outp, k: 64, ta: true, tb: false });
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]; };
const rows = [];
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const a = Float32Array.from({ length: c.m * c.k }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: c.k * c.n }, () => Math.random() - 0.5);
  const out = new Float32Array(c.m * c.n);
  const flops = 2 * c.m * c.n * c.k;
  const row = { case: c.name };
  for (const t of threadList) {
    gemm.setNumThreads(t);
    const run = () => gemm.matmul(a, 0, b, 0, out, 0, c.m, c.n, c.k, c.ta, c.tb);
    const budget = quick ? 0.15 : 0.5; // seconds of timing per cell
    for (let w = performance.now(); performance.now() - w < budget * 200;) run(); // warm-up
    const times = [];
    for (let start = performance.now(); times.length < 5 || (performance.now() - start < budget * 1000 && times.length < 2000);) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    row[`${t} thr`] = (flops / (median(times) * 1e6)).toFixed(1);
    row[`${t} best`] = (flops / (Math.min(...times) * 1e6)).toFixed(1);
  }
  rows.push(row);
}
const info = gemm.info();
console.log(`WASM GEMM${process.argv.includes("--fixed") ? " (fixed threads)" : ""}, ${info.simd === "relaxed" ? "relaxed SIMD (f32x4.relaxed_madd)" : "plain SIMD (mul + add)"}, GFLOPS: medians ("N thr") and best runs ("N best") on N threads`);
const cols = ["case", ...threadList.map((t) => `${t} thr`), ...threadList.map((t) => `${t} best`)];
const width = cols.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
console.log(cols.map((k, i) => k.padEnd(width[i])).join(" | "));
console.log(width.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(cols.map((k, i) => (i === 0 ? r[k].padEnd(width[i]) : r[k].padStart(width[i]))).join(" | "));
gemm.close();
