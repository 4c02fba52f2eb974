import { describe, expect, it } from "vitest";
import {
  BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, type Reduction, type Tensor,
  binaryCrossEntropyWithLogits, crossEntropy, l1, l2Penalty, mse, nllLoss, tensor,
} from "../../src/index.js";
import { type Fn, type FnCase, expectSameNames, load, runFnCase, zerosWouldFail } from "./harness.js";

const fixture = load<FnCase>("losses");

const table: Record<string, Fn> = {};
for (const r of ["mean", "sum", "none"] as Reduction[]) {
  const reduction = r;
  Object.assign(table, {
    [`crossEntropy/labels,${r}`]: ([h, y]) => crossEntropy(h, y, { reduction }),
    [`crossEntropy/probs,${r}`]: ([h, p]) => crossEntropy(h, p, { reduction }),
    [`crossEntropy/labelSmoothing,${r}`]: ([h, y]) => crossEntropy(h, y, { reduction, labelSmoothing: 0.1 }),
    [`crossEntropy/weight,${r}`]: ([h, y, w]) => crossEntropy(h, y, { reduction, weight: w }),
    [`crossEntropy/ignoreIndex,${r}`]: ([h, y]) => crossEntropy(h, y, { reduction, ignoreIndex: -100 }),
    [`crossEntropy/nd,${r}`]: ([h, y]) => crossEntropy(h, y, { reduction }),
    [`nllLoss/basic,${r}`]: ([lp, y]) => nllLoss(lp, y, { reduction }),
    [`nllLoss/weight,${r}`]: ([lp, y, w]) => nllLoss(lp, y, { reduction, weight: w }),
    [`mse/${r}`]: ([a, b]) => mse(a, b, { reduction }),
    [`l1/${r}`]: ([a, b]) => l1(a, b, { reduction }),
    [`bceWithLogits/${r}`]: ([x, y]) => binaryCrossEntropyWithLogits(x, y, { reduction }),
    [`bceWithLogits/posWeight_tensor,${r}`]: ([x, y, p]) => binaryCrossEntropyWithLogits(x, y, { reduction, posWeight: p }),
  } satisfies Record<string, Fn>);
}

Object.assign(table, {
  "crossEntropy/unbatched": ([h, y]) => crossEntropy(h, y),
  "crossEntropy/unbatched_probs": ([h, p]) => crossEntropy(h, p),
  "crossEntropy/probs_not_normalized": ([h, p]) => crossEntropy(h, p),
  "crossEntropy/probs_not_normalized,none": ([h, p]) => crossEntropy(h, p, { reduction: "none" }),
  "crossEntropy/probs,labelSmoothing": ([h, p]) => crossEntropy(h, p, { labelSmoothing: 0.2 }),
  "crossEntropy/probs,weight": ([h, p, w]) => crossEntropy(h, p, { weight: w }),
  "crossEntropy/ignoreIndex_default": ([h, y]) => crossEntropy(h, y),
  "crossEntropy/ignoreIndex=2": ([h, y]) => crossEntropy(h, y, { ignoreIndex: 2 }),
  "crossEntropy/weight,ignoreIndex": ([h, y, w]) => crossEntropy(h, y, { weight: w, ignoreIndex: -100 }),
  "crossEntropy/labelSmoothing,weight": ([h, y, w]) => crossEntropy(h, y, { weight: w, labelSmoothing: 0.1 }),
  "crossEntropy/labelSmoothing,weight,sum": ([h, y, w]) => crossEntropy(h, y, { weight: w, labelSmoothing: 0.1, reduction: "sum" }),
  "crossEntropy/labelSmoothing,ignoreIndex": ([h, y]) => crossEntropy(h, y, { labelSmoothing: 0.2, ignoreIndex: -100 }),
  "crossEntropy/nd,weight": ([h, y, w]) => crossEntropy(h, y, { weight: w }),
  "crossEntropy/nd,ignoreIndex": ([h, y]) => crossEntropy(h, y, { ignoreIndex: -100 }),
  "crossEntropy/nd,labelSmoothing": ([h, y]) => crossEntropy(h, y, { labelSmoothing: 0.1 }),
  "crossEntropy/nd,probs": ([h, p]) => crossEntropy(h, p),
  "crossEntropy/float32": ([h, y]) => crossEntropy(h, y),
  "nllLoss/ignoreIndex": ([lp, y]) => nllLoss(lp, y, { ignoreIndex: -100 }),
  "nllLoss/weight,ignoreIndex": ([lp, y, w]) => nllLoss(lp, y, { weight: w, ignoreIndex: -100 }),
  "nllLoss/unbatched": ([lp, y]) => nllLoss(lp, y),
  "nllLoss/nd": ([lp, y]) => nllLoss(lp, y),
  "bceWithLogits/weight": ([x, y, w]) => binaryCrossEntropyWithLogits(x, y, { weight: w }),
  "bceWithLogits/weight_broadcast,sum": ([x, y, w]) => binaryCrossEntropyWithLogits(x, y, { weight: w, reduction: "sum" }),
  "bceWithLogits/weight,posWeight,none": ([x, y, w, p]) => binaryCrossEntropyWithLogits(x, y, { weight: w, posWeight: p, reduction: "none" }),
  "bceWithLogits/posWeight_number": ([x, y]) => binaryCrossEntropyWithLogits(x, y, { posWeight: 3 }),
  "bceWithLogits/large_logits": ([x, y]) => binaryCrossEntropyWithLogits(x, y, { reduction: "none" }),
  "bceWithLogits/posWeight,large_logits": ([x, y]) => binaryCrossEntropyWithLogits(x, y, { posWeight: 2, reduction: "none" }),
  "CrossEntropyLoss/weight,labelSmoothing,ignoreIndex": ([h, y]) =>
    new CrossEntropyLoss({ weight: tensor([0.5, 2, 1, 1.5], { dtype: "float64" }), labelSmoothing: 0.1, ignoreIndex: 1 }).call(h, y),
  "NLLLoss/weight,sum": ([lp, y]) => new NLLLoss({ weight: tensor([0.5, 2, 1, 1.5], { dtype: "float64" }), reduction: "sum" }).call(lp, y),
  "MSELoss/sum": ([a, b]) => new MSELoss({ reduction: "sum" }).call(a, b),
  "L1Loss/none": ([a, b]) => new L1Loss({ reduction: "none" }).call(a, b),
  "BCEWithLogitsLoss/posWeight": ([x, y]) => new BCEWithLogitsLoss({ posWeight: 2.5 }).call(x, y),
  "l2Penalty/weights_only": (ps: Tensor[]) => l2Penalty(ps, 0.01),
  "l2Penalty/includeBiases": (ps: Tensor[]) => l2Penalty(ps, 0.3, { includeBiases: true }),
} satisfies Record<string, Fn>);

describe(`losses against PyTorch ${fixture.torch}`, () => {
  it("has a chainrule function for every case and a case for every function", () => expectSameNames(fixture.cases, table));
  it("would fail for a function that returns zeros", () => expect(fixture.cases.filter((c) => !zerosWouldFail(c)).map((c) => c.name)).toEqual([]));
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (name, c) => runFnCase(c, table[name]));
});
