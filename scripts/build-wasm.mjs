#!/usr/bin/env node
// Compiles the AssemblyScript GEMM in wasm/ into four modules (relaxed SIMD or plain SIMD, over a
// shared or a private memory) and writes them as src/kernels/wasm/gemm-<variant>.wasm and the same
// in dist/kernels/wasm/, beside the module that loads them by URL (src/kernels/wasm/binary.ts).
// The .wasm files are build outputs: not committed, shipped in the package.
import asc from "assemblyscript/asc";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const config = join(root, "wasm", "asconfig.json");
const dirs = [join(root, "src", "kernels", "wasm"), join(root, "dist", "kernels", "wasm")];
const variants = ["relaxed-shared", "simd-shared", "relaxed", "simd"];

// The base64 module of earlier builds, now replaced by the .wasm files.
for (const f of ["binary.generated.ts", "binary.generated.js", "binary.generated.js.map", "binary.generated.d.ts"]) for (const d of dirs) rmSync(join(d, f), { force: true });
for (const variant of variants) {
  let binary;
  const stderr = [];
  const { error } = await asc.main(["--config", config, "--target", variant, "--outFile", "gemm.wasm"], {
    stdout: { write: () => true },
    stderr: { write: (s) => { stderr.push(String(s)); return true; } },
    writeFile: (file, contents) => { if (file.endsWith(".wasm")) binary = contents; },
  });
  if (error || !binary) {
    process.stderr.write(stderr.join(""));
    throw new Error(`build-wasm: asc failed for target ${variant}: ${error?.message ?? "no binary"}`);
  }
  for (const dir of dirs) {
    const file = join(dir, `gemm-${variant}.wasm`);
    let old;
    try { old = readFileSync(file); } catch { /* first build */ }
    if (old && Buffer.compare(old, Buffer.from(binary)) === 0) continue; // keep the mtime: nothing to rebuild
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, binary);
  }
}
