import { ShapeError, ValueError } from "../../errors.js";
import { ones, zeros } from "../../tensor/create.js";
import type { DType } from "../../tensor/dtype.js";
import { fmtShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOptions } from "../../options.js";
import { batchNorm, layerNorm } from "../functional.js";
import { Module } from "../module.js";
import { shapeArg } from "../util.js";

export interface BatchNorm1dOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics; null: a cumulative average (default 0.1). */
  momentum?: number | null;
  /** Learnable per-feature scale `weight` (γ) and shift `bias` (β) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Batch normalization of [N, C] or [N, C, L] inputs over all axes but C, as PyTorch's BatchNorm1d:
 * training normalizes with the batch mean and biased variance and updates `runningMean` and
 * `runningVar` (unbiased) with `momentum`; eval mode normalizes with the running statistics. The
 * buffers are `running_mean`, `running_var` and `num_batches_tracked` in the state dict.
 * @example
 * const bn = new BatchNorm1d(64);
 * bn.call(randn([32, 64])); // updates the running statistics
 * bn.eval().call(randn([8, 64]));
 */
export class BatchNorm1d extends Module {
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(readonly numFeatures: number, opts: BatchNorm1dOptions = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = "float32" } = checkOptions("BatchNorm1d", opts, [
      "eps", "momentum", "affine", "trackRunningStats", "dtype",
    ]);
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ValueError(`BatchNorm1d: numFeatures must be a positive integer, found ${numFeatures}`);
    this.eps = eps;
    this.momentum = momentum;
    this.registerParameter("weight", affine ? ones([numFeatures], { dtype }) : null);
    this.registerParameter("bias", affine ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_mean", trackRunningStats ? zeros([numFeatures], { dtype }) : null, "runningMean");
    this.registerBuffer("running_var", trackRunningStats ? ones([numFeatures], { dtype }) : null, "runningVar");
    this.registerBuffer("num_batches_tracked", trackRunningStats ? zeros([], { dtype: "int32" }) : null, "numBatchesTracked");
  }

  forward(x: Tensor): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures)
      throw new ShapeError(`BatchNorm1d: expected an input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], found ${fmtShape(x.shape)}`);
    let momentum = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked !== null) {
      const n = ++this.numBatchesTracked.data[0];
      if (this.momentum === null) momentum = 1 / n;
    }
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight, bias: this.bias, training: this.training || this.runningMean === null, momentum, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null}`;
  }
}

/**
 * Layer normalization over the trailing `normalizedShape` axes, with a learnable elementwise
 * `weight` and `bias` of that shape.
 * @example new LayerNorm(64).call(randn([8, 10, 64]));
 */
export class LayerNorm extends Module {
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean; dtype?: DType } = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = "float32" } = checkOptions("LayerNorm", opts, ["eps", "elementwiseAffine", "bias", "dtype"]);
    this.normalizedShape = shapeArg("LayerNorm", normalizedShape);
    this.eps = eps;
    this.registerParameter("weight", elementwiseAffine ? ones(this.normalizedShape, { dtype }) : null);
    this.registerParameter("bias", elementwiseAffine && bias ? zeros(this.normalizedShape, { dtype }) : null);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
