import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { tensor } from "../../src/tensor/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { Adam, AdamW, type Optimizer, RMSprop, SGD } from "../../src/optim/index.js";
import { expectClose, expectThrows, gradOf, init, makeParams, setGrads } from "./helpers.js";
import { type RefStep, refAdam, refRMSprop, refSGD } from "./reference.js";

/** Runs the library optimizer and the reference side by side for `steps` steps; compares after each. */
function compare(make: (ps: Tensor[]) => Optimizer, ref: RefStep, steps = 8): void {
  const ps = makeParams();
  const opt = make(ps);
  const ws = init();
  const states = ws.map(() => ({}));
  for (let t = 0; t < steps; t++) {
    setGrads(ps);
    opt.step();
    ws.forEach((w, k) => ref(w, gradOf(w, k), states[k]));
    ps.forEach((p, k) => expectClose(p.data, ws[k]));
  }
  expect(opt.stepCount).toBe(steps);
}

describe("SGD matches PyTorch's algorithm", () => {
  it.each([
    ["plain", {}, refSGD(0.05)],
    ["momentum", { momentum: 0.9 }, refSGD(0.05, 0.9)],
    ["momentum + dampening", { momentum: 0.8, dampening: 0.3 }, refSGD(0.05, 0.8, 0.3)],
    ["nesterov", { momentum: 0.9, nesterov: true }, refSGD(0.05, 0.9, 0, true)],
    ["weight decay", { weightDecay: 0.1 }, refSGD(0.05, 0, 0, false, 0.1)],
    ["nesterov + weight decay", { momentum: 0.7, nesterov: true, weightDecay: 0.05 }, refSGD(0.05, 0.7, 0, true, 0.05)],
  ])("%s", (_, o, ref) => compare((ps) => new SGD(ps, { lr: 0.05, ...o }), ref));
});

describe("Adam and AdamW match PyTorch's algorithm", () => {
  it.each([
    ["Adam defaults", {}, refAdam(1e-3, 0.9, 0.999, 1e-8, 0, false, false)],
    ["Adam betas/eps/L2", { lr: 0.02, betas: [0.8, 0.95] as const, eps: 1e-6, weightDecay: 0.1 }, refAdam(0.02, 0.8, 0.95, 1e-6, 0.1, false, false)],
    ["Adam amsgrad", { lr: 0.05, amsgrad: true }, refAdam(0.05, 0.9, 0.999, 1e-8, 0, true, false)],
  ])("%s", (_, o, ref) => compare((ps) => new Adam(ps, o), ref, 12));

  it.each([
    ["AdamW defaults (weightDecay 1e-2)", {}, refAdam(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, true)],
    ["AdamW wd 0.2, amsgrad", { lr: 0.03, weightDecay: 0.2, amsgrad: true }, refAdam(0.03, 0.9, 0.999, 1e-8, 0.2, true, true)],
  ])("%s", (_, o, ref) => compare((ps) => new AdamW(ps, o), ref, 12));

  it("amsgrad uses the running max of v (differs from plain Adam when gradients shrink)", () => {
    const run = (amsgrad: boolean) => {
      const p = tensor([1], { dtype: "float64" });
      const opt = new Adam([p], { lr: 0.1, betas: [0.5, 0.5], amsgrad });
      for (const g of [10, 1, 0.1]) {
        p.grad = tensor([g], { dtype: "float64" });
        opt.step();
      }
      return [p.data[0], opt.stateDict().state];
    };
    const [a, sa] = run(false);
    const [b, sb] = run(true);
    expect(Math.abs((a as number) - (b as number))).toBeGreaterThan(1e-3);
    expect("0.max_exp_avg_sq" in (sb as object)).toBe(true);
    expect("0.max_exp_avg_sq" in (sa as object)).toBe(false);
  });

  it("AdamW decouples weight decay: with zero gradients it only shrinks p by (1 − lr·wd) per step", () => {
    const pw = tensor([2, -3], { dtype: "float64" });
    const pa = tensor([2, -3], { dtype: "float64" });
    const w = new AdamW([pw], { lr: 0.1, weightDecay: 0.5 });
    const a = new Adam([pa], { lr: 0.1, weightDecay: 0.5 });
    for (let t = 1; t <= 5; t++) {
      pw.grad = tensor([0, 0], { dtype: "float64" });
      pa.grad = tensor([0, 0], { dtype: "float64" });
      w.step();
      a.step();
      expectClose(pw.data, [2 * 0.95 ** t, -3 * 0.95 ** t], 1e-14);
    }
    // Adam's L2 term goes through the normalisation: each step moves p by about lr, not lr·wd·p.
    expectClose(pa.data, [1.5, -2.5], 1e-2);
    expect(Math.abs(pa.data[0] - pw.data[0])).toBeGreaterThan(0.02);
  });
});

describe("RMSprop matches PyTorch's algorithm", () => {
  it.each([
    ["defaults", {}, refRMSprop(1e-2, 0.99, 1e-8, 0, 0, false)],
    ["alpha, weight decay", { lr: 0.005, alpha: 0.9, weightDecay: 0.1 }, refRMSprop(0.005, 0.9, 1e-8, 0.1, 0, false)],
    ["momentum", { momentum: 0.9 }, refRMSprop(1e-2, 0.99, 1e-8, 0, 0.9, false)],
    ["centered + momentum", { lr: 0.003, centered: true, momentum: 0.5, eps: 1e-6 }, refRMSprop(0.003, 0.99, 1e-6, 0, 0.5, true)],
  ])("%s", (_, o, ref) => compare((ps) => new RMSprop(ps, o), ref));
});

