import type { Tensor } from "../../src/index.js";

/** A plain-JS n-d array: its shape and its entries in row-major order. */
export interface Nd {
  shape: number[];
  data: number[];
}

export const nd = (t: Tensor): Nd => ({ shape: [...t.shape], data: Array.from(t.data) });
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The array of `shape` whose entry at each multi-index i is f(i). */
export function build(shape: number[], f: (i: number[]) => number): Nd {
  const data = new Array<number>(size(shape));
  const i = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < data.length; k++) {
    data[k] = f(i.slice());
    for (let d = shape.length - 1; d >= 0 && ++i[d] === shape[d]; d--) i[d] = 0;
  }
  return { shape, data };
}

/** x at multi-index i with NumPy broadcasting: i is right-aligned and axes of size 1 are read at 0. */
export function at(x: Nd, i: readonly number[]): number {
  const lead = i.length - x.shape.length;
  let k = 0;
  for (let d = 0; d < x.shape.length; d++) k = k * x.shape[d] + (x.shape[d] === 1 ? 0 : i[d + lead]);
  return x.data[k];
}

export function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[i - n + a.length] ?? 1, y = b[i - n + b.length] ?? 1;
    return x === 1 ? y : x;
  });
}

export const map = (f: (v: number) => number) => (x: Tensor): Nd => {
  const a = nd(x);
  return { shape: a.shape, data: a.data.map(f) };
};

export const zip = (f: (a: number, b: number) => number) => (a: Tensor, b: Tensor): Nd => {
  const x = nd(a), y = nd(b);
  return build(broadcast(x.shape, y.shape), (i) => f(at(x, i), at(y, i)));
};

/** f of the values of x along `axes` (all when omitted), those axes kept as 1 or dropped. */
export function reduceNd(x: Nd, axes: number[] | undefined, keep: boolean, f: (vs: number[]) => number): Nd {
  const ax = axes ?? x.shape.map((_, i) => i);
  const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const out = build(kept, (o) =>
    f(build(ax.map((a) => x.shape[a]), (r) => {
      const i = o.slice();
      ax.forEach((a, k) => (i[a] = r[k]));
      return at(x, i);
    }).data));
  return keep ? out : { shape: x.shape.filter((_, i) => !ax.includes(i)), data: out.data };
}

/** Each entry of x replaced by f(the values along `axis` through it, its position on that axis). */
export function along(x: Nd, axis: number, f: (row: number[], j: number) => number): Nd {
  return build(x.shape, (i) => f(Array.from({ length: x.shape[axis] }, (_, j) => at(x, i.map((v, d) => (d === axis ? j : v)))), i[axis]));
}

export const sumOf = (vs: number[]) => vs.reduce((a, b) => a + b, 0);
export const logSumExpOf = (vs: number[]) => {
  const m = Math.max(...vs);
  return m + Math.log(sumOf(vs.map((v) => Math.exp(v - m))));
};

/** NumPy's matmul: 1-D operands are vectors, batch axes broadcast. */
export function matmulNd(a: Nd, b: Nd): Nd {
  const a2 = a.shape.length === 1 ? { shape: [1, ...a.shape], data: a.data } : a;
  const b2 = b.shape.length === 1 ? { shape: [...b.shape, 1], data: b.data } : b;
  const [m, k] = a2.shape.slice(-2), n = b2.shape[b2.shape.length - 1];
  const out = build([...broadcast(a2.shape.slice(0, -2), b2.shape.slice(0, -2)), m, n], (i) => {
    const bi = i.slice(0, -2), r = i[i.length - 2], c = i[i.length - 1];
    let s = 0;
    for (let t = 0; t < k; t++) s += at(a2, [...bi, r, t]) * at(b2, [...bi, t, c]);
    return s;
  });
  const shape = out.shape.filter((_, d) => !(b.shape.length === 1 && d === out.shape.length - 1) && !(a.shape.length === 1 && d === out.shape.length - 2));
  return { shape, data: out.data };
}

/** x with its axes in the order `axes` (out axis d is x's axis axes[d]). */
export function permuteNd(x: Nd, axes: number[]): Nd {
  return build(axes.map((a) => x.shape[a]), (o) => {
    const i = new Array<number>(axes.length);
    axes.forEach((a, d) => (i[a] = o[d]));
    return at(x, i);
  });
}

/** erf by Simpson's rule on 2/√π·exp(−t²) (an independent check of the kernel's series). */
export function erfRef(x: number): number {
  const n = 4096, h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * Math.exp(-(k * h) * (k * h));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
}
