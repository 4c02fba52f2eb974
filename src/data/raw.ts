/**
 * A data set as plain typed arrays, the common output of every reader (digits, IDX, CSV, synthetic).
 *
 * @example
 * const d: RawDataset = { x: new Float32Array([0, 1, 2, 3]), y: new Int32Array([0, 1]), n: 2, sampleShape: [2], classes: 2 };
 */
export interface RawDataset {
  /** `n * prod(sampleShape)` values, row-major, sample after sample. */
  x: Float32Array;
  /** `n` integer class labels in `0..classes-1`. */
  y: Int32Array;
  /** Number of samples. */
  n: number;
  /** Shape of one sample, e.g. `[784]` or `[4]`. */
  sampleShape: number[];
  /** Number of classes (the largest label + 1, or the number of distinct label strings). */
  classes: number;
  /** Names of the features, where the source has them (CSV header, synthetic coordinates). */
  featureNames?: string[];
  /** The label strings, where labels were strings: label `i` stands for `labelNames[i]`. */
  labelNames?: string[];
}

