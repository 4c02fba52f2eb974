import { afterAll, describe, expect, it } from "vitest";
import { getBackend, kernels, registeredBackends, setBackend } from "../../src/kernels/index.js";
import type { ConvGeometry } from "../../src/kernels/backend.js";
import { col2im, im2col } from "../../src/kernels/ts/conv.js";
import { Generator } from "../../src/tensor/random.js";

/** The window geometry of a kernel over [c, h, w], with PyTorch's output size; null when the input is smaller than the kernel. */
function geometry(c: number, h: number, w: number, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[]): ConvGeometry | null {
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  return oh > 0 && ow > 0 ? { c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } : null;
}

/** Calls f(column entry, input entry or −1 for padding) for every entry of the columns, straight from the definition. */
function eachEntry(n: number, g: ConvGeometry, f: (col: number, src: number) => void): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < c; ci++)
      for (let ki = 0; ki < kh; ki++)
        for (let kj = 0; kj < kw; kj++)
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++) {
              const row = (ci * kh + ki) * kw + kj, col = (b * c * kh * kw + row) * oh * ow + oy * ow + ox;
              const iy = oy * sh + ki * dh - ph, ix = ox * sw + kj * dw - pw;
              f(col, iy >= 0 && iy < h && ix >= 0 && ix < w ? ((b * c + ci) * h + iy) * w + ix : -1);
            }
}

const colsSize = (n: number, g: ConvGeometry) => n * g.c * g.kh * g.kw * g.oh * g.ow;
const imageSize = (n: number, g: ConvGeometry) => n * g.c * g.h * g.w;
function refIm2col(x: ArrayLike<number>, n: number, g: ConvGeometry): number[] {
  const out = new Array<number>(colsSize(n, g)).fill(NaN);
  eachEntry(n, g, (col, src) => (out[col] = src < 0 ? 0 : x[src]));
  return out;
}
function refCol2im(cols: ArrayLike<number>, n: number, g: ConvGeometry): number[] {
  const out = new Array<number>(imageSize(n, g)).fill(0);
  eachEntry(n, g, (col, src) => src >= 0 && (out[src] += cols[col]));
  return out;
}
const normals = (gen: Generator, k: number) => Float64Array.from({ length: k }, () => gen.normal());
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

/** Named geometries (padding wider than the kernel, stride past the kernel, 1×1 images, a window of padding alone) and random ones. */
function cases(): { name: string; n: number; g: ConvGeometry }[] {
  const named: [string, number, ConvGeometry | null][] = [
    ["3×3, padding 1 (cnn.json)", 2, geometry(3, 6, 5, [3, 3], [1, 1], [1, 1], [1, 1])],
    ["stride 2, padding 1", 1, geometry(2, 7, 6, [3, 3], [2, 2], [1, 1], [1, 1])],
    ["rectangular, mixed stride and padding", 1, geometry(2, 5, 8, [2, 4], [1, 3], [2, 1], [1, 1])],
    ["dilation 2", 2, geometry(1, 7, 7, [3, 2], [1, 1], [1, 0], [2, 2])],
    ["padding wider than the kernel", 1, geometry(1, 3, 4, [2, 2], [1, 1], [3, 2], [1, 1])],
    ["stride past the kernel", 1, geometry(2, 9, 8, [2, 2], [4, 3], [0, 1], [1, 1])],
    ["1×1 image, 3×3 kernel, padding 1", 3, geometry(2, 1, 1, [3, 3], [1, 1], [1, 1], [1, 1])],
    ["a window of padding alone (dilation 3)", 1, geometry(1, 2, 2, [2, 2], [1, 1], [2, 2], [3, 3])],
  ];
  const out = named.map(([name, n, g]) => ({ name, n, g: g! }));
  const gen = new Generator(7);
  const int = (lo: number, hi: number) => lo + Math.floor(gen.uniform() * (hi - lo + 1));
  while (out.length < 120) {
    const g = geometry(int(1, 3), int(1, 7), int(1, 7), [int(1, 3), int(1, 3)], [int(1, 3), int(1, 3)], [int(0, 3), int(0, 3)], [int(1, 3), int(1, 3)]);
    if (g) out.push({ name: `random ${JSON.stringify(g)}`, n: int(1, 2), g });
  }
  return out;
}
const CASES = cases();

describe("the im2col and col2im kernels against plain loops over the definition", () => {
  it("checks the named geometries are valid", () => expect(CASES.slice(0, 8).every((c) => c.g !== null)).toBe(true));

  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_, { n, g }) => {
    const gen = new Generator(colsSize(n, g));
    const x = normals(gen, imageSize(n, g));
    // im2col overwrites every entry, the padded ones with 0
    const cols = new Float64Array(colsSize(n, g)).fill(NaN);
    im2col(x, n, g, cols);
    expect(Array.from(cols)).toEqual(refIm2col(x, n, g));
    // col2im adds into what out holds
    const y = normals(gen, colsSize(n, g)), base = normals(gen, imageSize(n, g));
    const out = Float64Array.from(base);
    col2im(y, n, g, out);
    const want = refCol2im(y, n, g);
    out.forEach((v, i) => expect(v).toBeCloseTo(base[i] + want[i], 12));
    // adjoint: <im2col(x), y> = <x, col2im(y)>
    const back = new Float64Array(imageSize(n, g));
    col2im(y, n, g, back);
    expect(Math.abs(dot(cols, y) - dot(x, back))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(dot(cols, y))));
  });

  it("computes float32 as float64 does (im2col copies exactly; col2im rounds once per sum)", () => {
    for (const { n, g } of CASES.slice(0, 20)) {
      const gen = new Generator(3);
      const x = Float32Array.from(normals(gen, imageSize(n, g)));
      const cols = new Float32Array(colsSize(n, g));
      im2col(x, n, g, cols);
      expect(Array.from(cols)).toEqual(refIm2col(x, n, g));
      const y = Float32Array.from(normals(gen, colsSize(n, g)));
      const out = new Float32Array(imageSize(n, g));
      col2im(y, n, g, out);
      refCol2im(y, n, g).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
    }
  });
});

describe("every registered backend's im2col and col2im agree with the reference backend", () => {
  const original = getBackend().name;
  afterAll(() => setBackend(original));
  for (const b of registeredBackends())
    it(`${b.name}, float32 and float64`, () => {
      setBackend(b.name);
      for (const dtype of ["float32", "float64"] as const)
        for (const { n, g } of CASES.slice(0, 30)) {
          const K = kernels(dtype);
          const gen = new Generator(11);
          const x = K.alloc(dtype, imageSize(n, g));
          x.set(normals(gen, x.length));
          const cols = K.alloc(dtype, colsSize(n, g)), want = K.alloc(dtype, colsSize(n, g));
          K.im2col(x, n, g, cols);
          im2col(x, n, g, want);
          expect(Array.from(cols), `${b.name} ${dtype} im2col ${JSON.stringify(g)}`).toEqual(Array.from(want));
          const back = K.alloc(dtype, imageSize(n, g)), backWant = K.alloc(dtype, imageSize(n, g));
          K.col2im(cols, n, g, back);
          col2im(cols, n, g, backWant);
          expect(Array.from(back), `${b.name} ${dtype} col2im ${JSON.stringify(g)}`).toEqual(Array.from(backWant));
        }
    });
});
