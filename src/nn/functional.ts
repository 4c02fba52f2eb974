import { ShapeError, ValueError } from "../errors.js";
import { add, addmmT, concat, div, gather, matmulT, mean, mul, requireFloat, reshape, sqrt, squeeze, sub, unsqueeze } from "../ops/functions.js";
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

/** Gather indices by input shape and window geometry, kept up to about 2²⁴ entries in all. */
const indexCache = new Map<string, Tensor>();
let cachedEntries = 0;

/**
 * The output length of a sliding window, as PyTorch's `pooling_output_shape`: with `ceil` the last
 * window may run past the input (and the right padding), but it must start inside the input or the
 * left padding.
 */
function outSize(op: string, x: readonly number[], axis: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const n = x[axis];
  let o = Math.floor((n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  if (o <= 0) throw new ShapeError(`${op}: input ${fmtShape(x)} is smaller than the kernel (size ${k}, padding ${p}, dilation ${d}) along axis ${axis}`);
  return o;
}

/**
 * The sliding windows of x [N, C, H, W] as columns [N, C·kh·kw, OH·OW] (rows by channel, then
 * window position in row-major order), by one gather (so the gradient is a scatter-add); padded
 * positions read one extra element of value 0.
 */
function im2col(x: Tensor, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[]) {
  const [n, c, h, w] = x.shape;
  const oh = outSize("conv2d", x.shape, 2, kh, sh, ph, dh), ow = outSize("conv2d", x.shape, 3, kw, sw, pw, dw);
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
  if (ph > 0 || pw > 0) flat = concat([flat, full([n, 1], 0, { dtype: x.dtype })], 1);
  return { cols: reshape(gather(flat, 1, index), [n, c * kh * kw, oh * ow]), oh, ow };
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
 * [O, C/groups, kh, kw], by im2col and one batched matmul; out [N, O, OH, OW]. With `groups` g,
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
  const { cols, oh, ow } = im2col(
    x, [kh, kw], pair2(opts.stride ?? 1, "conv2d stride", 1), pair2(opts.padding ?? 0, "conv2d padding", 0), pair2(opts.dilation ?? 1, "conv2d dilation", 1),
  );
  const k = cg * kh * kw;
  // NOTE: groups as a batch axis: [g, O/g, k] · [N, g, k, L] → [N, g, O/g, L].
  let y = g === 1 ? matmulT(reshape(weight, [o, k]), cols, false, false) : reshape(matmulT(reshape(weight, [g, o / g, k]), reshape(cols, [n, g, k, oh * ow]), false, false), [n, o, oh * ow]);
  if (bias !== null) y = add(y, reshape(bias, [o, 1]));
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
  const oh = outSize("maxPool2d", x.shape, 2, kh, sh, ph, dh, ceil), ow = outSize("maxPool2d", x.shape, 3, kw, sw, pw, dw, ceil);
  const hw = h * w;
  const index = new Int32Array(n * c * oh * ow);
  let empty = false;
  for (let p = 0, t = 0; p < n * c; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity, at = hw;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh + ki * dh - ph;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw + kj * dw - pw;
            if (ix < 0 || ix >= w) continue;
            const v = x.data[p * hw + iy * w + ix];
            if (at === hw || v > best || Number.isNaN(v)) {
              best = v;
              at = iy * w + ix;
            }
          }
        }
        empty ||= at === hw;
        index[t++] = at;
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
