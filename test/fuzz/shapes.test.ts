// Shapes and dtypes: for random shapes (broadcastable or not) and dtypes, every broadcasting binary
// op, where and matmul either compute NumPy's result (checked against a plain-JS reference in
// float64, rounded to the result's dtype) or throw a ShapeError naming the op and the operands.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChainruleError, ShapeError } from "../../src/errors.js";
import { type Tensor, add, div, eq, ge, gt, le, lt, matmul, maximum, minimum, mul, ne, pow, sub, tensor, where } from "../../src/index.js";
import { SEED, runs } from "./harness.js";

type DType = "float32" | "float64" | "int32";
const DTYPES: DType[] = ["float32", "float64", "int32"];
const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** NumPy's broadcast of two shapes, or null where they do not broadcast. */
function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The element of `data` (of `shape`) that broadcasts to index `idx` of `out`. */
function at(data: ArrayLike<number>, shape: readonly number[], out: readonly number[], flat: number): number {
  let off = 0, stride = 1, rem = flat;
  const idx = new Array<number>(out.length);
  for (let i = out.length - 1; i >= 0; i--) {
    idx[i] = rem % out[i];
    rem = Math.floor(rem / out[i]);
  }
  for (let i = shape.length - 1; i >= 0; i--) {
    const j = idx[out.length - shape.length + i];
    off += (shape[i] === 1 ? 0 : j) * stride;
    stride *= shape[i];
  }
  return data[off];
}

const promote = (a: DType, b: DType): DType => (a === b ? a : a === "float64" || b === "float64" ? "float64" : "float32");
const round = (d: DType, x: number) => (d === "float64" ? x : d === "float32" ? Math.fround(x) : x | 0);

const OPS: Record<string, { f: (a: Tensor, b: Tensor) => Tensor; ref: (a: number, b: number) => number; dtype?: (a: DType, b: DType) => DType; tol?: number }> = {
  add: { f: add, ref: (a, b) => a + b },
  sub: { f: sub, ref: (a, b) => a - b },
  mul: { f: mul, ref: (a, b) => a * b },
  div: { f: div, ref: (a, b) => a / b, dtype: (a, b) => (a === "int32" && b === "int32" ? "float32" : promote(a, b)) },
  maximum: { f: maximum, ref: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)) },
  minimum: { f: minimum, ref: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)) },
  pow: { f: pow, ref: (a, b) => a ** b, tol: 1e-6 },
  gt: { f: gt, ref: (a, b) => +(a > b) },
  lt: { f: lt, ref: (a, b) => +(a < b) },
  ge: { f: ge, ref: (a, b) => +(a >= b) },
  le: { f: le, ref: (a, b) => +(a <= b) },
  eq: { f: eq, ref: (a, b) => +(a === b) },
  ne: { f: ne, ref: (a, b) => +(a !== b) },
};

/** A shape of rank 0..4 with dimensions 0..3 (0 sometimes: empty tensors broadcast too). */
const dim = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(0) });
const shape = fc.array(dim, { maxLength: 4 });
/** A second shape: usually derived from the first so that it broadcasts (dims set to 1, leading dims dropped), sometimes random. */
const pair = fc.tuple(shape, fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), fc.nat(4), fc.boolean(), shape).map(([a, ones, drop, related, other]) => {
  if (!related) return [a, other] as const;
  const b = a.slice(Math.min(drop, a.length)).map((d, i) => (ones.includes(i) ? 1 : d));
  return [a, b] as const;
});
const dtype = fc.constantFrom(...DTYPES);

function values(d: DType, n: number, seed: number, exponent = false): number[] {
  const out: number[] = [];
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    if (d === "int32") out.push(Math.floor(r * (exponent ? 5 : 11)) - (exponent ? 1 : 5));
    else out.push(round(d, exponent ? r * 4 - 1 : r < 0.1 ? 0 : (r - 0.5) * 8));
  }
  return out;
}

