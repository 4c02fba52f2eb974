import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../tensor/tensor.js";

export interface ClipGradNormOptions {
  normType?: number;
  errorIfNonfinite?: boolean;
}

function withGrads(where: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  const ps = params instanceof Tensor ? [params] : typeof (params as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === "function" ? [...params] : null;
  if (ps === null || !ps.every((p) => p instanceof Tensor))
    throw new ValueError(`${where}: expected a tensor or a list of tensors, found ${params === null ? "null" : typeof params === "object" ? "other values" : typeof params}`);
  return ps.filter((p) => p.grad !== null);
}

/** Gives `p` a gradient computed from its current one, as a new tensor (a grad may be shared or be part of a graph). */
function mapGrad(p: Tensor, f: (x: number) => number): void {
  const g = p.grad!;
  const out = g.data.slice();
  for (let i = 0; i < out.length; i++) out[i] = f(out[i]);
  p.grad = new Tensor(out, g.shape, g.dtype);
}

/**
 * Scales the gradients so that their total `normType`-norm (over all of them, as one vector) is at
 * most `maxNorm`, as PyTorch's `clip_grad_norm_`: when `maxNorm / (total + 1e-6) < 1`, every grad is
 * multiplied by it. Returns the total norm before clipping (0 when no parameter has a gradient).
 * Each clipped `.grad` is replaced by a scaled copy rather than written over: a gradient tensor may
 * be shared by two parameters (assigned by hand) or belong to a graph (`createGraph`), and neither
 * must be scaled twice or changed under the graph.
 *
 * Options: `normType` (default 2; Infinity for the largest magnitude) and `errorIfNonfinite`
 * (default false: throw a ValueError when the total norm is NaN or infinite).
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0, { normType: 2 });
 * opt.step();
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = false } = checkOptions("clipGradNorm", opts, ["normType", "errorIfNonfinite"]);
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType must be > 0 (or Infinity), found ${normType}`);
  if (typeof maxNorm !== "number") throw new ValueError(`clipGradNorm: maxNorm must be a number, found ${JSON.stringify(maxNorm)}`);
  const ps = withGrads("clipGradNorm", params);
  if (ps.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const p of ps) for (const x of p.grad!.data) total = Math.max(total, Math.abs(x));
  } else {
    for (const p of ps) for (const x of p.grad!.data) total += Math.abs(x) ** normType;
    total = total ** (1 / normType);
  }
  if (errorIfNonfinite && !Number.isFinite(total))
    throw new ValueError(`clipGradNorm: the total norm of order ${normType} of the gradients is ${total}`);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const p of ps) mapGrad(p, (x) => x * coef);
  return total;
}

/**
 * Clamps every gradient element into `[-clipValue, clipValue]`, as PyTorch's `clip_grad_value_`
 * (each `.grad` is replaced by a clamped copy).
 *
 * @example
 * clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue must be >= 0, found ${clipValue}`);
  for (const p of withGrads("clipGradValue", params)) mapGrad(p, (x) => Math.min(clipValue, Math.max(-clipValue, x)));
}
