import { ShapeError, ValueError } from "../errors.js";
import { kernels } from "../kernels/index.js";
import { Generator } from "../tensor/random.js";
import { fmtShape, sizeOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { stack } from "../ops/functions.js";
import { tensor } from "../tensor/create.js";
import { checkOptions } from "../options.js";
import { describeValue } from "../tensor/format.js";
import type { RawDataset } from "./raw.js";

/** A map-style data set: `length` samples, each a tuple of tensors (usually `[input, target]`). */
export interface Dataset {
  readonly length: number;
  get(index: number): Tensor[];
  /** Optional fast path: the samples at `indices`, each tensor stacked along a new first axis. */
  getBatch?(indices: ArrayLike<number>): Tensor[];
}

/**
 * Samples are the rows of a few tensors with the same first dimension (PyTorch's TensorDataset).
 * @example const ds = new TensorDataset(x, y); ds.get(0); // [x[0], y[0]]
 */
export class TensorDataset implements Dataset {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError(`TensorDataset: expected at least one tensor`);
    tensors.forEach((t, i) => {
      if (t instanceof Tensor) return;
      const hint = ArrayBuffer.isView(t) || Array.isArray(t) ? "; wrap it with tensor(values, { shape }), or use fromRaw(raw) for a RawDataset" : "";
      throw new ValueError(`TensorDataset: argument ${i} must be a Tensor, found ${describeValue(t)}${hint}`);
    });
    const n = tensors[0].shape[0];
    for (const t of tensors)
      if (t.ndim === 0 || t.shape[0] !== n)
        throw new ShapeError(`TensorDataset: every tensor needs the same first dimension; found ${tensors.map((x) => fmtShape(x.shape)).join(", ")}`);
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    return this.getBatch([index]).map((t) => new Tensor(t.data, t.shape.slice(1), t.dtype));
  }

  getBatch(indices: ArrayLike<number>): Tensor[] {
    const n = this.length;
    return this.tensors.map((t) => {
      const row = sizeOf(t.shape.slice(1));
      const out = kernels(t.dtype).alloc(t.dtype, indices.length * row);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new ValueError(`TensorDataset: index ${i} is out of range for ${n} samples`);
        out.set(t.data.subarray(i * row, (i + 1) * row), k * row);
      }
      return new Tensor(out, [indices.length, ...t.shape.slice(1)], t.dtype);
    });
  }
}

/** A RawDataset (from the digits, IDX, CSV or synthetic readers) as `[x float32 [n, ...sampleShape], y int32 [n]]`. */
export function fromRaw(raw: RawDataset): TensorDataset {
  if (arguments.length > 1) throw new ValueError(`fromRaw: takes one RawDataset, found ${arguments.length} arguments; to reshape samples write fromRaw({ ...raw, sampleShape: [1, 28, 28] })`);
  if (raw === null || typeof raw !== "object" || !(raw.x instanceof Float32Array) || !(raw.y instanceof Int32Array) || !Number.isInteger(raw.n) || !Array.isArray(raw.sampleShape))
    throw new ValueError(`fromRaw: expected a RawDataset { x: Float32Array, y: Int32Array, n, sampleShape, classes }, found ${describeValue(raw)}`);
  return new TensorDataset(tensor(raw.x, { shape: [raw.n, ...raw.sampleShape] }), tensor(raw.y, { shape: [raw.n] }));
}

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** The generator for shuffling (a new one seeded with `seed` when not given). */
  generator?: Generator;
  seed?: number;
}

/**
 * Batches of a data set, shuffled with a seeded generator: the same seed gives the same batches.
 * @example for (const [x, y] of new DataLoader(ds, { batchSize: 64, shuffle: true, seed: 0 })) { ... }
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;

  constructor(readonly dataset: Dataset, opts: DataLoaderOptions = {}) {
    if (arguments.length > 2) throw new ValueError(`DataLoader: takes (dataset, { batchSize, shuffle, dropLast, generator, seed }), found ${arguments.length} arguments`);
    if (dataset === null || typeof dataset !== "object" || !Number.isInteger(dataset.length) || typeof dataset.get !== "function")
      throw new ValueError(`DataLoader: expected a Dataset (a length and get(index)), found ${describeValue(dataset)}`);
    opts = checkOptions("DataLoader", opts, ["batchSize", "shuffle", "dropLast", "generator", "seed"]);
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, found ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    if (opts.generator !== undefined && !(opts.generator instanceof Generator))
      throw new ValueError(`DataLoader: generator must be a Generator, found ${describeValue(opts.generator)}`);
    if (opts.generator !== undefined && opts.seed !== undefined) throw new ValueError(`DataLoader: give generator or seed, not both (the seed would be ignored)`);
    this.generator = opts.generator ?? new Generator(opts.seed ?? 0);
  }

  /** The number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const idx = order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize));
      if (this.dataset.getBatch) yield this.dataset.getBatch(idx);
      else {
        const samples = Array.from(idx, (i) => this.dataset.get(i));
        yield samples[0].map((_, k) => stack(samples.map((s) => s[k])));
      }
    }
  }
}
