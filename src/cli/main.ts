#!/usr/bin/env node
// The CLI's entry. On Node 20/21 relaxed SIMD (the WASM kernels' fused multiply-add, ~15% faster
// training here) is behind --experimental-wasm-relaxed-simd; the CLI turns that flag on for its own
// process before the kernels load (the kernels still probe for it and run plain SIMD without it).
// CHAINRULE_RELAXED_SIMD=0 leaves the flag alone. A program using the library decides for itself.
import { setFlagsFromString } from "node:v8";

if (Number(process.versions.node.split(".")[0]) < 22 && process.env.CHAINRULE_RELAXED_SIMD !== "0") {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}
const { runCli } = await import("./program.js");
const { code, exit } = await runCli(process.argv.slice(2));
if (exit) process.exit(code);
process.exitCode = code;
