import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import {
  CosineAnnealingLR, ExponentialLR, type LRSchedule, NoSchedule, ReduceLROnPlateau, SGD, type ScheduleStateDict, StepLR, makeSchedule,
} from "../../src/optim/index.js";
import {
  LRScheduler, type Schedule, constant, cosineDecay, exponentialDecay, join, linearWarmup, stepDecay,
} from "../../src/optim/schedule.js";
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

/** A schedule's values for t = 0..n, each step fed the value before (as the optimizer's lr would be). */
const values = (f: Schedule, n: number): number[] => {
  const out = [f(0, NaN)];
  for (let t = 1; t <= n; t++) out.push(f(t, out[t - 1]));
  return out;
};

describe("schedule functions", () => {
  it("stepDecay, exponentialDecay, linearWarmup and constant", () => {
    expect(values(stepDecay({ lr: 1, stepSize: 2, gamma: 0.5 }), 5)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
    expect(values(exponentialDecay({ lr: 2, gamma: 0.5 }), 3)).toEqual([2, 1, 0.5, 0.25]);
    expect(values(linearWarmup({ lr: 1, steps: 4 }), 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(values(constant(0.3), 2)).toEqual([0.3, 0.3, 0.3]);
  });

  it("join runs each schedule from its boundary on, counting its steps from there", () => {
    const f = join([linearWarmup({ lr: 1, steps: 2 }), constant(5), exponentialDecay({ lr: 1, gamma: 0.5 })], [2, 4]);
    expect(values(f, 6)).toEqual([0, 0.5, 5, 5, 1, 0.5, 0.25]);
  });

  it("cosineDecay fed its own values is the closed form, periodic past tMax", () => {
    const [lr, T, e] = [0.1, 5, 0.01];
    const closed = Array.from({ length: 3 * T + 1 }, (_, t) => e + ((lr - e) * (1 + Math.cos((Math.PI * t) / T))) / 2);
    expectClose(values(cosineDecay({ lr, tMax: T, etaMin: e }), 3 * T), closed, 1e-15);
  });

  it("LRScheduler drives any schedule, one per parameter group from its base lr", () => {
    const [a, b] = makeParams();
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    const s = new LRScheduler(opt, "warmup-exponential", (lr) => join([linearWarmup({ lr, steps: 2 }), exponentialDecay({ lr, gamma: 0.5 })], [2]));
    expect([s.getLastLr(), s.lr, opt.lr]).toEqual([[0, 0], 0, 0]);
    s.step();
    s.step();
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.5]);
    expect(s.lr).toBe(0.05);
    expect(opt.paramGroups.map((g) => g.hyper.lr)).toEqual([0.05, 0.5]);
    expect(s.stateDict()).toEqual({ kind: "warmup-exponential", lastEpoch: 3, baseLrs: [0.1, 1], lastLr: [0.05, 0.5] });
    expectThrows(() => new LRScheduler({} as any, "x", constant), ValueError, "LRScheduler: expected an optimizer");
  });
});

describe("epoch schedules", () => {
  it("StepLR", () => {
    expectClose(sequence(new StepLR(sgd(), { stepSize: 3, gamma: 0.5 }), 8), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025], 1e-15);
    expectClose(sequence(new StepLR(sgd(1), { stepSize: 1 }), 2), [1, 0.1, 0.01], 1e-15);
  });

  it("ExponentialLR", () => {
    expectClose(sequence(new ExponentialLR(sgd(), { gamma: 0.9 }), 4), [0.1, 0.09, 0.081, 0.0729, 0.06561], 1e-15);
  });

  // torch 1.13: SGD([p], lr=base); CosineAnnealingLR(opt, T_max, eta_min); lr after construction, then after each step()
  const torchCosine: [string, number, number, number, number[]][] = [
    ["T_max 4, eta_min 0.01", 0.1, 4, 0.01, [
      0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01, 0.023180194846605363, 0.05500000000000002,
      0.08681980515339469, 0.10000000000000006, 0.0868198051533947, 0.05500000000000005, 0.023180194846605412, 0.01,
    ]],
    ["T_max 5, eta_min 0", 1, 5, 0, [
      1.0, 0.9045084971874737, 0.6545084971874737, 0.3454915028125263, 0.09549150281252632, 0.0, 0.09549150281252627, 0.34549150281252644,
      0.6545084971874741, 0.9045084971874743, 1.0000000000000004, 0.9045084971874745, 0.6545084971874742, 0.3454915028125266, 0.09549150281252643, 0.0,
    ]],
    ["T_max 3, eta_min 0.001", 0.05, 3, 0.001, [
      0.05, 0.037750000000000006, 0.013250000000000008, 0.001, 0.013249999999999998, 0.03775000000000003, 0.05000000000000003,
      0.037750000000000034, 0.013250000000000026, 0.001,
    ]],
  ];
  for (const [name, base, tMax, etaMin, expected] of torchCosine)
    it(`CosineAnnealingLR gives PyTorch's values for steps 0..3·tMax, past tMax too (${name})`, () => {
      // NOTE: not bit for bit: V8's Math.cos and glibc's cos (Python's) differ by an ulp at some arguments (cos(6π/5)).
      expectClose(sequence(new CosineAnnealingLR(sgd(base), { tMax, etaMin }), 3 * tMax), expected, 1e-15);
    });

  it("CosineAnnealingLR follows an lr changed by hand, as PyTorch's recursive step does", () => {
    const opt = sgd(0.1);
    const s = new CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.01 });
    s.step();
    opt.lr = 0.2;
    s.step();
    // torch: ((1 + cos(2π/4)) / (1 + cos(π/4))) · (0.2 − 0.01) + 0.01
    expect(s.getLastLr()[0]).toBe((1 / (1 + Math.cos(Math.PI / 4))) * (0.2 - 0.01) + 0.01);
  });

  it("CosineAnnealingLR with linear warmup from 0, then PyTorch's cosine over tMax − warmupSteps, periodic after tMax", () => {
    const s = new CosineAnnealingLR(sgd(), { tMax: 6, etaMin: 0.01, warmupSteps: 2 });
    const c = (t: number) => 0.01 + 0.045 * (1 + Math.cos((Math.PI * t) / 4));
    expectClose(sequence(s, 14), [0, 0.05, 0.1, c(1), 0.055, c(3), 0.01, c(5), 0.055, c(7), 0.1, c(9), 0.055, c(11), 0.01], 1e-15);
    const warm = new CosineAnnealingLR(sgd(), { tMax: 6, etaMin: 0.01, warmupSteps: 2 });
    const plain = new CosineAnnealingLR(sgd(), { tMax: 4, etaMin: 0.01 });
    warm.step();
    warm.step();
    expect(sequence(warm, 12)).toEqual(sequence(plain, 12));
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

  it("loads the state dicts of checkpoints written before (same keys), and writes the same", () => {
    // NOTE: written by the previous schedule.ts (JSON: plateau's best Infinity is null).
    const cases: [() => LRSchedule, number, Record<string, unknown>][] = [
      [() => new CosineAnnealingLR(sgd(), { tMax: 10, warmupSteps: 3 }), 5, { kind: "cosine", lastEpoch: 5, baseLrs: [0.1], lastLr: [0.08117449009293669] }],
      [() => new StepLR(sgd(), { stepSize: 2, gamma: 0.5 }), 3, { kind: "step", lastEpoch: 3, baseLrs: [0.1], lastLr: [0.05] }],
      [() => new ReduceLROnPlateau(sgd(1), { patience: 1 }), 0, { kind: "plateau", lastEpoch: 0, baseLrs: [], lastLr: [1], best: null, numBadEpochs: 0, cooldownCounter: 0 }],
    ];
    for (const [make, steps, old] of cases) {
      const s = make();
      for (let i = 0; i < steps; i++) s.step(5);
      expect(JSON.parse(JSON.stringify(s.stateDict()))).toEqual(old);
      const loaded = make();
      loaded.loadStateDict(old as unknown as ScheduleStateDict);
      expect(sequence(loaded, 4, [5, 5, 5, 5])).toEqual(sequence(s, 4, [5, 5, 5, 5]));
    }
    const p = new ReduceLROnPlateau(sgd(1), { patience: 1, cooldown: 1 });
    p.loadStateDict({ kind: "plateau", lastEpoch: 4, baseLrs: [], lastLr: [0.1], best: 4, numBadEpochs: 0, cooldownCounter: 1 });
    expect([p.best, p.cooldownCounter, p.lastEpoch, p.getLastLr()]).toEqual([4, 1, 4, [0.1]]);
  });

  it("rejects bad options", () => {
    expectThrows(() => new StepLR(sgd(), { stepSize: 0 }), ValueError, "stepSize");
    expectThrows(() => new CosineAnnealingLR(sgd(), { tMax: 5, warmupSteps: 6 }), ValueError, "warmupSteps");
    expectThrows(() => new CosineAnnealingLR(sgd(), { tMax: 5, warmupSteps: 5 }), ValueError, "warmupSteps (5) must be < tMax (5)");
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
