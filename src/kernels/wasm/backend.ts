import type { Backend, TypedArray } from "../backend.js";
import { type WasmGemm, loadWasmGemm } from "./index.js";

/**
 * The WASM backend: the SIMD GEMM (with threads where the platform has them) for float32 matmul;
 * every other kernel and dtype falls back to the TypeScript reference. Null where WASM SIMD is missing.
 */
export function makeWasmBackend(): (Backend & { readonly gemm: WasmGemm }) | null {
  let gemm: WasmGemm | null = null;
  try {
    gemm = loadWasmGemm();
  } catch {
    gemm = null;
  }
  if (gemm === null) return null;
  const g = gemm;
  return {
    name: "wasm",
    gemm: g,
    dtypes: { matmul: ["float32"] },
    matmul(a: TypedArray, aOffset, b: TypedArray, bOffset, out: TypedArray, outOffset, m, n, k, transA, transB, batch, aStride, bStride, bias) {
      const f32 = (x: TypedArray) => x as Float32Array;
      for (let t = 0; t < batch; t++) {
        const o = outOffset + t * m * n;
        g.matmul(f32(a), aOffset + t * aStride, f32(b), bOffset + t * bStride, f32(out), o, m, n, k, transA, transB);
        // NOTE: the bias is added after the product is stored, so it rounds as matmul followed by add.
        if (bias !== null) for (let i = 0; i < m; i++) for (let j = 0, r = o + i * n; j < n; j++) out[r + j] += bias[j];
      }
    },
  };
}
