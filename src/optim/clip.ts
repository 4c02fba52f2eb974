import { ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

const withGrads = (params: Tensor | Iterable<Tensor>): Tensor[] =>
  (params instanceof Tensor ? [params] : [...params]).filter((p) => p.grad !== null);

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
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, errorIfNonfinite = false): number {
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType must be > 0 (or Infinity), found ${normType}`);
  const ps = withGrads(params);
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
  for (const p of withGrads(params)) mapGrad(p, (x) => Math.min(clipValue, Math.max(-clipValue, x)));
}
