import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { add, cast, div, gather, mul, neg, permute, requireFloat, reshape, sum, where } from "../ops/functions.js";
import { run } from "../ops/index.js";
import { tensorArg } from "../tensor/args.js";
import { describeValue } from "../tensor/format.js";
import { checkOptions } from "../options.js";
import { tensor } from "../tensor/create.js";
import { fmtShape, shapesEqual, sizeOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type Reduction, reduce } from "./reduction.js";

export interface NLLLossOptions {
  reduction?: Reduction;
  /** Per-class weights [C]: position n counts w[yₙ] times, and the mean divides by Σₙ w[yₙ] (PyTorch's `weight`). */
  weight?: Tensor;
  /** Index targets equal to it contribute 0 and are left out of the mean (default −100, as PyTorch's `ignore_index`). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NLLLossOptions {
  /** ε: the target becomes (1 − ε)·y + ε/C (default 0); with `weight`, the smoothing term is weighted too, as PyTorch. */
  labelSmoothing?: number;
}

/** The option names each loss accepts (the loss modules check them at construction). */
export const NLL_LOSS_OPTIONS = ["reduction", "weight", "ignoreIndex"] as const;
export const CROSS_ENTROPY_OPTIONS = ["reduction", "weight", "ignoreIndex", "labelSmoothing"] as const;

/**
 * The fused primitive: per-row Σⱼ yⱼ (logΣexp(h) − hⱼ) for logits h [..., C] and targets y of the same
 * shape (any non-negative weights; they need not sum to 1), with the gradient softmax(h)·Σy − y (see P4).
 * @example softmaxCrossEntropy(logits, oneHot(labels, 10, { dtype: logits.dtype })); // [N]
 */
export function softmaxCrossEntropy(h: Tensor, y: Tensor): Tensor {
  return run("softmaxCrossEntropy", [h, y], {});
}

/** Scores [N, C, d₁, …] (or [C]) as rows [M, C] with the class axis last, and the shape [N, d₁, …] of the losses. */
function classRows(x: Tensor, op: string): { rows: Tensor; outShape: number[] } {
  if (x.ndim === 0) throw new ShapeError(`${op}: expected scores [N, C, …] or [C], found a scalar`);
  if (x.ndim === 1) return { rows: reshape(x, [1, x.shape[0]]), outShape: [] };
  const outShape = [x.shape[0], ...x.shape.slice(2)];
  const last = x.ndim === 2 ? x : permute(x, [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2), 1]);
  return { rows: reshape(last, [sizeOf(outShape), x.shape[1]]), outShape };
}

/** Checks class indices against the losses' shape: the flat labels (ignored ones set to 0) and the mask of the counted ones. */
function indexTargets(op: string, target: Tensor, scores: Tensor, outShape: number[], c: number, ignoreIndex: number) {
  if (!shapesEqual(target.shape, outShape)) {
    if (target.ndim === outShape.length && target.ndim > 0)
      throw new ShapeError(`${op}: logits ${fmtShape(scores.shape)} and target ${fmtShape(target.shape)} differ in ${target.shape[0] !== outShape[0] ? "batch size" : "shape"}` +
        (scores.ndim === 3 && shapesEqual(target.shape, scores.shape.slice(0, 2)) ? `; the classes are on axis 1 (as PyTorch): for [B, T, C] logits pass logits.reshape([-1, C]) with target.reshape([-1]), or logits.transpose(1, 2)` : ""));
    throw new ShapeError(`${op}: expected class indices ${fmtShape(outShape)} for logits ${fmtShape(scores.shape)}, found target ${fmtShape(target.shape)}`);
  }
  const safe = new Int32Array(target.size);
  const valid = new Float64Array(target.size);
  let count = 0;
  for (let i = 0; i < target.size; i++) {
    const v = target.data[i];
    if (v === ignoreIndex) continue;
    if (v < 0 || v >= c) throw new ValueError(`${op}: label ${v} at index ${i} is out of range for ${c} classes`);
    safe[i] = v;
    valid[i] = 1;
    count++;
  }
  return { safe, valid, count, allValid: count === target.size };
}

/** The class weights [C] in the scores' dtype. */
function classWeight(op: string, w: Tensor | undefined, scores: Tensor): Tensor | undefined {
  if (w === undefined) return undefined;
  const c = scores.shape[scores.ndim === 1 ? 0 : 1];
  if (!(w instanceof Tensor)) throw new ValueError(`${op}: weight must be a tensor of ${c} class weights, found ${describeValue(w)}`);
  if (w.ndim !== 1 || w.shape[0] !== c) throw new ShapeError(`${op}: weight ${fmtShape(w.shape)} does not match the ${c} classes of ${fmtShape(scores.shape)}; expected [${c}]`);
  return w.dtype === scores.dtype ? w : cast(w, scores.dtype);
}

function checkIgnoreIndex(op: string, v: number): number {
  if (!Number.isInteger(v)) throw new ValueError(`${op}: ignoreIndex must be an integer, found ${describeValue(v)}`);
  return v;
}

/** Σ losses / Σ w[yₙ] over the counted positions for "mean" (PyTorch's weighted mean); "sum" and "none" as usual. */
function reduceIndexed(op: string, loss: Tensor, outShape: number[], reduction: Reduction | undefined, denom: Tensor | number): Tensor {
  if ((reduction ?? "mean") === "mean") return div(sum(loss), denom);
  return reduce(reshape(loss, outShape), reduction, op);
}

