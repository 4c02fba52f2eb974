import { ShapeError, ValueError } from "../errors.js";
import { add, addmmT, concat, div, expand, gather, matmulT, mean, mul, requireFloat, reshape, sqrt, squeeze, sub, unfold, unsqueeze } from "../ops/functions.js";
import { windowOut } from "../ops/unfold.js";
import { full, tensor } from "../tensor/create.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { fmtShape, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkOptions } from "../options.js";
import { pair2, shapeArg, type Size2, tensorArg } from "./util.js";

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
  tensorArg("linear", "the input", x);
  tensorArg("linear", "the weight", weight);
  tensorArg("linear", "the bias", bias, true);
  if (weight.ndim !== 2) throw new ShapeError(`linear: expected a weight [out, in], found ${fmtShape(weight.shape)}`);
  const [out, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF)
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} has ${x.ndim === 0 ? "no" : x.shape[x.ndim - 1]} features but the weight ${fmtShape(weight.shape)} expects ${inF}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out))
    throw new ShapeError(`linear: expected a bias [${out}] for the weight ${fmtShape(weight.shape)}, found ${fmtShape(bias.shape)}`);
  const lead = x.shape.slice(0, -1);
  const x2 = x.ndim === 2 ? x : reshape(x, [sizeOf(lead), inF]);
  const y = bias === null ? matmulT(x2, weight, false, true) : addmmT(x2, weight, bias, false, true);
  return x.ndim === 2 ? y : reshape(y, [...lead, out]);
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the others by
 * 1/(1 − p), so that evaluation is the identity.
 * @example dropout(x, 0.5, true, new Generator(1));
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  tensorArg("dropout", "the input", x);
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: p must be in [0, 1], found ${JSON.stringify(p)}`);
  if (typeof training !== "boolean") throw new ValueError(`dropout: training must be a boolean, found ${JSON.stringify(training)}`);
  requireFloat(x, "dropout");
  if (!training || p === 0) return x;
  const mask = full(x.shape, 0, { dtype: x.dtype });
  const keep = 1 / (1 - p);
  if (p < 1) for (let i = 0; i < mask.size; i++) mask.data[i] = generator.uniform() >= p ? keep : 0;
  return mul(x, mask);
}

export interface Conv2dOptions {
  stride?: Size2;
  /** Zeros added on each side (default 0). */
  padding?: Size2;
  dilation?: Size2;
  /** Input and output channels split into this many groups, each convolved on its own (default 1; the channel count: depthwise). */
  groups?: number;
}

/**
 * 2-D cross-correlation (PyTorch's conv2d) of x [N, C, H, W] (or [C, H, W]) with a weight
 * [O, C/groups, kh, kw], by im2col (`unfold`) and one batched matmul; out [N, O, OH, OW]. With `groups` g,
 * C and O must be multiples of g, and output channels [i·O/g, (i+1)·O/g) see only input channels
 * [i·C/g, (i+1)·C/g).
 * @example conv2d(randn([8, 1, 28, 28]), randn([16, 1, 5, 5]), null, { padding: 2 }).shape; // [8, 16, 28, 28]
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  checkOptions("conv2d", opts, ["stride", "padding", "dilation", "groups"]);
  tensorArg("conv2d", "the input", x);
  tensorArg("conv2d", "the weight", weight);
  tensorArg("conv2d", "the bias", bias, true);
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4 || weight.ndim !== 4)
    throw new ShapeError(`conv2d: expected an input [N, C, H, W] and a weight [O, C/groups, kh, kw], found ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`);
  const g = opts.groups ?? 1;
  const [o, cg, kh, kw] = weight.shape;
  const c = x.shape[1];
  if (!Number.isInteger(g) || g < 1) throw new ValueError(`conv2d: groups must be a positive integer, found ${g}`);
  if (c % g !== 0 || o % g !== 0)
    throw new ValueError(`conv2d: groups ${g} must divide the input channels (${c}) and the output channels (${o})`);
  if (cg * g !== c)
    throw new ShapeError(`conv2d: input ${fmtShape(x.shape)} has ${c} channels but the weight ${fmtShape(weight.shape)} expects ${cg * g}` + (g > 1 ? ` (${cg} per group × ${g} groups)` : ""));
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== o))
    throw new ShapeError(`conv2d: expected a bias [${o}] for the weight ${fmtShape(weight.shape)}, found ${fmtShape(bias.shape)}`);
  const n = x.shape[0];
  const [sh, sw] = pair2(opts.stride ?? 1, "conv2d stride", 1), [ph, pw] = pair2(opts.padding ?? 0, "conv2d padding", 0), [dh, dw] = pair2(opts.dilation ?? 1, "conv2d dilation", 1);
  const oh = windowOut("conv2d", x.shape, 2, kh, sh, ph, dh), ow = windowOut("conv2d", x.shape, 3, kw, sw, pw, dw);
  // NOTE: im2col as the op unfold (its gradient col2im, fold), then one batched GEMM: no index, no scatter.
  const cols = unfold(x, [kh, kw], { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw] });
  const k = cg * kh * kw;
  // NOTE: groups as a batch axis: [g, O/g, k] · [N, g, k, L] → [N, g, O/g, L].
  let y = g === 1 ? matmulT(reshape(weight, [o, k]), cols, false, false) : reshape(matmulT(reshape(weight, [g, o / g, k]), reshape(cols, [n, g, k, oh * ow]), false, false), [n, o, oh * ow]);
  // NOTE: the bias as one row of O·L values added to each sample, so that its gradient sums contiguous runs (no transposing copy of ḡ).
  if (bias !== null) y = add(reshape(y, [n, o * oh * ow]), reshape(expand(reshape(bias, [o, 1]), [o, oh * ow]), [o * oh * ow]));
  return reshape(y, [n, o, oh, ow]);
}

export interface MaxPool2dOptions {
  /** Window step (default: the kernel size). */
  stride?: Size2;
  /** −∞ added on each side, at most half the kernel (default 0). */
  padding?: Size2;
  dilation?: Size2;
  /** Round the output size up, as PyTorch's `ceil_mode` (default false): the last window may run past the input. */
  ceilMode?: boolean;
}

/**
 * The maximum over each kh×kw window of x [N, C, H, W] (or [C, H, W]). As PyTorch, the gradient of
 * a window goes to one element, its first maximum in row-major order (its last NaN, if any),
 * and the output size follows PyTorch's rule, `ceilMode` included.
 * @example maxPool2d(randn([8, 16, 28, 28]), 2).shape; // [8, 16, 14, 14]
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): Tensor {
  checkOptions("maxPool2d", opts, ["stride", "padding", "dilation", "ceilMode"]);
  tensorArg("maxPool2d", "the input", x);
  if (x.ndim === 3) return squeeze(maxPool2d(unsqueeze(x, 0), kernelSize, opts), 0);
  if (x.ndim !== 4) throw new ShapeError(`maxPool2d: expected an input [N, C, H, W], found ${fmtShape(x.shape)}`);
  const [kh, kw] = pair2(kernelSize, "maxPool2d kernelSize", 1);
  const [ph, pw] = pair2(opts.padding ?? 0, "maxPool2d padding", 0);
  const [sh, sw] = pair2(opts.stride ?? kernelSize, "maxPool2d stride", 1);
  const [dh, dw] = pair2(opts.dilation ?? 1, "maxPool2d dilation", 1);
  const ceil = opts.ceilMode ?? false;
  if (typeof ceil !== "boolean") throw new ValueError(`maxPool2d: ceilMode must be a boolean, found ${JSON.stringify(ceil)}`);
  if (ph > kh / 2 || pw > kw / 2) throw new ValueError(`maxPool2d: padding ${ph}×${pw} must be at most half the kernel ${kh}×${kw}`);
  const [n, c, h, w] = x.shape;
  const oh = windowOut("maxPool2d", x.shape, 2, kh, sh, ph, dh, ceil), ow = windowOut("maxPool2d", x.shape, 3, kw, sw, pw, dw, ceil);
  const hw = h * w;
  const index = new Int32Array(n * c * oh * ow);
  let empty = false;
  // NOTE: the taps of each window inside the input, [lo, hi) along each axis, found once: no bounds checks per tap.
  const taps = (o: number, s: number, p: number, d: number, k: number, len: number) => [Math.max(0, Math.ceil((p - o * s) / d)), Math.min(k, Math.floor((len - 1 + p - o * s) / d) + 1)];
  const lo = new Int32Array(ow), hi = new Int32Array(ow);
  for (let ox = 0; ox < ow; ox++) [lo[ox], hi[ox]] = taps(ox, sw, pw, dw, kw, w);
  const xd = x.data;
  for (let p = 0, t = 0; p < n * c; p++)
    for (let oy = 0; oy < oh; oy++) {
      const [kiLo, kiHi] = taps(oy, sh, ph, dh, kh, h);
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity, at = hw;
        for (let ki = kiLo; ki < kiHi; ki++)
          for (let kj = lo[ox], r = (oy * sh + ki * dh - ph) * w, ix = ox * sw + kj * dw - pw; kj < hi[ox]; kj++, ix += dw) {
            const v = xd[p * hw + r + ix];
            if (at === hw || v > best || v !== v) {
              best = v;
              at = r + ix;
            }
          }
        empty ||= at === hw;
        index[t++] = at;
      }
    }
  // NOTE: a window of padding alone (possible with dilation) reads one extra −∞.
  let flat = reshape(x, [n * c, hw]);
  if (empty) flat = concat([flat, full([n * c, 1], -Infinity, { dtype: x.dtype })], 1);
  return reshape(gather(flat, 1, tensor(index, { shape: [n * c, oh * ow] })), [n, c, oh, ow]);
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
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = checkOptions("batchNorm", opts, ["weight", "bias", "training", "momentum", "eps"]);
  tensorArg("batchNorm", "the input", x);
  for (const [what, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const) tensorArg("batchNorm", what, t, true);
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
  tensorArg("layerNorm", "the input", x);
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) tensorArg("layerNorm", what, t, true);
  if (typeof eps !== "number") throw new ValueError(`layerNorm: eps must be a number, found ${JSON.stringify(eps)}`);
  const ns = shapeArg("layerNorm", normalizedShape);
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
