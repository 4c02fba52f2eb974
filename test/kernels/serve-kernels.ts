import { readFileSync } from "node:fs";

/**
 * A fetch stand-in for a browser context: serves src/kernels/wasm/gemm-*.wasm for URLs under
 * `under` (any folder by default) with the content type `type`, 404 for anything else, and notes
 * each URL asked for in `fetched`.
 */
export function serveKernels(fetched: string[], { under = "", type = "application/wasm" } = {}) {
  return async (url: string): Promise<Response> => {
    fetched.push(url);
    const name = url.slice(url.lastIndexOf("/") + 1);
    if (!url.startsWith(under) || !/^gemm-[a-z-]+\.wasm$/.test(name)) return new Response("not found", { status: 404, statusText: "Not Found" });
    return new Response(readFileSync(`src/kernels/wasm/${name}`), { headers: { "Content-Type": type } });
  };
}