/** The weights w[yₙ] of the positions (0 for ignored ones). */
function pickedWeights(w: Tensor, safe: Int32Array, valid: Float64Array): Tensor {
  return mul(gather(w, 0, tensor(safe, { shape: [safe.length] })), tensor(valid, { shape: [valid.length], dtype: w.dtype }));
}

/**
 * Softmax cross-entropy of logits [N, C] (or [C], or [N, C, d₁, …] with the classes on axis 1) against int32
 * class indices [N] (or [], [N, d₁, …]) or float probabilities of the logits' shape, through the fused
 * primitive whose gradient is (softmax(h) − y)/N for the mean. With PyTorch's options: `weight` per
 * class, `ignoreIndex` for index targets, `labelSmoothing`.
 *
 * @example
 * const loss = crossEntropy(scores, labels); // labels: int32 [N]
 * loss.backward(); // scores.grad = (softmax(scores) − onehot(labels)) / N
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  const op = "crossEntropy";
  const { reduction, labelSmoothing: eps = 0, weight, ignoreIndex = -100 } = checkOptions(op, opts, CROSS_ENTROPY_OPTIONS);
  if (!(typeof eps === "number" && eps >= 0 && eps <= 1)) throw new ValueError(`${op}: labelSmoothing must be a number in [0, 1], found ${describeValue(eps)}`);
  requireFloat(logits, op, 1);
  tensorArg(target, op, 2);
  const { rows: h, outShape } = classRows(logits, op);
  const [m, c] = h.shape;
  const w = classWeight(op, weight, logits);
  if (target.dtype === "int32") {
    const { safe, valid, count } = indexTargets(op, target, logits, outShape, c, checkIgnoreIndex(op, ignoreIndex));
    // yₙ = (1 − ε)·onehot(yₙ) + ε/C on counted positions, 0 on ignored ones; then scaled by w per class
    const yd = new Float64Array(m * c);
    for (let i = 0; i < m; i++) {
      if (valid[i] === 0) continue;
      for (let j = 0; j < c; j++) yd[i * c + j] = eps / c;
      yd[i * c + safe[i]] += 1 - eps;
    }
    const y = tensor(yd, { shape: [m, c], dtype: h.dtype });
    const loss = softmaxCrossEntropy(h, w ? mul(y, w) : y);
    return reduceIndexed(op, loss, outShape, reduction, w ? sum(pickedWeights(w, safe, valid)) : count);
  }
  if (target.ndim !== logits.ndim)
    throw new DTypeError(`${op}: class indices must be int32, found ${target.dtype} ${fmtShape(target.shape)}; soft targets must be probabilities of the logits' shape ${fmtShape(logits.shape)}`);
  if (logits.ndim > 1 && target.shape[0] !== logits.shape[0]) throw new ShapeError(`${op}: logits ${fmtShape(logits.shape)} and target ${fmtShape(target.shape)} differ in batch size`);
  if (target.shape[logits.ndim > 1 ? 1 : 0] !== c) throw new ShapeError(`${op}: logits ${fmtShape(logits.shape)} and target probabilities ${fmtShape(target.shape)} differ in the number of classes`);
  if (!shapesEqual(target.shape, logits.shape)) throw new ShapeError(`${op}: logits ${fmtShape(logits.shape)} and target probabilities ${fmtShape(target.shape)} differ in shape`);
  // y ← w ⊙ ((1 − ε)·y + ε/C); the mean divides by the number of positions (PyTorch does not normalize by w here)
  let y = classRows(cast(target, h.dtype), op).rows;
  if (eps > 0) y = add(mul(y, 1 - eps), eps / c);
  if (w) y = mul(y, w);
  return reduce(reshape(softmaxCrossEntropy(h, y), outShape), reduction, op);
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C], or [N, C, d₁, …]) at int32 class indices
 * [N] (or [], [N, d₁, …]): −w[yₙ]·logProbs[n, yₙ], 0 where yₙ = ignoreIndex, reduced (the mean divides by Σ w[yₙ]).
 * @example nllLoss(logSoftmax(scores), labels); // equals crossEntropy(scores, labels)
 */
export function nllLoss(logProbs: Tensor, target: Tensor, opts?: NLLLossOptions): Tensor {
  const op = "nllLoss";
  const { reduction, weight, ignoreIndex = -100 } = checkOptions(op, opts, NLL_LOSS_OPTIONS);
  requireFloat(logProbs, op, 1);
  tensorArg(target, op, 2);
  const { rows: lp, outShape } = classRows(logProbs, op);
  const [m, c] = lp.shape;
  if (target.dtype !== "int32") throw new DTypeError(`${op}: class indices must be int32, found ${target.dtype}`);
  const w = classWeight(op, weight, logProbs);
  const { safe, valid, count, allValid } = indexTargets(op, target, logProbs, outShape, c, checkIgnoreIndex(op, ignoreIndex));
  const picked = reshape(gather(lp, 1, tensor(safe, { shape: [m, 1] })), [m]);
  const wy = w ? pickedWeights(w, safe, valid) : undefined;
  let loss = neg(wy ? mul(picked, wy) : picked);
  // NOTE: `where`, not a product with the mask: an ignored position may hold −∞ (log 0), and 0·∞ is NaN.
  if (!allValid) loss = where(tensor(valid, { shape: [m], dtype: lp.dtype }), loss, 0);
  return reduceIndexed(op, loss, outShape, reduction, wy ? sum(wy) : count);
}
