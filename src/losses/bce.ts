import { add, mul, neg, softplus, sub } from "../ops/functions.js";
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { describeValue } from "../tensor/format.js";
import { Tensor } from "../tensor/tensor.js";
import { type Reduction, reduce } from "./reduction.js";
import { sameShape } from "./regression.js";

export interface BCEWithLogitsOptions {
  reduction?: Reduction;
  /** The weight p of positive examples (a number, or a tensor broadcast over the last axis). */
  posWeight?: Tensor | number;
  /** A weight for each element's loss, broadcast against the input (PyTorch's `weight`). */
  weight?: Tensor | number;
}

export const BCE_WITH_LOGITS_OPTIONS = ["reduction", "posWeight", "weight"] as const;

/**
 * Binary cross-entropy of logits x against targets y in [0, 1], computed stably as
 * max(x, 0) − x·y + log(1 + e^−|x|) = softplus(x) − x·y; with a positive weight p,
 * (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), as PyTorch; each element's loss times `weight` when given.
 * @example binaryCrossEntropyWithLogits(tensor([2, -1]), tensor([1, 0])); // scalar
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, opts?: BCEWithLogitsOptions): Tensor {
  const { reduction, posWeight: p, weight } = checkOptions("binaryCrossEntropyWithLogits", opts, BCE_WITH_LOGITS_OPTIONS);
  const y = sameShape("binaryCrossEntropyWithLogits", logits, targets);
  for (const [k, v] of [["posWeight", p], ["weight", weight]] as const)
    if (v !== undefined && !(v instanceof Tensor) && typeof v !== "number")
      throw new ValueError(`binaryCrossEntropyWithLogits: ${k} must be a Tensor or a number, found ${describeValue(v)}`);
  const loss = p === undefined
    ? sub(softplus(logits), mul(logits, y))
    : add(mul(sub(1, y), logits), mul(add(mul(sub(p, 1), y), 1), softplus(neg(logits))));
  return reduce(weight === undefined ? loss : mul(loss, weight), reduction, "binaryCrossEntropyWithLogits");
}
