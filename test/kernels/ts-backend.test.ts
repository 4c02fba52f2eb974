import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setBackend } from "../../src/index.js";
import type { DType, Kernels, ReduceOp, TypedArray } from "../../src/kernels/backend.js";
import { kernels, registeredBackends } from "../../src/kernels/index.js";

const ARR = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as unknown as Record<DType, Float64ArrayConstructor>;
const FLOATS = ["float32", "float64"] as const;

function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

/** The reduction of x viewed as [outer, axis, inner] over its middle axis, in plain JS. */
function naiveReduce(op: ReduceOp, x: ArrayLike<number>, outer: number, axis: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const vs = Array.from({ length: axis }, (_, j) => x[(o * axis + j) * inner + i]);
      if (op === "sum") out.push(vs.reduce((s, v) => s + v, 0));
      else if (op === "max") out.push(vs.some(Number.isNaN) ? NaN : Math.max(...vs));
      else if (op === "min") out.push(vs.some(Number.isNaN) ? NaN : Math.min(...vs));
      else {
        let bi = 0;
        vs.forEach((v, j) => { if (op === "argmax" ? v > vs[bi] : v < vs[bi]) bi = j; });
        out.push(bi);
      }
    }
  return out;
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i]).toBeNaN();
    else if (got[i] !== want[i]) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
  }
};
const tolOf = (d: DType) => (d === "float32" ? 1e-5 : 1e-12);

