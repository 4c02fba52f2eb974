import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Cross-origin isolation (COOP/COEP) lets the WASM kernels share memory with worker threads; the
// preview and dev servers send the headers, and a static host must send them too for threads
// (without them training runs on one thread).
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  resolve: { alias: { chainrule: fileURLToPath(new URL("../src/index.ts", import.meta.url)) } },
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: "es" },
  // NOTE: the WASM kernels stay files fetched by URL (streaming compile), not data: URLs inlined in the scripts.
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096, assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined) },
});
