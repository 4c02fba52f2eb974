// Where the compiled kernels come from: four .wasm files (relaxed or plain SIMD, over a shared or a
// private memory) that scripts/build-wasm.mjs writes beside this module, in src/ and dist/. They load
// by URL: in Node read at import from the file: URL, elsewhere fetched and compiled while the page
// goes on. The URLs are literal so that bundlers (Vite, webpack 5, Parcel, Rollup) emit the files.
export type Variant = "relaxed-shared" | "simd-shared" | "relaxed" | "simd";

/** A variant's URL: in the folder `base` when given, else beside this module; null where the module has no URL (an IIFE bundle). */
export function urlOf(v: Variant, base?: string | URL): URL | null {
  try {
    if (base !== undefined) return new URL(`gemm-${v}.wasm`, String(base).replace(/\/?$/, "/"));
    if (v === "relaxed-shared") return new URL("./gemm-relaxed-shared.wasm", import.meta.url);
    if (v === "simd-shared") return new URL("./gemm-simd-shared.wasm", import.meta.url);
    return v === "relaxed" ? new URL("./gemm-relaxed.wasm", import.meta.url) : new URL("./gemm-simd.wasm", import.meta.url);
  } catch {
    return null;
  }
}

const nodeFs = () => (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:fs") as { readFileSync(p: URL): Uint8Array<ArrayBuffer> } | undefined;
/** Whether a URL can be read at once here: a file: URL, in Node. */
export const canReadSync = (url: URL | null): boolean => url?.protocol === "file:" && nodeFs() !== undefined;

/** The bytes of a file: URL, read at once (Node); throws saying which file and why. */
export function readSync(url: URL): Uint8Array<ArrayBuffer> {
  try {
    return nodeFs()!.readFileSync(url);
  } catch (e) {
    throw new Error(`cannot read ${url.href}: ${(e as Error).message} (run npm run build:wasm)`);
  }
}

/** A variant fetched and compiled; throws saying which URL and why not. */
export async function compileAsync(url: URL): Promise<WebAssembly.Module> {
  if (canReadSync(url)) return WebAssembly.compile(readSync(url));
  let res: Response;
  try {
    res = await fetch(url.href);
  } catch (e) {
    throw new Error(`cannot fetch ${url.href}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot fetch ${url.href}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  const bytes = await res.arrayBuffer();
  return WebAssembly.compile(bytes).catch((e: Error) => {
    throw new Error(`${url.href} is not the kernels' WebAssembly (${bytes.byteLength} bytes, ${res.headers.get("content-type") ?? "no content type"}): ${e.message}`);
  });
}
