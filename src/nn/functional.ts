import { ShapeError, ValueError } from "../errors.js";
import { add, concat, div, gather, matmulT, max, mean, mul, requireFloat, reshape, sqrt, squeeze, sub, unsqueeze } from "../ops/functions.js";
import { full, tensor } from "../tensor/create.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { fmtShape, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { pair2, type Size2 } from "./util.js";

export {
  crossEntropy, nllLoss, mse, l1, binaryCrossEntropyWithLogits, l2Penalty,
  type Reduction, type CrossEntropyOptions, type BCEWithLogitsOptions, type L2PenaltyOptions,
} from "../losses/index.js";
export type { Size2 } from "./util.js";

/**
 * x·Wᵀ + b over the last axis of x (any rank ≥ 1), with W laid out [out, in] as in PyTorch.
 * @example linear(randn([32, 80]), randn([1024, 80])).shape; // [32, 1024]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: expected a weight [out, in], found ${fmtShape(weight.shape)}`);
  const [out, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF)
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} has ${x.ndim === 0 ? "no" : x.shape[x.ndim - 1]} features but the weight ${fmtShape(weight.shape)} expects ${inF}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out))
    throw new ShapeError(`linear: expected a bias [${out}] for the weight ${fmtShape(weight.shape)}, found ${fmtShape(bias.shape)}`);
  const lead = x.shape.slice(0, -1);
  const x2 = x.ndim === 2 ? x : reshape(x, [sizeOf(lead), inF]);
  let y = matmulT(x2, weight, false, true);
  if (bias !== null) y = add(y, bias);
  return x.ndim === 2 ? y : reshape(y, [...lead, out]);
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the others by
 * 1/(1 − p), so that evaluation is the identity.
 * @example dropout(x, 0.5, true, new Generator(1));
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: p must be in [0, 1], found ${p}`);
  requireFloat(x, "dropout");
  if (!training || p === 0) return x;
  const mask = full(x.shape, 0, { dtype: x.dtype });
  const keep = 1 / (1 - p);
  if (p < 1) for (let i = 0; i < mask.size; i++) mask.data[i] = generator.uniform() >= p ? keep : 0;
  return mul(x, mask);
}

/** Gather indices by input shape and window geometry, kept up to about 2²⁴ entries in all. */
const indexCache = new Map<string, Tensor>();
let cachedEntries = 0;

/**
 * The sliding windows of x [N, C, H, W] as columns [N, C·kh·kw, OH·OW], by one gather (so the
 * gradient is a scatter-add); padded positions read one extra element of value `padValue`.
 */
function im2col(x: Tensor, op: string, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[], padValue: number) {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (oh <= 0 || ow <= 0)
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} is smaller than the kernel ${kh}×${kw} (padding ${ph}×${pw}, dilation ${dh}×${dw})`);
  const key = [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw].join(",");
  let index = indexCache.get(key);
  const k = c * kh * kw * oh * ow;
  if (index === undefined) {
    const row = new Int32Array(k);
    const pad = c * h * w;
    let t = 0;
    for (let ci = 0; ci < c; ci++)
      for (let ki = 0; ki < kh; ki++)
        for (let kj = 0; kj < kw; kj++)
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh + ki * dh - ph;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * sw + kj * dw - pw;
              row[t++] = iy >= 0 && iy < h && ix >= 0 && ix < w ? (ci * h + iy) * w + ix : pad;
            }
          }
    const all = new Int32Array(n * k);
    for (let i = 0; i < n; i++) all.set(row, i * k);
    index = tensor(all, { shape: [n, k] });
    indexCache.set(key, index);
    cachedEntries += index.size;
    for (const [k0, t0] of indexCache) {
      if (cachedEntries <= 1 << 24 || k0 === key) break;
      indexCache.delete(k0);
      cachedEntries -= t0.size;
    }
  }
  let flat = reshape(x, [n, c * h * w]);
  if (ph > 0 || pw > 0) flat = concat([flat, full([n, 1], padValue, { dtype: x.dtype })], 1);
  return { cols: reshape(gather(flat, 1, index), [n, c * kh * kw, oh * ow]), oh, ow };
}

export interface Conv2dOptions {
  stride?: Size2;
  /** Zeros added on each side (default 0). */
  padding?: Size2;
  dilation?: Size2;
}

/**
 * 2-D cross-correlation (PyTorch's conv2d) of x [N, C, H, W] (or [C, H, W]) with a weight
 * [O, C, kh, kw], by im2col and one batched matmul; out [N, O, OH, OW].
 * @example conv2d(randn([8, 1, 28, 28]), randn([16, 1, 5, 5]), null, { padding: 2 }).shape; // [8, 16, 28, 28]
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4 || weight.ndim !== 4)
    throw new ShapeError(`conv2d: expected an input [N, C, H, W] and a weight [O, C, kh, kw], found ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`);
  const [o, c, kh, kw] = weight.shape;
  if (x.shape[1] !== c) throw new ShapeError(`conv2d: input ${fmtShape(x.shape)} has ${x.shape[1]} channels but the weight ${fmtShape(weight.shape)} expects ${c}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== o))
    throw new ShapeError(`conv2d: expected a bias [${o}] for the weight ${fmtShape(weight.shape)}, found ${fmtShape(bias.shape)}`);
  const { cols, oh, ow } = im2col(
    x, "conv2d", [kh, kw], pair2(opts.stride ?? 1, "conv2d stride", 1), pair2(opts.padding ?? 0, "conv2d padding", 0), pair2(opts.dilation ?? 1, "conv2d dilation", 1), 0,
  );
  let y = matmulT(reshape(weight, [o, c * kh * kw]), cols, false, false);
  if (bias !== null) y = add(y, reshape(bias, [o, 1]));
  return reshape(y, [x.shape[0], o, oh, ow]);
}

