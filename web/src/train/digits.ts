// The page's digits (web/public/digits.bin, made by scripts/web-assets.mjs) and the MNIST treatment
// of a drawn digit. Plain functions of arrays (no DOM, no library), so Node tests run them too.

export const SIDE = 28, PIXELS = SIDE * SIDE;

export interface Digits {
  nTrain: number;
  nTest: number;
  /** Labels of the train samples, then of the test samples. */
  labels: Uint8Array;
  /** uint8 pixels, 784 per sample, train first. */
  pixels: Uint8Array;
}

/** Reads digits.bin: "CRDG", uint32 nTrain, uint32 nTest (little-endian), labels, pixels; every size checked. */
export function decodeDigits(buf: ArrayBuffer): Digits {
  const bytes = new Uint8Array(buf);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 12 || magic !== "CRDG") throw new Error(`digits.bin: expected the header "CRDG", found ${JSON.stringify(magic)} (${bytes.length} bytes)`);
  const view = new DataView(buf);
  const nTrain = view.getUint32(4, true), nTest = view.getUint32(8, true), n = nTrain + nTest;
  const want = 12 + n + n * PIXELS;
  if (bytes.length !== want) throw new Error(`digits.bin: ${nTrain} train + ${nTest} test digits need ${want} bytes, found ${bytes.length}`);
  return { nTrain, nTest, labels: bytes.subarray(12, 12 + n), pixels: bytes.subarray(12 + n) };
}

/** Samples [from, to) as float32 in [0, 1] (pixel / 255). */
export function normalised(d: Digits, from: number, to: number): Float32Array {
  const src = d.pixels.subarray(from * PIXELS, to * PIXELS), out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! / 255;
  return out;
}

/** Area-averaging resample of one axis: `n` values of `src` (stride `step`) onto `m` cells. */
function resample1d(get: (i: number) => number, n: number, m: number): Float32Array {
  const out = new Float32Array(m), scale = n / m;
  for (let j = 0; j < m; j++) {
    const lo = j * scale, hi = lo + scale;
    let acc = 0;
    for (let i = Math.floor(lo); i < Math.min(n, Math.ceil(hi)); i++) acc += get(i) * (Math.min(hi, i + 1) - Math.max(lo, i));
    out[j] = acc / scale;
  }
  return out;
}

/**
 * A drawing (w×h intensities in [0, 1]) as MNIST prepares its digits: the ink's bounding box scaled,
 * keeping its aspect ratio, to fit a 20×20 box (area averaging), then placed in 28×28 with its centre
 * of mass at the centre (14, 14). An empty drawing gives 784 zeros.
 */
export function mnistify(ink: Float32Array | Uint8ClampedArray, w: number, h: number): Float32Array {
  if (ink.length !== w * h) throw new Error(`mnistify: expected ${w}×${h} = ${w * h} values, found ${ink.length}`);
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (ink[y * w + x]! > 0.01) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const out = new Float32Array(PIXELS);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, s = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));
  // Rows first (bh rows of tw cells), then columns (th rows).
  const rows: Float32Array[] = [];
  for (let y = 0; y < bh; y++) rows.push(resample1d((i) => ink[(y0 + y) * w + x0 + i]!, bw, tw));
  const box = new Float32Array(tw * th);
  for (let x = 0; x < tw; x++) {
    const col = resample1d((i) => rows[i]![x]!, bh, th);
    for (let y = 0; y < th; y++) box[y * tw + x] = col[y]!;
  }
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
    const v = box[y * tw + x]!;
    mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
  }
  const ox = Math.round(SIDE / 2 - mx / mass), oy = Math.round(SIDE / 2 - my / mass);
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
    const X = x + ox, Y = y + oy;
    if (X >= 0 && X < SIDE && Y >= 0 && Y < SIDE) out[Y * SIDE + X] = Math.min(1, box[y * tw + x]!);
  }
  return out;
}
