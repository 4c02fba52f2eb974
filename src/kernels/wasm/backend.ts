import type { Backend, TypedArray } from "../backend.js";
import type { WasmGemm } from "./index.js";

/**
 * The WASM backend over a loaded GEMM (threads where the platform has them): float32 matmul and, over
 * a shared memory, SGD; every other kernel and dtype falls back to the TypeScript reference.
 */
export function makeWasmBackend(gemm: WasmGemm): Backend & { readonly gemm: WasmGemm } {
  const g = gemm;
  return {
    name: "wasm",
    gemm: g,
    // NOTE: SGD only over a shared memory, where parameters and state stay in it (elsewhere copying them in and out loses).
    dtypes: { matmul: ["float32"], ...(g.info().shared && { sgdStep: ["float32"] }) },
    matmul(a: TypedArray, aOffset, b: TypedArray, bOffset, out: TypedArray, outOffset, m, n, k, transA, transB, batch, aStride, bStride, bias) {
      const f32 = (x: TypedArray) => x as Float32Array;
      for (let t = 0; t < batch; t++) {
        const o = outOffset + t * m * n;
        // NOTE: the bias is added after the product is stored, so it rounds as matmul followed by add.
        g.matmul(f32(a), aOffset + t * aStride, f32(b), bOffset + t * bStride, f32(out), o, m, n, k, transA, transB, bias as Float32Array | null);
      }
    },
    ...(g.info().shared && {
      sgdStep: (p: TypedArray, grad: TypedArray, buf: TypedArray, lr: number, mu: number, damp: number, nesterov: boolean, wd: number, fresh: boolean) =>
        g.sgd(p as Float32Array, grad as Float32Array, buf as Float32Array, lr, mu, damp, nesterov, wd, fresh),
    }),
  };
}