export interface MaxPool2dOptions {
  /** Window step (default: the kernel size). */
  stride?: Size2;
  /** −∞ added on each side, at most half the kernel (default 0). */
  padding?: Size2;
  dilation?: Size2;
}

/**
 * The maximum over each kh×kw window of x [N, C, H, W] (or [C, H, W]); the gradient goes to the
 * window's maximum (shared evenly between exact ties).
 * @example maxPool2d(randn([8, 16, 28, 28]), 2).shape; // [8, 16, 14, 14]
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): Tensor {
  if (x.ndim === 3) return squeeze(maxPool2d(unsqueeze(x, 0), kernelSize, opts), 0);
  if (x.ndim !== 4) throw new ShapeError(`maxPool2d: expected an input [N, C, H, W], found ${fmtShape(x.shape)}`);
  const k = pair2(kernelSize, "maxPool2d kernelSize", 1);
  const p = pair2(opts.padding ?? 0, "maxPool2d padding", 0);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) throw new ValueError(`maxPool2d: padding ${p.join("×")} must be at most half the kernel ${k.join("×")}`);
  const [n, c, h, w] = x.shape;
  const { cols, oh, ow } = im2col(
    reshape(x, [n * c, 1, h, w]), "maxPool2d", k, pair2(opts.stride ?? kernelSize, "maxPool2d stride", 1), p, pair2(opts.dilation ?? 1, "maxPool2d dilation", 1), -Infinity,
  );
  return reshape(max(cols, 1), [n, c, oh, ow]);
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with the batch's statistics (and update the running ones when given); default false. */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over axis 1 of x [N, C, ...]: (x − μ)/√(σ² + eps)·γ + β. In training, μ and
 * σ² (biased) come from the batch and the running statistics move toward them (the variance
 * unbiased, as PyTorch); otherwise the running statistics are used.
 * @example batchNorm(x, runningMean, runningVar, { training: true, momentum: 0.1 });
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = opts;
  if (x.ndim < 2) throw new ShapeError(`batchNorm: expected an input [N, C, ...], found ${fmtShape(x.shape)}`);
  const c = x.shape[1];
  for (const [what, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const)
    if (t !== null && (t.ndim !== 1 || t.shape[0] !== c))
      throw new ShapeError(`batchNorm: expected ${what} [${c}] for the input ${fmtShape(x.shape)}, found ${fmtShape(t.shape)}`);
  const statShape = [c, ...x.shape.slice(2).map(() => 1)];
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  let y: Tensor;
  if (training) {
    const count = x.size / Math.max(c, 1);
    if (count <= 1) throw new ValueError(`batchNorm: expected more than 1 value per channel when training, found input ${fmtShape(x.shape)}`);
    const mu = mean(x, axes, true);
    const d = sub(x, mu);
    const v = mean(mul(d, d), axes, true);
    y = div(d, sqrt(add(v, eps)));
    if (runningMean !== null && runningVar !== null)
      for (let i = 0; i < c; i++) {
        runningMean.data[i] = (1 - momentum) * runningMean.data[i] + momentum * mu.data[i];
        runningVar.data[i] = (1 - momentum) * runningVar.data[i] + (momentum * v.data[i] * count) / (count - 1);
      }
  } else {
    if (runningMean === null || runningVar === null) throw new ValueError(`batchNorm: running statistics are needed when not training`);
    y = div(sub(x, reshape(runningMean, statShape)), sqrt(add(reshape(runningVar, statShape), eps)));
  }
  if (weight !== null) y = mul(y, reshape(weight, statShape));
  if (bias !== null) y = add(y, reshape(bias, statShape));
  return y;
}

/**
 * Layer normalization over the trailing `normalizedShape` axes: (x − μ)/√(σ² + eps)·γ + β.
 * @example layerNorm(randn([4, 10]), [10]);
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const lead = x.ndim - ns.length;
  if (lead < 0 || ns.some((d, i) => x.shape[lead + i] !== d))
    throw new ShapeError(`layerNorm: input ${fmtShape(x.shape)} does not end with the normalized shape ${fmtShape(ns)}`);
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const)
    if (t !== null && (t.ndim !== ns.length || t.shape.some((d, i) => d !== ns[i])))
      throw new ShapeError(`layerNorm: expected ${what} ${fmtShape(ns)}, found ${fmtShape(t.shape)}`);
  const axes = ns.map((_, i) => lead + i);
  const d = sub(x, mean(x, axes, true));
  let y = div(d, sqrt(add(mean(mul(d, d), axes, true), eps)));
  if (weight !== null) y = mul(y, weight);
  if (bias !== null) y = add(y, bias);
  return y;
}