function expectShapeError(fn: () => unknown, op: string, ...shapes: (readonly number[])[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${op} ${shapes.map(fmt).join(" ")} should throw`).toBeInstanceOf(ShapeError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`${op}:`), msg).toBe(true);
  for (const s of shapes) expect(msg, msg).toContain(fmt(s));
}

describe("broadcasting binary ops agree with NumPy's rules and a plain-JS reference", () => {
  for (const [name, op] of Object.entries(OPS)) {
    it(name, () => {
      fc.assert(
        fc.property(pair, dtype, dtype, fc.nat(), ([sa, sb], da, db, seed) => {
          const av = values(da, size(sa), seed), bv = values(db, size(sb), seed + 7, name === "pow");
          const a = tensor(av, { shape: [...sa], dtype: da }), b = tensor(bv, { shape: [...sb], dtype: db });
          const out = broadcast(sa, sb);
          if (out === null) return expectShapeError(() => op.f(a, b), name, sa, sb);
          const r = op.f(a, b);
          const rd = (op.dtype ?? promote)(da, db);
          expect(r.shape).toEqual(out);
          expect(r.dtype).toBe(rd);
          const got = Array.from(r.data as ArrayLike<number>);
          for (let i = 0; i < got.length; i++) {
            const want = round(rd, op.ref(at(av, sa, out, i), at(bv, sb, out, i)));
            if (Number.isNaN(want)) expect(got[i], `${name} at ${i}`).toBeNaN();
            else if (op.tol && rd !== "int32" && Number.isFinite(want)) expect(Math.abs(got[i] - want), `${name} at ${i}`).toBeLessThanOrEqual(op.tol * Math.max(1, Math.abs(want)));
            else expect(got[i], `${name} ${fmt(sa)} ${da} · ${fmt(sb)} ${db} at ${i}`).toBe(want);
          }
        }),
        { seed: SEED, numRuns: runs(60) },
      );
    });
  }

  it("where(c, a, b) broadcasts its three operands", () => {
    fc.assert(
      fc.property(pair, shape, dtype, dtype, fc.nat(), ([sa, sb], sc, da, db, seed) => {
        const cv = values("int32", size(sc), seed + 3).map((v) => +(v > 0));
        const av = values(da, size(sa), seed), bv = values(db, size(sb), seed + 1);
        const [c, a, b] = [tensor(cv, { shape: sc, dtype: "float32" }), tensor(av, { shape: [...sa], dtype: da }), tensor(bv, { shape: [...sb], dtype: db })];
        const ab = broadcast(sa, sb);
        const out = ab && broadcast(sc, ab);
        if (out === null) {
          let err: unknown;
          try {
            where(c, a, b);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(ShapeError);
          expect((err as Error).message.startsWith("where:")).toBe(true);
          return;
        }
        const r = where(c, a, b);
        expect(r.shape).toEqual(out);
        const rd = promote(da, db);
        expect(r.dtype).toBe(rd);
        const got = Array.from(r.data as ArrayLike<number>);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBe(round(rd, at(cv, sc, out, i) ? at(av, sa, out, i) : at(bv, sb, out, i)));
      }),
      { seed: SEED, numRuns: runs(80) },
    );
  });
});

describe("matmul follows NumPy's rules (1-D vectors, broadcast batch dimensions)", () => {
  /** NumPy's matmul of a and b in float64, or null where the shapes do not fit. */
  function refMatmul(a: number[], sa: number[], b: number[], sb: number[]): { shape: number[]; data: number[] } | null {
    const A = sa.length === 1 ? [1, sa[0]] : sa, B = sb.length === 1 ? [sb[0], 1] : sb;
    const [m, k] = A.slice(-2), [k2, n] = B.slice(-2);
    if (k !== k2) return null;
    const batch = broadcast(A.slice(0, -2), B.slice(0, -2));
    if (batch === null) return null;
    const data: number[] = [];
    const nb = size(batch);
    for (let t = 0; t < nb; t++) {
      // the batch offsets of a and b for batch index t
      const aOff = at(Array.from({ length: size(A.slice(0, -2)) }, (_, i) => i), A.slice(0, -2), batch, t) ?? 0;
      const bOff = at(Array.from({ length: size(B.slice(0, -2)) }, (_, i) => i), B.slice(0, -2), batch, t) ?? 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[aOff * m * k + i * k + p] * b[bOff * k * n + p * n + j];
          data.push(s);
        }
    }
    const shape = [...batch, ...(sa.length === 1 ? [] : [m]), ...(sb.length === 1 ? [] : [n])];
    return { shape, data };
  }
  const mshape = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 });
  const mpair = fc.tuple(mshape, mshape, fc.boolean()).map(([a, b, fit]) => {
    if (fit && b.length >= 1) {
      // make the inner dimensions agree (a's last with b's second-to-last, or b's only)
      const bi = b.length === 1 ? 0 : b.length - 2;
      b = [...b];
      b[bi] = a[a.length - 1];
    }
    return [a, b] as const;
  });

  it("computes the product or throws a ShapeError naming matmul", () => {
    fc.assert(
      fc.property(mpair, dtype, dtype, fc.nat(), ([sa, sb], da, db, seed) => {
        const av = values(da, size(sa), seed), bv = values(db, size(sb), seed + 5);
        const a = tensor(av, { shape: [...sa], dtype: da }), b = tensor(bv, { shape: [...sb], dtype: db });
        const ref = refMatmul(av, [...sa], bv, [...sb]);
        if (ref === null) {
          let err: unknown;
          try {
            matmul(a, b);
          } catch (e) {
            err = e;
          }
          expect(err, `matmul ${fmt(sa)} ${fmt(sb)}`).toBeInstanceOf(ShapeError);
          expect((err as Error).message).toMatch(/^matmul: /);
          return;
        }
        const r = matmul(a, b);
        expect(r.shape).toEqual(ref.shape);
        const rd = promote(da, db);
        expect(r.dtype).toBe(rd);
        const got = Array.from(r.data as ArrayLike<number>);
        // float32 sums round per step (in any order): compare within float32 accuracy of the terms
        ref.data.forEach((w, i) => expect(Math.abs(got[i] - round(rd, w)), `matmul ${fmt(sa)} ${da} · ${fmt(sb)} ${db} at ${i}`).toBeLessThanOrEqual(rd === "float32" ? 1e-5 * 64 : 1e-12 * 64));
      }),
      { seed: SEED, numRuns: runs(150) },
    );
  });

  it("names both operands as given when the inner dimensions differ", () => {
    for (const [sa, sb] of [[[2, 3], [4, 5]], [[2, 2, 3], [2, 4, 1]], [[3], [4]], [[3], [4, 5]], [[2, 3], [4]]] as const) {
      expectShapeError(() => matmul(tensor(new Float32Array(size(sa)), { shape: [...sa] }), tensor(new Float32Array(size(sb)), { shape: [...sb] })), "matmul", sa, sb);
    }
  });

  it("throws only the library's errors on a scalar operand", () => {
    expect(() => matmul(tensor(1), tensor([1, 2]))).toThrow(ChainruleError);
  });
});
