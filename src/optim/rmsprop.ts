import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, atLeast, kernels, type ParamState, type ParamsInput, type StateArray } from "./optimizer.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

export type RMSpropHyper = { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean };

/**
 * RMSprop, as PyTorch's `torch.optim.RMSprop`: `g += wd·p`, `sq = α·sq + (1 − α)·g²`; centered:
 * `ga = α·ga + (1 − α)·g` and `avg = √(sq − ga²) + eps`, else `avg = √sq + eps`; with momentum
 * `buf = μ·buf + g/avg`, `p -= lr·buf`, else `p -= lr·g/avg`.
 * State: `square_avg`, `momentum_buffer` (μ > 0), `grad_avg` (centered).
 *
 * @example
 * const opt = new RMSprop(model.parameters(), { lr: 1e-2, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  override get kind(): string {
    return "rmsprop";
  }

  constructor(params: ParamsInput<RMSpropOptions>, options: RMSpropOptions = {}) {
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = options ?? {};
    super(params, { lr, alpha, eps, weightDecay, momentum, centered }, options);
  }

  protected check(h: RMSpropHyper): void {
    for (const k of ["lr", "alpha", "eps", "weightDecay", "momentum"] as const) atLeast(this.kind, k, h[k]);
  }

  protected stateSpec(h: RMSpropHyper, size: number): Record<string, number> {
    const spec: Record<string, number> = { square_avg: size };
    if (h.momentum > 0) spec.momentum_buffer = size;
    if (h.centered) spec.grad_avg = size;
    return spec;
  }

  protected update(p: StateArray, g: TypedArray, s: ParamState, h: RMSpropHyper): void {
    const { lr, alpha, eps, weightDecay: wd, momentum: mu, centered } = h;
    kernels(p, g).rmspropStep(p, g, s.square_avg, mu > 0 ? s.momentum_buffer : null, centered ? s.grad_avg : null, lr, alpha, eps, wd, mu);
  }
}
