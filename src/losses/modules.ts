import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { binaryCrossEntropyWithLogits, type BCEWithLogitsOptions } from "./bce.js";
import { crossEntropy, type CrossEntropyOptions, nllLoss } from "./cross-entropy.js";
import type { Reduction } from "./reduction.js";
import { l1, mse } from "./regression.js";

abstract class Loss<O extends object> extends Module {
  constructor(readonly options: O) {
    super();
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
  constructor(options: CrossEntropyOptions = {}) { super(options); }
  forward(logits: Tensor, target: Tensor): Tensor { return crossEntropy(logits, target, this.options); }
}

/** `nllLoss` as a module. @example new NLLLoss().call(logSoftmax(h), labels); */
export class NLLLoss extends Loss<{ reduction?: Reduction }> {
  constructor(options: { reduction?: Reduction } = {}) { super(options); }
  forward(logProbs: Tensor, target: Tensor): Tensor { return nllLoss(logProbs, target, this.options); }
}

/** `mse` as a module. @example new MSELoss().call(pred, y); */
export class MSELoss extends Loss<{ reduction?: Reduction }> {
  constructor(options: { reduction?: Reduction } = {}) { super(options); }
  forward(input: Tensor, target: Tensor): Tensor { return mse(input, target, this.options); }
}

/** `l1` as a module. @example new L1Loss({ reduction: "sum" }).call(pred, y); */
export class L1Loss extends Loss<{ reduction?: Reduction }> {
  constructor(options: { reduction?: Reduction } = {}) { super(options); }
  forward(input: Tensor, target: Tensor): Tensor { return l1(input, target, this.options); }
}

/** `binaryCrossEntropyWithLogits` as a module. @example new BCEWithLogitsLoss({ posWeight: 3 }).call(logits, y); */
export class BCEWithLogitsLoss extends Loss<BCEWithLogitsOptions> {
  constructor(options: BCEWithLogitsOptions = {}) { super(options); }
  forward(logits: Tensor, target: Tensor): Tensor { return binaryCrossEntropyWithLogits(logits, target, this.options); }
}
