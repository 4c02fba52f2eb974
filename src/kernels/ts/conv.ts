import type { ConvGeometry, TypedArray } from "../backend.js";

/**
 * The output columns [lo, hi) whose input column ox·sw + off lies inside [0, w): the window offset
 * off = kj·dw − pw reads padding to the left of lo and from hi on.
 */
function span(off: number, w: number, sw: number, ow: number): [number, number] {
  const lo = off >= 0 ? 0 : Math.min(ow, Math.ceil(-off / sw));
  return [lo, Math.max(lo, Math.min(ow, Math.floor((w - 1 - off) / sw) + 1))];
}

// NOTE: the two kernels walk the same rows (channel, kernel tap, output row), written out twice so that
// each inner loop is a plain typed-array loop; a row that reads padding alone is skipped (im2col zeroes it).

/** out [n, c·kh·kw, oh·ow] = the windows of x [n, c, h, w], 0 where a window reads padding. */
export function im2col(x: TypedArray, n: number, g: ConvGeometry, out: TypedArray): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  for (let b = 0, t = 0; b < n * c; b++)
    for (let ki = 0; ki < kh; ki++)
      for (let kj = 0; kj < kw; kj++) {
        const off = kj * dw - pw;
        const [lo, hi] = span(off, w, sw, ow);
        for (let oy = 0; oy < oh; oy++, t += ow) {
          const iy = oy * sh + ki * dh - ph;
          if (iy < 0 || iy >= h) {
            for (let ox = 0; ox < ow; ox++) out[t + ox] = 0;
            continue;
          }
          let ox = 0;
          for (; ox < lo; ox++) out[t + ox] = 0;
          for (let s = (b * h + iy) * w + off + lo * sw; ox < hi; ox++, s += sw) out[t + ox] = x[s];
          for (; ox < ow; ox++) out[t + ox] = 0;
        }
      }
}

/** out [n, c, h, w] += each column entry of cols [n, c·kh·kw, oh·ow] at the input it was read from (im2col's adjoint). */
export function col2im(cols: TypedArray, n: number, g: ConvGeometry, out: TypedArray): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  for (let b = 0, t = 0; b < n * c; b++)
    for (let ki = 0; ki < kh; ki++)
      for (let kj = 0; kj < kw; kj++) {
        const off = kj * dw - pw;
        const [lo, hi] = span(off, w, sw, ow);
        for (let oy = 0; oy < oh; oy++, t += ow) {
          const iy = oy * sh + ki * dh - ph;
          if (iy < 0 || iy >= h) continue;
          for (let ox = lo, s = (b * h + iy) * w + off + lo * sw; ox < hi; ox++, s += sw) out[s] += cols[t + ox];
        }
      }
}
