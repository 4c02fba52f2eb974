import { describe, expect, it } from "vitest";
import { CosineAnnealingLR, ExponentialLR, type LRSchedule, type Optimizer, ReduceLROnPlateau, SGD, StepLR, zeros } from "../../src/index.js";
import { expectMatch, expectSameNames, load } from "./harness.js";

interface ScheduleCase {
  name: string;
  /** The lr of each parameter group at construction. */
  baseLrs: number[];
  /** Per group: the lr after construction, then after each step. */
  lrs: number[][];
  /** ReduceLROnPlateau: the metric passed to each step. */
  metrics?: number[];
}

const fixture = load<ScheduleCase>("schedules");

const plateau = (o: Optimizer, opts: ConstructorParameters<typeof ReduceLROnPlateau>[1]) => new ReduceLROnPlateau(o, opts);
const table: Record<string, (o: Optimizer) => LRSchedule> = {
  "StepLR/stepSize=3": (o) => new StepLR(o, { stepSize: 3 }),
  "StepLR/stepSize=2,gamma=0.5": (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 }),
  "ExponentialLR/gamma=0.9": (o) => new ExponentialLR(o, { gamma: 0.9 }),
  "CosineAnnealingLR/tMax=5": (o) => new CosineAnnealingLR(o, { tMax: 5 }),
  "CosineAnnealingLR/tMax=5,etaMin=0.01": (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 }),
  "CosineAnnealingLR/past_tMax": (o) => new CosineAnnealingLR(o, { tMax: 4 }),
  "CosineAnnealingLR/past_tMax,etaMin=0.005": (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 0.005 }),
  "CosineAnnealingLR/warmupSteps=3,tMax=10": (o) => new CosineAnnealingLR(o, { tMax: 10, warmupSteps: 3 }),
  "CosineAnnealingLR/warmupSteps=2,tMax=6,etaMin=0.001": (o) => new CosineAnnealingLR(o, { tMax: 6, warmupSteps: 2, etaMin: 0.001 }),
  "ReduceLROnPlateau/patience=2": (o) => plateau(o, { patience: 2 }),
  "ReduceLROnPlateau/patience=0,factor=0.5": (o) => plateau(o, { patience: 0, factor: 0.5 }),
  "ReduceLROnPlateau/cooldown=2": (o) => plateau(o, { patience: 1, factor: 0.5, cooldown: 2 }),
  "ReduceLROnPlateau/minLr": (o) => plateau(o, { patience: 0, factor: 0.3, minLr: 0.004 }),
  "ReduceLROnPlateau/minLr_per_group": (o) => plateau(o, { patience: 0, factor: 0.3, minLr: [0.01, 0.001] }),
  "ReduceLROnPlateau/threshold_abs": (o) => plateau(o, { patience: 1, factor: 0.5, threshold: 0.05, thresholdMode: "abs" }),
  "ReduceLROnPlateau/threshold_rel_0.1": (o) => plateau(o, { patience: 1, factor: 0.5, threshold: 0.1 }),
  "ReduceLROnPlateau/mode=max": (o) => plateau(o, { mode: "max", patience: 1, factor: 0.5 }),
  "ReduceLROnPlateau/mode=max,abs": (o) => plateau(o, { mode: "max", patience: 1, factor: 0.5, threshold: 0.02, thresholdMode: "abs" }),
  "ReduceLROnPlateau/eps_skips_tiny": (o) => plateau(o, { patience: 0, factor: 0.5, eps: 0.02 }),
};

/** Two groups (their own base lrs), optimizer steps without gradients, one schedule step after each. */
function run(c: ScheduleCase, make: (o: Optimizer) => LRSchedule): void {
  const groups = c.baseLrs.map((lr) => ({ params: [zeros([2], { dtype: "float64" })], lr }));
  const opt = new SGD(groups, { lr: c.baseLrs[0] });
  const sched = make(opt);
  const lrs = () => opt.paramGroups.map((g) => g.hyper.lr);
  const check = (t: number) => expectMatch(lrs(), { dtype: "float64", shape: [c.baseLrs.length], data: c.lrs[t] }, `lr after ${t} steps (${c.lrs.map((l) => l[0]).join(", ")})`);
  check(0);
  for (let t = 1; t < c.lrs.length; t++) {
    opt.step();
    sched.step(c.metrics?.[t - 1]);
    check(t);
  }
}

describe(`learning-rate schedules against PyTorch ${fixture.torch}`, () => {
  it("has a chainrule schedule for every case and a case for every schedule", () => expectSameNames(fixture.cases, table));
  it("changes the lr in every case", () => {
    for (const c of fixture.cases) expect(new Set(c.lrs.map((l) => l[0])).size, c.name).toBeGreaterThan(1);
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (name, c) => run(c, table[name]));
});
