// fp32 GEMM kernels for chainrule's WASM backend, compiled by scripts/build-wasm.mjs in two flavours:
// relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add on x64/arm64) and plain SIMD (mul + add).
//
// C (m×n, row-major) = op(A)·op(B) over a rectangle [i0, i1) × [j0, j1) of C, so that threads can
// share one product. BLIS-style loops: N blocked by nc, K by kc, M by mc; op(B)'s kc×nc block is
// packed into panels of NR columns (kc × NR contiguous floats), op(A)'s mc×kc block into panels of
// MR rows (kc × MR contiguous floats). Transposes are absorbed by the packing, so all four variants
// run the same micro-kernel. Edges are zero-padded in the packs; edge tiles go through a small
// scratch tile. The JS side owns the memory: it passes every pointer (inputs, output, workspace).
//
// Measured (Node 20, 2-core AMD EPYC, one thread): this 4×8 tile with kc = 256 runs at ~48 GFLOPS
// relaxed and ~36 plain at 1024³; mc (32..128) and nc (512..1024) barely matter; kc = 128 loses 5%.
// NOTE: do not unroll the k loop: Binaryen then interleaves two steps, V8 spills, and it falls to 25.

const MR: i32 = 4;
const NR: i32 = 8;

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** The MR×NR register tile: 8 f32x4 accumulators, A broadcast one value at a time. */
function kernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    ap += 16; bp += 32;
  }
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  c += ldc; v128.store(c, c10); v128.store(c, c11, 16);
  c += ldc; v128.store(c, c20); v128.store(c, c21, 16);
  c += ldc; v128.store(c, c30); v128.store(c, c31, 16);
}

// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Packs op(A)[ic..ic+mc, pc..pc+kc] into panels of MR rows, zero-padding the last panel. */
function packA(a: usize, m: i32, k: i32, ta: bool, ic: i32, mc: i32, pc: i32, kc: i32, ap: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir), i = ic + ir;
    const dst = ap + <usize>(ir * kc) * 4;
    if (ta) { // A is stored k×m: op(A)[i, p] = A[p*m + i]
      const src = a + <usize>(pc * m + i) * 4, ld = <usize>m * 4;
      if (mr == MR) {
        for (let p = 0; p < kc; p++) v128.store(dst + <usize>p * 16, v128.load(src + <usize>p * ld));
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(dst + <usize>(p * MR + r) * 4, r < mr ? load<f32>(src + <usize>p * ld + <usize>r * 4) : 0);
        }
      }
    } else { // A is stored m×k: op(A)[i, p] = A[i*k + p]
      const src = a + (<usize>i * k + pc) * 4, ld = <usize>k * 4;
      let p = 0;
      if (mr == MR) {
        for (; p + 4 <= kc; p += 4) {
          const s = src + <usize>p * 4;
          transpose4(v128.load(s), v128.load(s + ld), v128.load(s + 2 * ld), v128.load(s + 3 * ld), dst + <usize>p * 16, 16);
        }
      }
      for (; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<f32>(dst + <usize>(p * MR + r) * 4, r < mr ? load<f32>(src + <usize>r * ld + <usize>p * 4) : 0);
      }
    }
  }
}

/** Packs op(B)[pc..pc+kc, jc..jc+nc] into panels of NR columns, zero-padding the last panel. */
function packB(b: usize, n: i32, k: i32, tb: bool, pc: i32, kc: i32, jc: i32, nc: i32, bp: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr), j = jc + jr;
    const dst = bp + <usize>(jr * kc) * 4;
    if (!tb) { // B is stored k×n: op(B)[p, j] = B[p*n + j]
      const src = b + (<usize>pc * n + j) * 4, ld = <usize>n * 4;
      if (nr == NR) {
        for (let p = 0; p < kc; p++) {
          const s = src + <usize>p * ld, d = dst + <usize>p * 32;
          v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16);
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f32>(dst + <usize>(p * NR + c) * 4, c < nr ? load<f32>(src + <usize>p * ld + <usize>c * 4) : 0);
        }
      }
    } else { // B is stored n×k: op(B)[p, j] = B[j*k + p]
      const src = b + (<usize>j * k + pc) * 4, ld = <usize>k * 4;
      let p = 0;
      if (nr == NR) {
        for (; p + 4 <= kc; p += 4) {
          const s = src + <usize>p * 4, d = dst + <usize>p * 32;
          transpose4(v128.load(s), v128.load(s + ld), v128.load(s + 2 * ld), v128.load(s + 3 * ld), d, 32);
          const s4 = s + 4 * ld;
          transpose4(v128.load(s4), v128.load(s4 + ld), v128.load(s4 + 2 * ld), v128.load(s4 + 3 * ld), d + 16, 32);
        }
      }
      for (; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + <usize>(p * NR + c) * 4, c < nr ? load<f32>(src + <usize>c * ld + <usize>p * 4) : 0);
      }
    }
  }
}

