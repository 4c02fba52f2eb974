import { ValueError } from "../errors.js";
import { mean, sum } from "../ops/functions.js";
import type { Tensor } from "../tensor/tensor.js";

/** How a loss combines its per-element values: their mean (the default), their sum, or none (keep them). */
export type Reduction = "mean" | "sum" | "none";

/** @internal */
export function reduce(loss: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  switch (reduction ?? "mean") {
    case "mean": return mean(loss);
    case "sum": return sum(loss);
    case "none": return loss;
    default: throw new ValueError(`${op}: unknown reduction ${JSON.stringify(reduction)}; expected "mean", "sum" or "none"`);
  }
}
