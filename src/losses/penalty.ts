import { add, mul, sum } from "../ops/functions.js";
import { checkOptions } from "../options.js";
import { boolArg, numberArg, tensorList } from "../tensor/args.js";
import { scalar } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "../nn/module.js";

export interface L2PenaltyOptions {
  /** Also penalize biases: parameters named `…bias` and parameters of rank ≤ 1 (default false). */
  includeBiases?: boolean;
}

/**
 * Weight decay as a loss term: λ/2 · Σ w² over the weights (P5's (λ/2)(‖W1‖² + ‖W2‖²)). Biases, i.e.
 * parameters whose name ends in `bias` or whose rank is at most 1, are left out unless `includeBiases`.
 * @example const loss = add(crossEntropy(scores, y), l2Penalty(model, 1e-3));
 */
export function l2Penalty(params: readonly Tensor[] | Module, lambda: number, opts?: L2PenaltyOptions): Tensor {
  const { includeBiases } = checkOptions("l2Penalty", opts, ["includeBiases"]);
  if (includeBiases !== undefined) boolArg(includeBiases, "l2Penalty", "includeBiases");
  numberArg(lambda, "l2Penalty", "lambda");
  if (!(params instanceof Module)) tensorList(params, "l2Penalty", "a Module or a list of parameter Tensors");
  const isWeight = (name: string, t: Tensor) => includeBiases === true || !(name.endsWith("bias") || t.ndim <= 1);
  const named: [string, Tensor][] = params instanceof Module ? params.namedParameters() : params.map((t) => ["", t]);
  const ws = named.filter(([n, t]) => isWeight(n, t)).map(([, t]) => t);
  if (ws.length === 0) return scalar(0);
  let s = sum(mul(ws[0], ws[0]));
  for (const w of ws.slice(1)) s = add(s, sum(mul(w, w)));
  return mul(s, lambda / 2);
}
