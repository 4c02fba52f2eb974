import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, atLeast, kernels, unitInterval, type ParamState, type ParamsInput, type StateArray } from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

export type AdamHyper = { lr: number; betas: readonly number[]; eps: number; weightDecay: number; amsgrad: boolean };

/**
 * Adam, as PyTorch's `torch.optim.Adam` (weight decay is L2: added to the gradient). Per parameter,
 * with its own step count t: `m = β1·m + (1 − β1)·g`, `v = β2·v + (1 − β2)·g²`
 * (amsgrad: `vmax = max(vmax, v)` used in place of v), `p -= lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)`.
 * State: `step` (length 1), `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (amsgrad).
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class Adam extends Optimizer<AdamHyper> {
  override get kind(): string {
    return "adam";
  }

  /** True for AdamW: weight decay shrinks the parameter instead of joining the gradient. */
  protected get decoupled(): boolean {
    return false;
  }

  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false } = options ?? {};
    super(params, { lr, betas: [...betas], eps, weightDecay, amsgrad }, options);
  }

  protected check(h: AdamHyper): void {
    atLeast(this.kind, "lr", h.lr);
    atLeast(this.kind, "eps", h.eps);
    unitInterval(this.kind, "betas[0]", h.betas[0]);
    unitInterval(this.kind, "betas[1]", h.betas[1]);
    atLeast(this.kind, "weightDecay", h.weightDecay);
  }

  protected stateSpec(h: AdamHyper, size: number): Record<string, number> {
    const spec: Record<string, number> = { step: 1, exp_avg: size, exp_avg_sq: size };
    if (h.amsgrad) spec.max_exp_avg_sq = size;
    return spec;
  }

  protected update(p: StateArray, g: TypedArray, s: ParamState, h: AdamHyper): void {
    const { lr, eps, weightDecay: wd, amsgrad } = h;
    const [b1, b2] = h.betas;
    const t = ++s.step[0];
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const l2 = this.decoupled ? 0 : wd;
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    kernels(p, g).adamStep(p, g, s.exp_avg, s.exp_avg_sq, amsgrad ? s.max_exp_avg_sq : null, stepSize, bc2Sqrt, b1, b2, eps, l2, shrink);
  }
}

/**
 * AdamW, as PyTorch's `torch.optim.AdamW`: decoupled weight decay `p -= lr·wd·p` before the Adam
 * update (which then sees the plain gradient). Default `weightDecay` 1e-2. Same state as Adam.
 *
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Adam {
  override get kind(): string {
    return "adamw";
  }

  protected override get decoupled(): boolean {
    return true;
  }

  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions = {}) {
    // NOTE: anything but an options object goes to Adam as it is, to be refused there.
    super(params, typeof options === "object" && options !== null ? { ...options, weightDecay: options.weightDecay ?? 1e-2 } : options);
  }
}
