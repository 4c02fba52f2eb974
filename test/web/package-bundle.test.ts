// The package as a user's web app takes it: a Vite app that imports "chainrule" (the built dist/,
// as from node_modules) is built with Vite's defaults and opened in real Chromium. The WASM kernels
// load by URL (`new URL("./gemm-….wasm", import.meta.url)`, which Vite turns into assets: files, or
// data: URLs under its inline limit; the web app's own build keeps them files, test/web/train.test.ts),
// on the page (one thread) and in a module worker, where a cross-origin-isolated page runs them on
// threads over shared memory; served without COOP/COEP, the worker runs one thread. Every Tensor
// method is there (package.json's sideEffects keeps the module that installs them).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "vite";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWeb } from "./harness.js";

const MAIN = `
import { getBackend, ready, tensor } from "chainrule";
const before = getBackend();
const after = await ready();
const a = tensor([[1, 2], [3, 4]]), b = tensor([[5, 6], [7, 8]]);
const page = { before: before.name, after: after.name, detail: after.detail, product: Array.from(a.matmul(b).data) };
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = (e) => { window.result = { page, worker: e.data }; };
worker.onerror = (e) => { window.result = { page, worker: { error: e.message } }; };
`;
const WORKER = `
import { getNumThreads, ones, ready } from "chainrule";
const b = await ready();
// A product big enough for the GEMM to split over threads: 256 x 256 of ones times itself.
const n = 256, x = ones([n, n]);
const y = x.matmul(x);
postMessage({ name: b.name, detail: b.detail, threads: getNumThreads(), isolated: self.crossOriginIsolated, corner: y.data[0], last: y.data[n * n - 1] });
`;

describeWeb("the package in a user's Vite app", (web) => {
  let dir: string, out: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "chainrule-vite-"));
    out = join(dir, "dist");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "index.html"), '<!doctype html><meta charset="utf-8"><title>app</title><script type="module" src="./src/main.js"></script>');
    writeFileSync(join(dir, "src", "main.js"), MAIN);
    writeFileSync(join(dir, "src", "worker.js"), WORKER);
    await build({
      root: dir, base: "./", logLevel: "silent", configFile: false,
      resolve: { alias: { chainrule: resolve("dist/index.js") } },
      build: { outDir: out, target: "es2022" }, worker: { format: "es" },
    });
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("takes the kernels as assets: files beside the scripts or, under Vite's inline limit (4 KiB), data: URLs in them", () => {
    const assets = readdirSync(join(out, "assets"));
    const files = assets.filter((f) => f.endsWith(".wasm"));
    const scripts = assets.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(out, "assets", f), "utf8")).join("\n");
    const inlined = scripts.match(/data:application\/wasm;base64,/g)?.length ?? 0;
    // Four builds (relaxed or plain SIMD, shared or private memory), in the page's script and the worker's.
    expect(files.length + inlined).toBeGreaterThanOrEqual(4);
  });

  for (const isolated of [true, false]) {
    it(`loads them by URL on the page and in a worker ${isolated ? "(cross-origin isolated: threads)" : "(no COOP/COEP: one thread)"}`, async () => {
      const page = await web.page("", { isolated, root: out });
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
      const r = await page.evaluate(() => (window as unknown as { result: unknown }).result) as {
        page: { before: string; after: string; detail: string; product: number[] };
        worker: { name: string; detail: string; threads: number; isolated: boolean; corner: number; last: number; error?: string };
      };
      expect(web.errors(page).filter((e) => !e.includes("404"))).toEqual([]); // (no favicon)
      expect(r.worker.error).toBeUndefined();
      // The page: the reference until the kernels arrive, then WASM on one thread (a page may not block).
      expect(r.page).toEqual({ before: "ts", after: "wasm", detail: expect.stringMatching(/SIMD, 1 thread$/), product: [19, 22, 43, 50] });
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(r.worker).toEqual({ name: "wasm", detail: expect.stringMatching(/SIMD/), threads: isolated ? cores : 1, isolated, corner: 256, last: 256 });
      if (isolated && cores > 1) await expect.poll(() => page.workers().map((w) => w.url().split(":")[0]).sort(), { timeout: 10_000 }).toEqual(["blob", "http"]);
      await page.close();
    }, 60_000);
  }
});
