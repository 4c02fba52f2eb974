import { describe, expect, it } from "vitest";
import { Adam, AdamW, type Optimizer, RMSprop, SGD, type Tensor, clipGradNorm, clipGradValue, matmul, mean, mul, sub, tanh, transpose, add } from "../../src/index.js";
import { type Enc, decode, expectMatch, expectSameNames, load, nonTrivial } from "./harness.js";

interface OptimStep {
  loss: number;
  /** clipGradNorm's return value (0 for clipGradValue), and the gradients after clipping. */
  norm?: number;
  grads?: Enc[];
  params: Enc[];
}
interface OptimCase {
  name: string;
  params: Enc[];
  X: Enc;
  Y: Enc;
  steps: OptimStep[];
}

const fixture = load<OptimCase>("optim");

/** make.py's loss: mean((tanh(X·Wᵀ + b) − Y)²). */
function lossOf([w, b]: Tensor[], x: Tensor, y: Tensor): Tensor {
  const d = sub(tanh(add(matmul(x, transpose(w)), b)), y);
  return mean(mul(d, d));
}

interface Setup {
  opt: Optimizer;
  /** Runs between backward and step (clipping); returns what PyTorch's clip returned. */
  clip?: (ps: Tensor[]) => number;
}

const sgd = (ps: Tensor[]) => new SGD(ps, { lr: 0.5 });
const table: Record<string, (ps: Tensor[]) => Setup> = {
  "SGD/plain": (ps) => ({ opt: new SGD(ps, { lr: 0.1 }) }),
  "SGD/momentum": (ps) => ({ opt: new SGD(ps, { lr: 0.1, momentum: 0.9 }) }),
  "SGD/momentum,dampening": (ps) => ({ opt: new SGD(ps, { lr: 0.1, momentum: 0.8, dampening: 0.3 }) }),
  "SGD/nesterov": (ps) => ({ opt: new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }) }),
  "SGD/weightDecay": (ps) => ({ opt: new SGD(ps, { lr: 0.1, weightDecay: 0.05 }) }),
  "SGD/momentum,weightDecay,nesterov": (ps) => ({ opt: new SGD(ps, { lr: 0.05, momentum: 0.7, weightDecay: 0.1, nesterov: true }) }),
  "SGD/param_groups": ([w, b]) => ({ opt: new SGD([{ params: [w] }, { params: [b], lr: 0.01, momentum: 0.5 }], { lr: 0.1, momentum: 0.9 }) }),
  "Adam/default": (ps) => ({ opt: new Adam(ps) }),
  "Adam/lr,betas,eps": (ps) => ({ opt: new Adam(ps, { lr: 0.05, betas: [0.8, 0.9], eps: 1e-6 }) }),
  "Adam/weightDecay": (ps) => ({ opt: new Adam(ps, { lr: 0.02, weightDecay: 0.1 }) }),
  "Adam/amsgrad": (ps) => ({ opt: new Adam(ps, { lr: 0.05, amsgrad: true }) }),
  "Adam/amsgrad,weightDecay": (ps) => ({ opt: new Adam(ps, { lr: 0.05, betas: [0.5, 0.6], weightDecay: 0.2, amsgrad: true }) }),
  "Adam/param_groups": ([w, b]) => ({ opt: new Adam([{ params: [w], lr: 0.05 }, { params: [b], betas: [0.5, 0.7], amsgrad: true }], { lr: 0.01 }) }),
  "AdamW/default": (ps) => ({ opt: new AdamW(ps) }),
  "AdamW/weightDecay": (ps) => ({ opt: new AdamW(ps, { lr: 0.05, weightDecay: 0.3 }) }),
  "AdamW/amsgrad": (ps) => ({ opt: new AdamW(ps, { lr: 0.05, betas: [0.7, 0.8], weightDecay: 0.1, amsgrad: true }) }),
  "RMSprop/default": (ps) => ({ opt: new RMSprop(ps) }),
  "RMSprop/alpha,eps": (ps) => ({ opt: new RMSprop(ps, { lr: 0.02, alpha: 0.9, eps: 1e-4 }) }),
  "RMSprop/centered": (ps) => ({ opt: new RMSprop(ps, { lr: 0.01, centered: true }) }),
  "RMSprop/momentum": (ps) => ({ opt: new RMSprop(ps, { lr: 0.01, momentum: 0.8 }) }),
  "RMSprop/weightDecay": (ps) => ({ opt: new RMSprop(ps, { lr: 0.01, weightDecay: 0.2 }) }),
  "RMSprop/centered,momentum,weightDecay": (ps) => ({ opt: new RMSprop(ps, { lr: 0.01, alpha: 0.95, momentum: 0.5, centered: true, weightDecay: 0.1 }) }),
  "clipGradNorm/l2": (ps) => ({ opt: sgd(ps), clip: (p) => clipGradNorm(p, 0.05, { normType: 2 }) }),
  "clipGradNorm/l1": (ps) => ({ opt: sgd(ps), clip: (p) => clipGradNorm(p, 0.1, { normType: 1 }) }),
  "clipGradNorm/inf": (ps) => ({ opt: sgd(ps), clip: (p) => clipGradNorm(p, 0.02, { normType: Infinity }) }),
  "clipGradNorm/not_active": (ps) => ({ opt: sgd(ps), clip: (p) => clipGradNorm(p, 100) }),
  "clipGradNorm/norm=3": (ps) => ({ opt: sgd(ps), clip: (p) => clipGradNorm(p, 0.05, { normType: 3 }) }),
  "clipGradNorm/l2,momentum": (ps) => ({ opt: new SGD(ps, { lr: 0.5, momentum: 0.9 }), clip: (p) => clipGradNorm(p, 0.05, { normType: 2 }) }),
  "clipGradValue/0.02": (ps) => ({ opt: sgd(ps), clip: (p) => (clipGradValue(p, 0.02), 0) }),
};

function run(c: OptimCase, make: (ps: Tensor[]) => Setup): void {
  const ps = c.params.map((e) => decode(e, { requiresGrad: true }));
  const x = decode(c.X), y = decode(c.Y);
  const { opt, clip } = make(ps);
  c.steps.forEach((s, i) => {
    opt.zeroGrad();
    const loss = lossOf(ps, x, y);
    expectMatch(loss.item(), { dtype: "float64", shape: [], data: [s.loss] }, `step ${i}: loss`);
    loss.backward();
    if (clip !== undefined) {
      expectMatch(clip(ps), { dtype: "float64", shape: [], data: [s.norm!] }, `step ${i}: total norm`);
      ps.forEach((p, j) => expectMatch(p.grad, s.grads![j], `step ${i}: clipped gradient of parameter ${j}`));
    }
    opt.step();
    ps.forEach((p, j) => expectMatch(p, s.params[j], `step ${i}: parameter ${j} after the step`));
  });
}

describe(`optimizers against PyTorch ${fixture.torch}`, () => {
  it("has a chainrule setup for every case and a case for every setup", () => expectSameNames(fixture.cases, table));
  it("moves the parameters in every case (≥ 5 steps)", () => {
    for (const c of fixture.cases) {
      expect(c.steps.length, c.name).toBeGreaterThanOrEqual(5);
      const first = c.params[0].data, last = c.steps[c.steps.length - 1].params[0].data;
      expect(first.some((v, i) => v !== last[i]), c.name).toBe(true);
      expect(c.steps.every((s) => s.grads === undefined || s.grads.some(nonTrivial)), c.name).toBe(true);
    }
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (name, c) => run(c, table[name]));
});
