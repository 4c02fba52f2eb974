import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkOptions } from "../options.js";
import { BCE_WITH_LOGITS_OPTIONS, binaryCrossEntropyWithLogits, type BCEWithLogitsOptions } from "./bce.js";
import { CROSS_ENTROPY_OPTIONS, crossEntropy, type CrossEntropyOptions, NLL_LOSS_OPTIONS, nllLoss, type NLLLossOptions } from "./cross-entropy.js";
import type { Reduction } from "./reduction.js";
import { l1, mse } from "./regression.js";

abstract class Loss<O extends object> extends Module {
  readonly options: O;
  /** Checks the options at construction, so that a typo fails where it is written. */
  constructor(options: O | undefined, allowed: readonly (keyof O & string)[]) {
    super();
    this.options = checkOptions(new.target.name, options, allowed);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
  override extraRepr(): string {
    return Object.entries(this.options).map(([k, v]) => `${k}=${v instanceof Object ? "Tensor" : v}`).join(", ");
  }
}

/**
 * `crossEntropy` as a module.
 * @example new CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels);
 */
export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  constructor(options?: CrossEntropyOptions) { super(options, CROSS_ENTROPY_OPTIONS); }
  forward(logits: Tensor, target: Tensor): Tensor { return crossEntropy(logits, target, this.options); }
}

/** `nllLoss` as a module. @example new NLLLoss().call(logSoftmax(h), labels); */
export class NLLLoss extends Loss<NLLLossOptions> {
  constructor(options?: NLLLossOptions) { super(options, NLL_LOSS_OPTIONS); }
  forward(logProbs: Tensor, target: Tensor): Tensor { return nllLoss(logProbs, target, this.options); }
}

/** `mse` as a module. @example new MSELoss().call(pred, y); */
export class MSELoss extends Loss<{ reduction?: Reduction }> {
  constructor(options?: { reduction?: Reduction }) { super(options, ["reduction"]); }
  forward(input: Tensor, target: Tensor): Tensor { return mse(input, target, this.options); }
}

/** `l1` as a module. @example new L1Loss({ reduction: "sum" }).call(pred, y); */
export class L1Loss extends Loss<{ reduction?: Reduction }> {
  constructor(options?: { reduction?: Reduction }) { super(options, ["reduction"]); }
  forward(input: Tensor, target: Tensor): Tensor { return l1(input, target, this.options); }
}

/** `binaryCrossEntropyWithLogits` as a module. @example new BCEWithLogitsLoss({ posWeight: 3 }).call(logits, y); */
export class BCEWithLogitsLoss extends Loss<BCEWithLogitsOptions> {
  constructor(options?: BCEWithLogitsOptions) { super(options, BCE_WITH_LOGITS_OPTIONS); }
  forward(logits: Tensor, target: Tensor): Tensor { return binaryCrossEntropyWithLogits(logits, target, this.options); }
}
