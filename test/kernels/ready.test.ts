// The WASM kernels load by URL: in Node at import from the .wasm file beside the module; in a
// browser bundle fetched from beside the module (or from `ready({ kernelsUrl })` where the bundle has
// no URL of its own) while the reference backend serves, switching to them when they arrive.
// The browser cases run the library's browser bundle in a fresh context with a fetch stand-in.
import { build } from "esbuild";
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { getBackend, ready } from "../../src/index.js";
import { wasmSimdSupport } from "../../src/kernels/wasm/index.js";
import { serveKernels } from "./serve-kernels.js";

const simd = wasmSimdSupport();

/** A browser bundle of src/index.ts whose import.meta.url is `url` (undefined: an IIFE without one). */
async function bundle(url?: string): Promise<string> {
  const out = await build({
    entryPoints: ["src/index.ts"], bundle: true, platform: "browser", format: "iife", globalName: "chainrule", write: false, logLevel: "silent",
    ...(url !== undefined && { define: { "import.meta.url": JSON.stringify(url) } }),
  });
  return out.outputFiles[0]!.text;
}

/** Runs `body` (an async function's body, with `chainrule` in scope) where fetch serves the kernels under `served`; returns its value and the URLs asked for. */
async function run(code: string, body: string, served = "https://example.test/app/"): Promise<{ value: unknown; fetched: string[] }> {
  const fetched: string[] = [];
  const sandbox: Record<string, unknown> = { console, TextEncoder, TextDecoder, URL, fetch: serveKernels(fetched, { under: served }) };
  await runInNewContext(`${code}\n(async () => { globalThis.value = await (async () => { ${body} })(); })()`, sandbox);
  return { value: sandbox.value, fetched };
}

