import type { Backend, BinaryOp, ReduceOp, UnaryOp } from "../backend.js";
import type { DType, TypedArray } from "../../tensor/dtype.js";

type Arr = TypedArray;

/** erf to about 1e-15: Taylor series near 0, continued fraction for erfc in the tails. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

function unaryLoop(op: UnaryOp, x: Arr, out: Arr, p: number): void {
  const n = out.length;
  switch (op) {
    case "neg": for (let i = 0; i < n; i++) out[i] = -x[i]; return;
    case "exp": for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); return;
    case "log": for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); return;
    case "sqrt": for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); return;
    case "abs": for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); return;
    case "sign": for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]); return;
    case "relu": for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v !== v ? v : 0; } return;
    case "leakyRelu": for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v * p; } return;
    case "sigmoid":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      return;
    case "tanh": for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); return;
    case "softplus": for (let i = 0; i < n; i++) { const v = x[i]; out[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); } return;
    case "erf": for (let i = 0; i < n; i++) out[i] = erf(x[i]); return;
    case "isfinite": for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]) ? 1 : 0; return;
  }
}

function binaryLoop(op: BinaryOp, a: Arr, ai: number, as: number, b: Arr, bi: number, bs: number, o: Arr, oi: number, n: number): void {
  switch (op) {
    case "add": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi]; return;
    case "sub": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi]; return;
    case "mul": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi]; return;
    case "div": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi]; return;
    case "pow": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.pow(a[ai], b[bi]); return;
    case "maximum": for (let i = 0; i < n; i++, ai += as, bi += bs) { const x = a[ai], y = b[bi]; o[oi + i] = x !== x || y !== y ? NaN : x > y ? x : y; } return;
    case "minimum": for (let i = 0; i < n; i++, ai += as, bi += bs) { const x = a[ai], y = b[bi]; o[oi + i] = x !== x || y !== y ? NaN : x < y ? x : y; } return;
    case "gt": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] > b[bi] ? 1 : 0; return;
    case "lt": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] < b[bi] ? 1 : 0; return;
    case "ge": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] >= b[bi] ? 1 : 0; return;
    case "le": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] <= b[bi] ? 1 : 0; return;
    case "eq": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] === b[bi] ? 1 : 0; return;
    case "ne": for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== b[bi] ? 1 : 0; return;
  }
}

/** Calls body(offsets..., outOffset) for every row (all dims but the last) of `shape`. */
function forEachRow(shape: readonly number[], strides: readonly (readonly number[])[], body: (offs: number[], row: number) => void): void {
  const r = shape.length;
  const rows = r <= 1 ? 1 : shape.slice(0, r - 1).reduce((x, y) => x * y, 1);
  if (rows === 0) return;
  const idx = new Array<number>(Math.max(r - 1, 0)).fill(0);
  const offs = strides.map(() => 0);
  for (let row = 0; row < rows; row++) {
    body(offs, row);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      for (let t = 0; t < strides.length; t++) offs[t] += strides[t][d];
      if (idx[d] < shape[d]) break;
      for (let t = 0; t < strides.length; t++) offs[t] -= strides[t][d] * shape[d];
      idx[d] = 0;
    }
  }
}

function matmulNN(a: Arr, ao: number, b: Arr, bo: number, c: Arr, co: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ci = co + i * n;
    for (let j = 0; j < n; j++) c[ci + j] = 0;
    const ai = ao + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p];
      if (av === 0) continue;
      const bp = bo + p * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}

function matmulNT(a: Arr, ao: number, b: Arr, bo: number, c: Arr, co: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ai = ao + i * k;
    for (let j = 0; j < n; j++) {
      const bj = bo + j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, p = 0;
      for (; p + 3 < k; p += 4) {
        s0 += a[ai + p] * b[bj + p];
        s1 += a[ai + p + 1] * b[bj + p + 1];
        s2 += a[ai + p + 2] * b[bj + p + 2];
        s3 += a[ai + p + 3] * b[bj + p + 3];
      }
      for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
      c[co + i * n + j] = s0 + s1 + s2 + s3;
    }
  }
}

