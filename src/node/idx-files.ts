import { constants as buffers } from "node:buffer";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { constants as zlib, gunzipSync } from "node:zlib";
import { FormatError } from "../errors.js";
import { idxFileLength, parseIdx } from "../data/idx.js";
import { readFileBytes } from "./fs.js";
import type { RawDataset } from "../data/raw.js";

/** The first of the accepted spellings of `prefix-kind-idxN-ubyte` that exists in `dir`. */
function findFile(dir: string, prefix: string, kind: string, rank: number): { path?: string; tried: string[] } {
  const tried: string[] = [];
  for (const sep of ["-", "."]) {
    for (const gz of ["", ".gz"]) {
      const name = `${prefix}-${kind}${sep}idx${rank}-ubyte${gz}`;
      tried.push(name);
      if (existsSync(join(dir, name))) return { path: join(dir, name), tried };
    }
  }
  return { tried };
}

/**
 * The bytes of a gzipped IDX file, allocating no more than its header declares: the header is
 * inflated first (from the stream's first 4 KiB), and the whole stream may then hold that many bytes
 * and no more (nor more than deflate's ~1032:1 ratio allows), so a gzip bomb is an error, not an allocation.
 */
function gunzipIdx(path: string, bytes: Uint8Array): Uint8Array {
  const fail = (e: unknown, what = "is not a valid gzip file"): never => {
    throw new FormatError(`${path}: ${what} (${(e as Error).message})`);
  };
  let head: Uint8Array = new Uint8Array(0);
  try {
    head = gunzipSync(bytes.subarray(0, 4096), { finishFlush: zlib.Z_SYNC_FLUSH, maxOutputLength: 1 << 23 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") fail(e);
  }
  const declared = idxFileLength(head.subarray(0, 1024));
  const limit = Math.min(buffers.MAX_LENGTH, 1100 * bytes.length + 4096);
  if (declared !== undefined && declared > limit) {
    throw new FormatError(`${path}: the IDX header declares ${declared} bytes, more than a gzip file of ${bytes.length} bytes can hold`);
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: declared === undefined ? Math.min(limit, 1 << 23) : Math.max(declared, 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      if (declared === undefined) return head; // not an IDX header: parseIdx names what is wrong with it
      fail(e, `inflates to more than the ${declared} bytes its IDX header declares`);
    }
    return fail(e);
  }
}

function readIdx(path: string) {
  let bytes = readFileBytes(path, "IDX file");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const b = gunzipIdx(path, bytes);
    bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength); // not a Buffer, whose slice() is a view
  }
  try {
    return parseIdx(bytes);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * Loads an MNIST-style data set (MNIST, Fashion-MNIST, ...) from the IDX files in `dir`:
 * `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` for "train", `t10k-...` for "test",
 * each also accepted with `.` instead of `-` before `idx` and with a `.gz` suffix (gzip is detected
 * from the file's first bytes). Pixels are scaled to [0, 1]; sampleShape is `[rows * cols]`.
 *
 * @example
 * const train = loadIdxDataset("data/mnist", "train"); // train.n = 60000, train.sampleShape = [784]
 */
export function loadIdxDataset(dir: string, split: "train" | "test"): RawDataset {
  if (split !== "train" && split !== "test") {
    throw new FormatError(`loadIdxDataset: expected split "train" or "test", found ${JSON.stringify(split)}`);
  }
  const prefix = split === "train" ? "train" : "t10k";
  const images = findFile(dir, prefix, "images", 3);
  const labels = findFile(dir, prefix, "labels", 1);
  const missing = [images, labels].filter((f) => !f.path).map((f) => f.tried.join(" or "));
  if (missing.length > 0) {
    throw new FormatError(`loadIdxDataset: the ${split} split needs ${missing.join(", and ")} in directory ${dir}`);
  }
  const img = readIdx(images.path!);
  const lab = readIdx(labels.path!);
  if (!(img.data instanceof Uint8Array) || img.shape.length !== 3) {
    throw new FormatError(`${images.path}: expected 3-dimensional ubyte images, found ${img.shape.length} dimensions of ${img.data.constructor.name}`);
  }
  if (!(lab.data instanceof Uint8Array) || lab.shape.length !== 1) {
    throw new FormatError(`${labels.path}: expected 1-dimensional ubyte labels, found ${lab.shape.length} dimensions of ${lab.data.constructor.name}`);
  }
  const [n, rows, cols] = img.shape;
  if (lab.shape[0] !== n) throw new FormatError(`${labels.path}: expected ${n} labels to match the images, found ${lab.shape[0]}`);
  const x = new Float32Array(img.data.length);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i] / 255;
  const y = Int32Array.from(lab.data);
  const classes = n === 0 ? 0 : y.reduce((a, b) => Math.max(a, b), 0) + 1;
  return { x, y, n, sampleShape: [rows * cols], classes };
}