describe.skipIf(!simd)("the WASM kernels load by URL", () => {
  let beside: string, noUrl: string;
  beforeAll(async () => {
    [beside, noUrl] = await Promise.all([bundle("https://example.test/app/main.js"), bundle()]);
  });

  it("in Node: at import, from the file beside the module, and ready() resolves with them", async () => {
    expect(getBackend().name).toBe("wasm");
    const b = await ready();
    expect(b.name).toBe("wasm");
    expect(b.detail).toMatch(/SIMD, \d+ threads?$/);
  });

  it("in a browser bundle: fetched from beside the module while the reference serves, then switched to", async () => {
    const { value, fetched } = await run(beside, `
      const before = chainrule.getBackend();
      let early;
      try { chainrule.setBackend("wasm"); } catch (e) { early = e.message; }
      const after = await chainrule.ready();
      const a = chainrule.tensor([[1, 2], [3, 4]]), b = chainrule.tensor([[5, 6], [7, 8]]);
      return { before: [before.name, before.detail], early, after: [after.name, after.detail, after.kernels.matmul.float32], product: Array.from(a.matmul(b).data) };`);
    const v = value as { before: string[]; early: string; after: string[]; product: number[] };
    expect(v.before).toEqual(["ts", "reference; the WASM kernels are still loading: await ready() first"]);
    expect(v.early).toBe('setBackend: unknown backend "wasm"; available: ts (the WASM kernels are still loading: await ready() first)');
    expect(v.after).toEqual(["wasm", `${simd === "relaxed" ? "relaxed SIMD" : "SIMD"}, 1 thread`, "wasm"]);
    expect(v.product).toEqual([19, 22, 43, 50]);
    // No workers in this context: the private-memory build, one fetch.
    expect(fetched).toEqual([`https://example.test/app/gemm-${simd}.wasm`]);
  });

  it("keeps the backend the user chose before the kernels arrived", async () => {
    const { value } = await run(beside, `chainrule.setBackend("ts"); const b = await chainrule.ready(); return [b.name, b.detail, chainrule.getBackend().name];`);
    expect(value).toEqual(["ts", "reference", "ts"]);
  });

  it("says why when they cannot be fetched, and stays on the reference", async () => {
    const { value, fetched } = await run(beside, `
      const b = await chainrule.ready();
      let e1; try { chainrule.setBackend("wasm"); } catch (e) { e1 = e.message; }
      return [b.name, b.detail, e1, chainrule.tensor([1, 2]).add(chainrule.tensor([3, 4])).data[1]];`, "https://elsewhere.test/");
    const msg = `the WASM kernels did not load: cannot fetch https://example.test/app/gemm-${simd}.wasm: HTTP 404 Not Found`;
    expect(value).toEqual(["ts", `reference; ${msg}`, `setBackend: unknown backend "wasm"; available: ts (${msg})`, 6]);
    expect(fetched).toHaveLength(1);
  });

  it("from ready({ kernelsUrl }) where the bundle has no URL of its own (an IIFE or a classic script)", async () => {
    const { value, fetched } = await run(noUrl, `
      const before = chainrule.getBackend().detail;
      const b = await chainrule.ready({ kernelsUrl: "https://cdn.example.test/chainrule/dist/kernels/wasm" });
      return [before, b.name];`, "https://cdn.example.test/chainrule/dist/kernels/wasm/");
    expect(value).toEqual(["reference; the WASM kernels load by URL and this module has none (an IIFE bundle): call ready({ kernelsUrl })", "wasm"]);
    expect(fetched).toEqual([`https://cdn.example.test/chainrule/dist/kernels/wasm/gemm-${simd}.wasm`]);
  });

  it("loads once when ready({ kernelsUrl }) is called twice at once, and tries the second URL when the first fails", async () => {
    const { value, fetched } = await run(noUrl, `
      const [a, b] = await Promise.all([chainrule.ready({ kernelsUrl: "https://cdn.example.test/" }), chainrule.ready({ kernelsUrl: "https://cdn.example.test/" })]);
      return [a.name, b.name];`, "https://cdn.example.test/");
    expect(value).toEqual(["wasm", "wasm"]);
    expect(fetched).toHaveLength(1);
    const second = await run(noUrl, `
      const why = (p) => p.then((b) => b.name, (e) => e.message);
      return Promise.all([why(chainrule.ready({ kernelsUrl: "https://nowhere.test/" })), why(chainrule.ready({ kernelsUrl: "https://cdn.example.test/" }))]);`, "https://cdn.example.test/");
    expect(second.value).toEqual([`ready: the WASM kernels did not load: cannot fetch https://nowhere.test/gemm-${simd}.wasm: HTTP 404 Not Found`, "wasm"]);
    expect(second.fetched).toEqual([`https://nowhere.test/gemm-${simd}.wasm`, `https://cdn.example.test/gemm-${simd}.wasm`]);
  });

  it("rejects a kernelsUrl it cannot load from, a kernelsUrl of the wrong kind and unknown options, naming them", async () => {
    const { value } = await run(noUrl, `
      const why = (p) => p.then((b) => "resolved " + b.name, (e) => e.name + ": " + e.message);
      return [
        await why(chainrule.ready({ kernelsUrl: "https://nowhere.test/k/" })),
        await why(chainrule.ready({ kernelsUrl: 42 })),
        await why(chainrule.ready({ kernelUrl: "https://cdn.example.test/" })),
        await why(chainrule.ready(null)),
        chainrule.getBackend().name,
      ];`, "https://cdn.example.test/");
    expect(value).toEqual([
      `ValueError: ready: the WASM kernels did not load: cannot fetch https://nowhere.test/k/gemm-${simd}.wasm: HTTP 404 Not Found`,
      "ValueError: ready: kernelsUrl must be a URL or a string, found number",
      'ValueError: ready: unknown option "kernelUrl" (did you mean "kernelsUrl"?); expected one of kernelsUrl',
      "ValueError: ready: expected an options object, found null",
      "ts",
    ]);
  });
});
