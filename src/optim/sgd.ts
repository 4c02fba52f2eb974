import { ValueError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { EMPTY, Optimizer, atLeast, kernels, type ParamState, type ParamsInput, type StateArray } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export type SGDHyper = { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number };

/**
 * Stochastic gradient descent with optional momentum, as PyTorch's `torch.optim.SGD`:
 * `g += wd·p`; `buf = g` on the first step, then `buf = μ·buf + (1 − dampening)·g`;
 * `g = nesterov ? g + μ·buf : buf`; `p -= lr·g`. State: `momentum_buffer` (when μ ≠ 0).
 *
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDHyper> {
  override get kind(): string {
    return "sgd";
  }

  constructor(params: ParamsInput<SGDOptions>, options: SGDOptions) {
    const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options ?? ({} as SGDOptions);
    super(params, { lr, momentum, dampening, nesterov, weightDecay }, options);
  }

  protected check(h: SGDHyper): void {
    atLeast(this.kind, "lr", h.lr);
    atLeast(this.kind, "momentum", h.momentum);
    atLeast(this.kind, "weightDecay", h.weightDecay);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0))
      throw new ValueError(`sgd: nesterov momentum requires momentum > 0 and dampening 0, found momentum ${h.momentum}, dampening ${h.dampening}`);
  }

  protected stateSpec(h: SGDHyper, size: number): Record<string, number> {
    return h.momentum !== 0 ? { momentum_buffer: size } : {};
  }

  protected update(p: StateArray, g: TypedArray, s: ParamState, h: SGDHyper, fresh: boolean): void {
    kernels(p, g).sgdStep(p, g, s.momentum_buffer ?? EMPTY, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay, fresh);
  }
}
