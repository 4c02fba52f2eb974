import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import {
  CosineAnnealingLR, ExponentialLR, type LRSchedule, NoSchedule, ReduceLROnPlateau, SGD, StepLR, makeSchedule,
} from "../../src/optim/index.js";
import { expectClose, expectThrows, makeParams } from "./helpers.js";

const sgd = (lr = 0.1) => new SGD(makeParams(), { lr });

/** The lr after construction, then after each of `n` steps. */
function sequence(s: LRSchedule, n: number, metrics?: number[]): number[] {
  const out = [s.getLastLr()[0]];
  for (let i = 0; i < n; i++) {
    s.step(metrics?.[i]);
    expect(s.optimizer.lr).toBe(s.getLastLr()[0]);
    out.push(s.getLastLr()[0]);
  }
  return out;
}

describe("epoch schedules", () => {
  it("StepLR", () => {
    expectClose(sequence(new StepLR(sgd(), { stepSize: 3, gamma: 0.5 }), 8), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025], 1e-15);
    expectClose(sequence(new StepLR(sgd(1), { stepSize: 1 }), 2), [1, 0.1, 0.01], 1e-15);
  });

  it("ExponentialLR", () => {
    expectClose(sequence(new ExponentialLR(sgd(), { gamma: 0.9 }), 4), [0.1, 0.09, 0.081, 0.0729, 0.06561], 1e-15);
  });

  it("CosineAnnealingLR without warmup (PyTorch's formula up to tMax, then etaMin)", () => {
    const c = (t: number) => 0.01 + 0.045 * (1 + Math.cos((Math.PI * t) / 4));
    expectClose(sequence(new CosineAnnealingLR(sgd(), { tMax: 4, etaMin: 0.01 }), 6), [0.1, c(1), c(2), c(3), 0.01, 0.01, 0.01], 1e-15);
    expectClose([c(2)], [0.055], 1e-15);
  });

  it("CosineAnnealingLR with linear warmup from 0", () => {
    const s = new CosineAnnealingLR(sgd(), { tMax: 6, etaMin: 0.01, warmupSteps: 2 });
    const half = (x: number) => 0.01 + 0.045 * (1 + Math.cos(x));
    expectClose(sequence(s, 7), [0, 0.05, 0.1, half(Math.PI / 4), 0.055, half((3 * Math.PI) / 4), 0.01, 0.01], 1e-15);
  });

  it("applies to every parameter group, each from its own base lr", () => {
    const [a, b] = makeParams();
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.5]);
    expect(opt.paramGroups.map((g) => g.hyper.lr)).toEqual([0.05, 0.5]);
  });

  it("stateDict / loadStateDict resume the sequence (whatever the order of loading)", () => {
    const opt = sgd();
    const s = new CosineAnnealingLR(opt, { tMax: 10, warmupSteps: 3 });
    for (let i = 0; i < 5; i++) s.step();
    const sd = JSON.parse(JSON.stringify(s.stateDict()));
    const opt2 = sgd(0.0123); // e.g. made after the optimizer state was loaded
    const s2 = new CosineAnnealingLR(opt2, { tMax: 10, warmupSteps: 3 });
    s2.loadStateDict(sd);
    expect(opt2.lr).toBe(opt.lr);
    expect(sequence(s2, 6)).toEqual(sequence(s, 6));
    expectThrows(() => s2.loadStateDict({ ...sd, kind: "step" }), ValueError, 'for schedule "step"');
    expectThrows(() => s2.loadStateDict({ ...sd, baseLrs: [0.1, 0.2] }), ValueError, "baseLrs");
  });

  it("rejects bad options", () => {
    expectThrows(() => new StepLR(sgd(), { stepSize: 0 }), ValueError, "stepSize");
    expectThrows(() => new CosineAnnealingLR(sgd(), { tMax: 5, warmupSteps: 6 }), ValueError, "warmupSteps");
    expectThrows(() => new ExponentialLR(sgd(), { gamma: -1 }), ValueError, "gamma");
  });
});

describe("ReduceLROnPlateau", () => {
  it("min mode with patience, cooldown and minLr", () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 2, cooldown: 1, factor: 0.5, minLr: 0.2 });
    const metrics = [10, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8];
    expect(sequence(s, metrics.length, metrics)).toEqual([1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2]);
  });

  it("relative threshold: a tiny improvement counts as none", () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 0, threshold: 0.1 });
    expect(sequence(s, 3, [10, 9.5, 8.9])).toEqual([1, 1, 0.1, 0.1]);
  });

  it("max mode, abs threshold", () => {
    const s = new ReduceLROnPlateau(sgd(1), { mode: "max", patience: 1, factor: 0.1, threshold: 0.5, thresholdMode: "abs" });
    expectClose(sequence(s, 6, [1, 2, 2.4, 3, 3.2, 3.3]), [1, 1, 1, 1, 1, 1, 0.1], 1e-15);
  });

  it("needs a metric; state round trip", () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    expectThrows(() => s.step(), ValueError, "metric");
    for (const m of [5, 4, 4]) s.step(m);
    const sd = JSON.parse(JSON.stringify(s.stateDict()));
    const s2 = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    s2.loadStateDict(sd);
    expect(s2.best).toBe(4);
    expect(s2.numBadEpochs).toBe(1);
    s.step(4);
    s2.step(4);
    expect(s2.getLastLr()).toEqual(s.getLastLr());
    expect(s2.getLastLr()[0]).toBeCloseTo(0.1, 15);
  });
});

describe("makeSchedule", () => {
  it("builds each schedule by name", () => {
    expect(makeSchedule("step", sgd(), { stepSize: 2 })).toBeInstanceOf(StepLR);
    expect(makeSchedule("exponential", sgd(), { gamma: 0.5 })).toBeInstanceOf(ExponentialLR);
    expect(makeSchedule("cosine", sgd(), { tMax: 3, warmupSteps: 1 })).toBeInstanceOf(CosineAnnealingLR);
    expect(makeSchedule("plateau", sgd(), { patience: 3 })).toBeInstanceOf(ReduceLROnPlateau);
    const none = makeSchedule("none", sgd());
    expect(none).toBeInstanceOf(NoSchedule);
    expect(sequence(none, 3)).toEqual([0.1, 0.1, 0.1, 0.1]);
    expectClose(sequence(makeSchedule("step", sgd(), { stepSize: 1, gamma: 0.5 }), 1), [0.1, 0.05], 1e-15);
  });

  it("reports missing options and unknown names", () => {
    expectThrows(() => makeSchedule("step", sgd()), ValueError, '"step" schedule needs stepSize');
    expectThrows(() => makeSchedule("cosine", sgd()), ValueError, "tMax");
    expectThrows(() => makeSchedule("linear" as any, sgd()), ValueError, "unknown schedule");
  });
});
