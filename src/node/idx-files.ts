import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { FormatError } from "../errors.js";
import { parseIdx } from "../data/idx.js";
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

function readIdx(path: string) {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
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
