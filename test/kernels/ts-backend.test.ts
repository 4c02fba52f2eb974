import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getBackend } from "../../src/index.js";

const B = getBackend();

function naive(a: Float64Array, b: Float64Array, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

describe("TypeScript backend kernels", () => {
  it("matmul: every transpose flag, odd sizes, sizes 0 and 1, offsets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.boolean(), (m, n, k, tA, tB) => {
        const a = Float64Array.from({ length: m * k + 3 }, (_, i) => Math.sin(i + 1));
        const b = Float64Array.from({ length: k * n + 2 }, (_, i) => Math.cos(i * 0.7));
        const out = new Float64Array(m * n + 1).fill(NaN);
        B.matmul(a, 3, b, 2, out, 1, m, n, k, tA, tB);
        const ref = naive(a.subarray(3), b.subarray(2), m, n, k, tA, tB);
        for (let i = 0; i < m * n; i++) expect(out[1 + i]).toBeCloseTo(ref[i], 12);
      }),
      { numRuns: 300 },
    );
  });

  it("binary with broadcast strides, NaN and ±Inf", () => {
    const a = new Float64Array([1, NaN, Infinity, -Infinity, 2, 3]);
    const b = new Float64Array([10, 20, 30]);
    const out = new Float64Array(6);
    B.binary("add", a, [3, 1], b, [0, 1], out, [2, 3]);
    expect(Array.from(out)).toEqual([11, NaN, Infinity, -Infinity, 22, 33]);
    B.binary("maximum", a, [3, 1], b, [1, 0], out, [2, 3]);
    expect(Array.from(out)).toEqual([10, NaN, Infinity, 20, 20, 20]);
  });

  it("reduce, copy with strides, gather and scatterAdd", () => {
    const x = new Float32Array([1, 5, 2, 8, 3, 4]);
    const out = new Float32Array(2);
    B.reduce("sum", x, 2, 3, out);
    expect(Array.from(out)).toEqual([8, 15]);
    B.reduce("argmax", x, 2, 3, out);
    expect(Array.from(out)).toEqual([1, 0]);
    const t = new Float32Array(6);
    B.copy(x, 0, [1, 3], [3, 2], t, 0);
    expect(Array.from(t)).toEqual([1, 8, 5, 3, 2, 4]);
    const g = new Float32Array(2);
    B.gather(x, 3, new Int32Array([2, 0]), 2, 1, 1, g);
    expect(Array.from(g)).toEqual([2, 8]);
    const s = new Float32Array(6);
    B.scatterAdd(new Float32Array([1, 1, 1]), new Int32Array([0, 0, 2]), 1, 3, 1, 6, s);
    expect(Array.from(s)).toEqual([2, 0, 1, 0, 0, 0]);
  });
});