describe.each(registeredBackends().map((b) => [b.name]))("backend %s agrees with plain-JS references", (name) => {
  beforeAll(() => setBackend(name));
  afterAll(() => setBackend("ts"));
  const K = (d: DType | "mixed"): Kernels => kernels(d);

  it.each(FLOATS)("matmul (%s): every transpose flag, odd sizes, sizes 0 and 1, offsets, batch strides (0 broadcasts), bias", (d) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.boolean(),
        fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.boolean(), fc.boolean(),
        (m, n, k, tA, tB, batch, bcA, bcB, withBias) => {
          const sa = bcA ? 0 : m * k, sb = bcB ? 0 : k * n;
          const a = ARR[d].from({ length: 3 + Math.max(1, batch) * m * k }, (_, i) => Math.sin(i + 1));
          const b = ARR[d].from({ length: 2 + Math.max(1, batch) * k * n }, (_, i) => Math.cos(i * 0.7));
          const bias = withBias ? ARR[d].from({ length: n }, (_, j) => j - 2.5) : null;
          const out = new ARR[d](1 + batch * m * n).fill(NaN);
          K(d).matmul(a, 3, b, 2, out, 1, m, n, k, tA, tB, batch, sa, sb, bias);
          for (let t = 0; t < batch; t++) {
            const ref = naive(a.subarray(3 + t * sa), b.subarray(2 + t * sb), m, n, k, tA, tB).map((v, i) => v + (bias ? bias[i % n] : 0));
            close(out.subarray(1 + t * m * n, 1 + (t + 1) * m * n), ref, tolOf(d));
          }
          expect(out[0]).toBeNaN();
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(FLOATS)("reduce (%s) over the middle axis of [outer, axis, inner]: odd sizes, 0 and 1, NaN and ±Inf", (d) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom<ReduceOp>("sum", "max", "min", "argmax", "argmin"), fc.integer({ min: 0, max: 40 }),
        (outer, axis, inner, op, seed) => {
          if (axis === 0 && op !== "sum") return;
          const special = [NaN, Infinity, -Infinity];
          const x = ARR[d].from({ length: outer * axis * inner }, (_, i) => ((i * 7 + seed) % 23 === 0 ? special[i % 3] : Math.round(Math.sin(i + seed) * 8) / 4));
          const out = new (op.startsWith("arg") ? Int32Array : ARR[d])(outer * inner);
          K(d).reduce(op, x, outer, axis, inner, out);
          close(out, naiveReduce(op, x, outer, axis, inner), tolOf(d));
        }),
      { numRuns: 300 },
    );
  });

  it("binary with broadcast strides, NaN and ±Inf", () => {
    const a = new Float64Array([1, NaN, Infinity, -Infinity, 2, 3]);
    const b = new Float64Array([10, 20, 30]);
    const out = new Float64Array(6);
    K("float64").binary("add", a, [3, 1], b, [0, 1], out, [2, 3]);
    expect(Array.from(out)).toEqual([11, NaN, Infinity, -Infinity, 22, 33]);
    K("float64").binary("maximum", a, [3, 1], b, [1, 0], out, [2, 3]);
    expect(Array.from(out)).toEqual([10, NaN, Infinity, 20, 20, 20]);
  });

  it("alloc zero-fills; fill and cast (toward zero for int32; NaN and ±Inf to 0)", () => {
    for (const d of ["float32", "float64", "int32"] as const) {
      for (const n of [0, 1, 7]) expect(Array.from(K(d).alloc(d, n))).toEqual(new Array(n).fill(0));
      const o = K(d).alloc(d, 5);
      K(d).fill(o, 3);
      expect(Array.from(o)).toEqual([3, 3, 3, 3, 3]);
    }
    const x = new Float64Array([1.7, -1.7, NaN, Infinity, -0.5, 2 ** 40 + 0.5]);
    const i = new Int32Array(6);
    K("mixed").cast(x, i);
    expect(Array.from(i)).toEqual([1, -1, 0, 0, 0, 0]);
    const f = new Float32Array(6);
    K("mixed").cast(x, f);
    expect(Array.from(f)).toEqual(Array.from(x, Math.fround));
    const same = new Float64Array(6);
    K("float64").cast(x, same);
    expect(Array.from(same)).toEqual(Array.from(x));
  });

  it.each(FLOATS)("softmax, log-softmax and softmax cross-entropy rows (%s): odd widths, width 1, NaN, ±Inf, large values", (d) => {
    const rows = [[1, 2, 3], [1000, 1000, -1000], [-Infinity, 0, 1], [NaN, 1, 2], [5, 5, 5]];
    for (const cols of [1, 3]) {
      const x = ARR[d].from(rows.flatMap((r) => r.slice(0, cols)));
      const y = ARR[d].from(rows.flatMap((r, i) => r.slice(0, cols).map((_, j) => (j === i % cols ? 1 : j === 0 ? 0.25 : 0))));
      const sm = new ARR[d](x.length), ls = new ARR[d](x.length), ce = new ARR[d](rows.length);
      K(d).softmax(x, sm, rows.length, cols, false);
      K(d).softmax(x, ls, rows.length, cols, true);
      K(d).softmaxCrossEntropy(x, y, ce, rows.length, cols);
      const want = rows.map((r) => {
        const v = r.slice(0, cols);
        let m = Math.max(...v);
        if (!Number.isFinite(m)) m = v.some(Number.isNaN) ? NaN : 0;
        const lse = Math.log(v.reduce((s, t) => s + Math.exp(t - m), 0));
        return v.map((t) => t - m - lse);
      });
      close(ls, want.flat(), tolOf(d));
      close(sm, want.flat().map(Math.exp), tolOf(d));
      close(ce, want.map((r, i) => r.reduce((s, l, j) => (y[i * cols + j] === 0 ? s : s - y[i * cols + j] * l), 0)), tolOf(d));
    }
  });

  it("copy with strides, gather and scatterAdd", () => {
    const x = new Float32Array([1, 5, 2, 8, 3, 4]);
    const t = new Float32Array(6);
    K("float32").copy(x, 0, [1, 3], [3, 2], t, 0);
    expect(Array.from(t)).toEqual([1, 8, 5, 3, 2, 4]);
    const g = new Float32Array(2);
    K("float32").gather(x, 3, new Int32Array([2, 0]), 2, 1, 1, g);
    expect(Array.from(g)).toEqual([2, 8]);
    const s = new Float32Array(6);
    K("float32").scatterAdd(new Float32Array([1, 1, 1]), new Int32Array([0, 0, 2]), 1, 3, 1, 6, s);
    expect(Array.from(s)).toEqual([2, 0, 1, 0, 0, 0]);
  });
});