function matmulTN(a: Arr, ao: number, b: Arr, bo: number, c: Arr, co: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m * n; i++) c[co + i] = 0;
  for (let p = 0; p < k; p++) {
    const ap = ao + p * m, bp = bo + p * n;
    for (let i = 0; i < m; i++) {
      const av = a[ap + i];
      if (av === 0) continue;
      const ci = co + i * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}

/** The reference backend: plain TypeScript loops over typed arrays, for float32, float64 and int32. */
export const tsBackend: Backend = {
  name: "ts",
  alloc(dtype: DType, size: number): Arr {
    return dtype === "float64" ? new Float64Array(size) : dtype === "int32" ? new Int32Array(size) : new Float32Array(size);
  },
  unary(op, x, out, param = 0) {
    unaryLoop(op, x, out, param);
  },
  binary(op, a, aStrides, b, bStrides, out, shape) {
    const r = shape.length;
    const n = out.length;
    if (n === 0) return;
    if (r === 0) return binaryLoop(op, a, 0, 0, b, 0, 0, out, 0, 1);
    const last = shape[r - 1];
    // NOTE: fuse everything into one loop when both operands are contiguous or scalar-broadcast.
    const sa = flatStep(aStrides, shape), sb = flatStep(bStrides, shape);
    if (sa >= 0 && sb >= 0) return binaryLoop(op, a, 0, sa, b, 0, sb, out, 0, n);
    forEachRow(shape, [aStrides, bStrides], (o, row) =>
      binaryLoop(op, a, o[0], aStrides[r - 1], b, o[1], bStrides[r - 1], out, row * last, last),
    );
  },
  where(c, cs, a, as, b, bs, out, shape) {
    const r = shape.length;
    if (out.length === 0) return;
    if (r === 0) { out[0] = c[0] !== 0 ? a[0] : b[0]; return; }
    const last = shape[r - 1];
    forEachRow(shape, [cs, as, bs], (o, row) => {
      let ci = o[0], ai = o[1], bi = o[2];
      const oi = row * last;
      for (let i = 0; i < last; i++, ci += cs[r - 1], ai += as[r - 1], bi += bs[r - 1]) out[oi + i] = c[ci] !== 0 ? a[ai] : b[bi];
    });
  },
  reduce(op: ReduceOp, x, outer, inner, out) {
    for (let o = 0; o < outer; o++) {
      const base = o * inner;
      if (op === "sum") {
        let s = 0;
        for (let i = 0; i < inner; i++) s += x[base + i];
        out[o] = s;
      } else if (op === "max" || op === "min") {
        let best = inner === 0 ? (op === "max" ? -Infinity : Infinity) : x[base];
        for (let i = 1; i < inner; i++) {
          const v = x[base + i];
          if (v !== v) { best = NaN; break; }
          if (op === "max" ? v > best : v < best) best = v;
        }
        out[o] = best;
      } else {
        let bi = 0, best = x[base];
        for (let i = 1; i < inner; i++) {
          const v = x[base + i];
          if (op === "argmax" ? v > best : v < best) { best = v; bi = i; }
        }
        out[o] = bi;
      }
    }
  },
  matmul(a, ao, b, bo, out, oo, m, n, k, transA, transB) {
    if (!transA && !transB) return matmulNN(a, ao, b, bo, out, oo, m, n, k);
    if (!transA && transB) return matmulNT(a, ao, b, bo, out, oo, m, n, k);
    if (transA && !transB) return matmulTN(a, ao, b, bo, out, oo, m, n, k);
    const bt = new Float64Array(k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bt[p * n + j] = b[bo + j * k + p];
    matmulTN(a, ao, bt, 0, out, oo, m, n, k);
  },
  copy(src, srcOffset, srcStrides, shape, dst, dstOffset) {
    const r = shape.length;
    if (r === 0) { dst[dstOffset] = src[srcOffset]; return; }
    const last = shape[r - 1], ls = srcStrides[r - 1];
    forEachRow(shape, [srcStrides], (o, row) => {
      let si = srcOffset + o[0];
      const di = dstOffset + row * last;
      for (let i = 0; i < last; i++, si += ls) dst[di + i] = src[si];
    });
  },
  addInto(src, dst, dstOffset, dstStrides, shape) {
    const r = shape.length;
    if (r === 0) { dst[dstOffset] += src[0]; return; }
    const last = shape[r - 1], ls = dstStrides[r - 1];
    forEachRow(shape, [dstStrides], (o, row) => {
      let di = dstOffset + o[0];
      const si = row * last;
      for (let i = 0; i < last; i++, di += ls) dst[di] += src[si + i];
    });
  },
  gather(x, axisLen, index, outer, idxLen, inner, out) {
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < idxLen; i++) {
        const ob = (o * idxLen + i) * inner;
        for (let r = 0; r < inner; r++) out[ob + r] = x[(o * axisLen + index[ob + r]) * inner + r];
      }
  },
  scatterAdd(src, index, outer, idxLen, inner, axisLen, out) {
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < idxLen; i++) {
        const sb = (o * idxLen + i) * inner;
        for (let r = 0; r < inner; r++) out[(o * axisLen + index[sb + r]) * inner + r] += src[sb + r];
      }
  },
};

/** 1 when strides read the operand as the full contiguous array, 0 when as one broadcast scalar, -1 otherwise. */
function flatStep(strides: readonly number[], shape: readonly number[]): number {
  let acc = 1, contiguous = true, scalar = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1) {
      if (strides[i] !== acc) contiguous = false;
      if (strides[i] !== 0) scalar = false;
    }
    acc *= shape[i];
  }
  return contiguous ? 1 : scalar ? 0 : -1;
}