/** Multiplies the packed blocks into C[ic..ic+mc, jc..jc+nc]; edge tiles go through `tile`. */
function macro(ap: usize, bp: usize, c: usize, n: i32, ic: i32, mc: i32, jc: i32, nc: i32, kc: i32, acc: bool, tile: usize): void {
  const ldc = <usize>n * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bpp = bp + <usize>(jr * kc) * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const app = ap + <usize>(ir * kc) * 4;
      const cp = c + (<usize>(ic + ir) * n + jc + jr) * 4;
      if (mr == MR && nr == NR) {
        kernel(kc, app, bpp, cp, ldc, acc);
      } else {
        kernel(kc, app, bpp, tile, NR * 4, false);
        for (let r = 0; r < mr; r++) {
          for (let q = 0; q < nr; q++) {
            const d = cp + <usize>r * ldc + <usize>q * 4;
            const v = load<f32>(tile + <usize>(r * NR + q) * 4);
            store<f32>(d, acc ? load<f32>(d) + v : v);
          }
        }
      }
    }
  }
}

/**
 * C[i0..i1, j0..j1] = (op(A)·op(B))[i0..i1, j0..j1] with C row-major m×n. `ws` is this thread's
 * workspace: mcMax·kcMax floats for packed A, kcMax·ncMax for packed B, MR·NR for the edge tile
 * (mcMax a multiple of MR, ncMax of NR).
 */
export function gemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, ta: i32, tb: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, ws: usize, mcMax: i32, kcMax: i32, ncMax: i32): void {
  if (k == 0) {
    for (let i = i0; i < i1; i++) memory.fill(c + (<usize>i * n + j0) * 4, 0, <usize>(j1 - j0) * 4);
    return;
  }
  const ap = ws, bp = ws + <usize>(mcMax * kcMax) * 4, tile = bp + <usize>(kcMax * ncMax) * 4;
  for (let jc = j0; jc < j1; jc += ncMax) {
    const nc = min(ncMax, j1 - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      packB(b, n, k, tb != 0, pc, kc, jc, nc, bp);
      for (let ic = i0; ic < i1; ic += mcMax) {
        const mc = min(mcMax, i1 - ic);
        packA(a, m, k, ta != 0, ic, mc, pc, kc, ap);
        macro(ap, bp, c, n, ic, mc, jc, nc, kc, pc > 0, tile);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function sgd2(pv: v128, gv: v128, buf: usize, lr: v128, mu: v128, damp: v128, wd: v128, flags: i32): v128 {
  if (flags & 4) gv = f64x2.add(gv, f64x2.mul(wd, pv));
  if (flags & 1) {
    const b = flags & 8 ? gv : f64x2.add(f64x2.mul(mu, f64x2.promote_low_f32x4(v128.load64_zero(buf))), f64x2.mul(damp, gv));
    v128.store64_lane(buf, f32x4.demote_f64x2_zero(b), 0);
    gv = flags & 2 ? f64x2.add(gv, f64x2.mul(mu, b)) : b;
  }
  return f32x4.demote_f64x2_zero(f64x2.sub(pv, f64x2.mul(lr, gv)));
}

/**
 * One SGD step over p[i0..i1) (float32, in place) in float64 arithmetic, two lanes at a time, so it
 * rounds as the TypeScript reference bit for bit: g += wd·p (flags & 4); with momentum (flags & 1)
 * b = fresh (flags & 8) ? g : μ·buf + damp·g, buf = b, g = nesterov (flags & 2) ? g + μ·b : b; p −= lr·g.
 */
export function sgd(p: usize, g: usize, buf: usize, i0: i32, i1: i32, lr: f64, mu: f64, damp: f64, wd: f64, flags: i32): void {
  const vlr = f64x2.splat(lr), vmu = f64x2.splat(mu), vdamp = f64x2.splat(damp), vwd = f64x2.splat(wd);
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const o = <usize>i * 4;
    const pv = f64x2.promote_low_f32x4(v128.load64_zero(p + o)), gv = f64x2.promote_low_f32x4(v128.load64_zero(g + o));
    v128.store64_lane(p + o, sgd2(pv, gv, buf + o, vlr, vmu, vdamp, vwd, flags), 0);
  }
  for (; i < i1; i++) {
    const o = <usize>i * 4, pf = <f64>load<f32>(p + o);
    let gf = <f64>load<f32>(g + o);
    if (flags & 4) gf += wd * pf;
    if (flags & 1) {
      const b = flags & 8 ? gf : mu * <f64>load<f32>(buf + o) + damp * gf;
      store<f32>(buf + o, <f32>b);
      gf = flags & 2 ? gf + mu * b : b;
    }
    store<f32>(p + o, <f32>(pf - lr * gf));
  }
}

/** C[i, j] += bias[j] for the m×n row-major C, after the product is stored (so it rounds as matmul then add). */
export function addBias(c: usize, bias: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * n * 4;
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(row + <usize>j * 4, f32x4.add(v128.load(row + <usize>j * 4), v128.load(bias + <usize>j * 4)));
    for (; j < n; j++) store<f32>(row + <usize>j * 4, load<f32>(row + <usize>j * 4) + load<f32>(bias + <usize>j * 4));
  }
}
