import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { add, cast, gather, mul, neg, requireFloat, reshape, squeeze, unsqueeze } from "../ops/functions.js";
import { apply } from "../ops/op.js";
import { softmaxCrossEntropyDef } from "../ops/softmax-cross-entropy.js";
import { full } from "../tensor/create.js";
import { fmtShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Reduction, reduce } from "./reduction.js";

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** ε: the target becomes (1 − ε)·y + ε/C (default 0). */
  labelSmoothing?: number;
}

/**
 * The fused primitive: per-row −Σⱼ yⱼ log softmax(h)ⱼ for logits h [..., C] and target
 * distributions y of the same shape, with the gradient softmax(h) − y (see P4).
 * @example softmaxCrossEntropy(logits, oneHot(labels, 10, { dtype: logits.dtype })); // [N]
 */
export function softmaxCrossEntropy(h: Tensor, y: Tensor): Tensor {
  return apply(softmaxCrossEntropyDef, [h, y], {});
}

function checkLabels(op: string, target: Tensor, n: number, c: number, logits: Tensor): void {
  if (target.ndim !== 1) throw new ShapeError(`${op}: expected class indices [${n}] for logits ${fmtShape(logits.shape)}, found target ${fmtShape(target.shape)}`);
  if (target.shape[0] !== n) throw new ShapeError(`${op}: logits ${fmtShape(logits.shape)} and target ${fmtShape(target.shape)} differ in batch size`);
  for (let i = 0; i < n; i++) {
    const v = target.data[i];
    if (v < 0 || v >= c) throw new ValueError(`${op}: label ${v} at index ${i} is out of range for ${c} classes`);
  }
}

function batched(logits: Tensor, target: Tensor, op: string): [Tensor, Tensor, boolean] {
  requireFloat(logits, op);
  if (logits.ndim === 1) return [unsqueeze(logits, 0), unsqueeze(target, 0), true];
  if (logits.ndim !== 2) throw new ShapeError(`${op}: expected logits [N, C] or [C], found ${fmtShape(logits.shape)}`);
  return [logits, target, false];
}

/**
 * Softmax cross-entropy of logits [N, C] (or [C]) against int32 class indices [N] or float
 * probabilities [N, C], through the fused primitive whose gradient is (softmax(h) − y)/N for the mean.
 *
 * @example
 * const loss = crossEntropy(scores, labels); // labels: int32 [N]
 * loss.backward(); // scores.grad = (softmax(scores) − onehot(labels)) / N
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], found ${eps}`);
  const [h, t, unbatched] = batched(logits, target, "crossEntropy");
  const [n, c] = h.shape;
  let y: Tensor;
  if (t.dtype === "int32") {
    checkLabels("crossEntropy", t, n, c, logits);
    y = full([n, c], eps / c, { dtype: h.dtype });
    for (let i = 0; i < n; i++) y.data[i * c + t.data[i]] += 1 - eps;
  } else {
    if (t.ndim !== 2)
      throw new DTypeError(`crossEntropy: class indices must be int32, found ${t.dtype} ${fmtShape(target.shape)}; soft targets must be probabilities of the logits' shape ${fmtShape(logits.shape)}`);
    if (t.shape[0] !== n) throw new ShapeError(`crossEntropy: logits ${fmtShape(logits.shape)} and target ${fmtShape(target.shape)} differ in batch size`);
    if (t.shape[1] !== c) throw new ShapeError(`crossEntropy: logits ${fmtShape(logits.shape)} and target probabilities ${fmtShape(target.shape)} differ in the number of classes`);
    y = cast(t, h.dtype);
    if (eps > 0) y = add(mul(y, 1 - eps), eps / c);
  }
  const loss = softmaxCrossEntropy(h, y);
  return reduce(unbatched ? squeeze(loss, 0) : loss, opts.reduction, "crossEntropy");
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C]) at int32 class indices [N]:
 * −logProbs[n, target[n]], reduced.
 * @example nllLoss(logSoftmax(scores), labels); // equals crossEntropy(scores, labels)
 */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const [lp, t, unbatched] = batched(logProbs, target, "nllLoss");
  const [n, c] = lp.shape;
  if (t.dtype !== "int32") throw new DTypeError(`nllLoss: class indices must be int32, found ${t.dtype}`);
  checkLabels("nllLoss", t, n, c, logProbs);
  const loss = neg(reshape(gather(lp, 1, reshape(t, [n, 1])), [n]));
  return reduce(unbatched ? squeeze(loss, 0) : loss, opts.reduction, "nllLoss");
}