describe("every optimizer minimises a quadratic through autograd", () => {
  const target = [1.5, -2, 0.25, 3];
  it.each([
    ["SGD", (p: Tensor) => new SGD([p], { lr: 0.1 }), 200],
    ["SGD nesterov", (p: Tensor) => new SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true }), 300],
    ["Adam", (p: Tensor) => new Adam([p], { lr: 0.05 }), 1500],
    ["Adam amsgrad", (p: Tensor) => new Adam([p], { lr: 0.05, amsgrad: true }), 1500],
    ["AdamW (no decay)", (p: Tensor) => new AdamW([p], { lr: 0.05, weightDecay: 0 }), 1500],
    ["RMSprop", (p: Tensor) => new RMSprop([p], { lr: 0.01 }), 1500],
    ["RMSprop centered + momentum", (p: Tensor) => new RMSprop([p], { lr: 0.005, momentum: 0.9, centered: true }), 1500],
  ] as const)("%s", (_, make, steps) => {
    const p = tensor([0, 0, 0, 0], { dtype: "float64", requiresGrad: true });
    const t = tensor(target, { dtype: "float64" });
    const scale = tensor([1, 2, 0.5, 1.5], { dtype: "float64" });
    const opt = make(p);
    const loss = () => p.sub(t).square().mul(scale).sum();
    const first = loss().item();
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    expect(loss().item()).toBeLessThan(first * 1e-6);
    expectClose(p.data, target, 2e-3);
  });
});

describe("Optimizer basics", () => {
  it("skips parameters without a gradient; their state does not advance", () => {
    const [a, b] = makeParams();
    const opt = new Adam([a, b], { lr: 0.1 });
    const before = [...b.data];
    a.grad = tensor(new Float64Array(6).fill(1), { shape: [2, 3] });
    opt.step();
    expect([...b.data]).toEqual(before);
    b.grad = tensor(new Float64Array(4).fill(1));
    opt.step();
    const sd = opt.stateDict();
    expect(sd.step).toBe(2);
    expect([...sd.state["0.step"]]).toEqual([2]);
    expect([...sd.state["1.step"]]).toEqual([1]);
    // a bias-corrected first step moves by exactly lr
    expectClose(b.data, before.map((x) => x - 0.1), 1e-9);
  });

  it("zeroGrad sets grads to null", () => {
    const ps = makeParams();
    setGrads(ps);
    new SGD(ps, { lr: 1 }).zeroGrad();
    expect(ps.every((p) => p.grad === null)).toBe(true);
  });

  it("param groups take their own options; the lr setter sets every group", () => {
    const [a, b] = makeParams();
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.hyper.lr)).toEqual([0.1, 0.5]);
    expect(opt.paramGroups[1].hyper.momentum).toBe(0.9);
    expect(opt.paramGroups[0].hyper.momentum).toBe(0);
    expect(opt.params).toEqual([a, b]);
    const wa = [...a.data], wb = [...b.data];
    const sa = {}, sb = {};
    setGrads([a, b]);
    opt.step();
    refSGD(0.1)(wa, gradOf(wa, 0), sa);
    refSGD(0.5, 0.9)(wb, gradOf(wb, 1), sb);
    expectClose(a.data, wa);
    expectClose(b.data, wb);
    expect(opt.lr).toBe(0.1);
    opt.lr = 0.01;
    expect(opt.paramGroups.map((g) => g.hyper.lr)).toEqual([0.01, 0.01]);
  });

  it("accepts a single tensor or any iterable", () => {
    const ps = makeParams();
    expect(new SGD(ps[0], { lr: 1 }).params).toEqual([ps[0]]);
    expect(new SGD(new Set(ps), { lr: 1 }).params).toEqual(ps);
  });

  it("float32 parameters keep float32 state", () => {
    const ps = makeParams(init(), "float32");
    const opt = new Adam(ps);
    setGrads(ps);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.state["0.exp_avg"]).toBeInstanceOf(Float32Array);
    expect(sd.state["1.step"]).toBeInstanceOf(Float32Array);
  });

  it("rejects bad construction", () => {
    const ps = makeParams();
    expectThrows(() => new SGD([], { lr: 0.1 }), ValueError, "empty parameter list");
    expectThrows(() => new SGD(ps, { lr: 0.1, momemtum: 0.9 } as any), ValueError, 'unknown option "momemtum"');
    expectThrows(() => new SGD(ps, { lr: 0.1, nesterov: true }), ValueError, "nesterov");
    expectThrows(() => new SGD(ps, { lr: -1 }), ValueError, "lr must be >= 0");
    expectThrows(() => new Adam(ps, { betas: [0.9, 1] }), ValueError, "betas[1]");
    expectThrows(() => new Adam([ps[0], ps[0]]), ValueError, "more than once");
    expectThrows(() => new Adam([tensor([1, 2], { dtype: "int32" })]), DTypeError, "int32");
    expectThrows(() => new Adam([ps[0].mul(2)]), ValueError, "not a leaf");
    expectThrows(() => new Adam([{ params: ps, lr: "x" } as any]), ValueError, "lr must be a finite number");
    expectThrows(() => new RMSprop([ps[0], { params: [ps[1]] }] as any), ValueError, "group");
  });

  it("rejects a gradient of the wrong size", () => {
    const [a] = makeParams();
    a.grad = tensor([1, 2], { dtype: "float64" });
    expectThrows(() => new SGD([a], { lr: 1 }).step(), ShapeError, "parameter 0 has 6 elements but its gradient has 2");
  });
});
