import { describe, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import {
  Adam, AdamW, CosineAnnealingLR, ExponentialLR, NoSchedule, RMSprop, ReduceLROnPlateau, SGD, StepLR, clipGradNorm, clipGradValue, makeSchedule,
} from "../../src/optim/index.js";
import { expectThrows, makeParams } from "./helpers.js";

const sgd = () => new SGD(makeParams(), { lr: 0.1 });

describe("unknown options are errors, naming the option and the closest known one", () => {
  it("optimizers and their parameter groups", () => {
    expectThrows(() => new SGD(makeParams(), { lr: 0.1, momentun: 0.9 } as any), ValueError, 'sgd: unknown option "momentun" (did you mean "momentum"?)');
    expectThrows(() => new Adam(makeParams(), { beta: [0.9, 0.99] } as any), ValueError, 'adam: unknown option "beta" (did you mean "betas"?)');
    expectThrows(() => new AdamW(makeParams(), { weight_decay: 0.1 } as any), ValueError, 'adamw: unknown option "weight_decay"');
    expectThrows(() => new RMSprop(makeParams(), { centred: true } as any), ValueError, 'rmsprop: unknown option "centred" (did you mean "centered"?)');
    const [a, b] = makeParams();
    expectThrows(() => new SGD([{ params: [a] }, { params: [b], lrr: 1 } as any], { lr: 0.1 }), ValueError, 'sgd: parameter group 1: unknown option "lrr" (did you mean "lr"?)');
    expectThrows(() => new SGD(makeParams(), 0.1 as any), ValueError, "sgd: expected an options object, found number");
  });

  it("schedules", () => {
    expectThrows(() => new StepLR(sgd(), { stepSize: 2, gama: 0.5 } as any), ValueError, 'StepLR: unknown option "gama" (did you mean "gamma"?)');
    expectThrows(() => new ExponentialLR(sgd(), { gamma: 0.9, last_epoch: 1 } as any), ValueError, 'ExponentialLR: unknown option "last_epoch"');
    expectThrows(() => new CosineAnnealingLR(sgd(), { tMax: 5, warmup: 1 } as any), ValueError, 'CosineAnnealingLR: unknown option "warmup"', "warmupSteps");
    expectThrows(() => new CosineAnnealingLR(sgd(), { tmax: 5 } as any), ValueError, 'unknown option "tmax" (did you mean "tMax"?)');
    expectThrows(() => new ReduceLROnPlateau(sgd(), { patiense: 2 } as any), ValueError, 'ReduceLROnPlateau: unknown option "patiense" (did you mean "patience"?)');
    expectThrows(() => makeSchedule("cosine", sgd(), { tMax: 3, etamin: 0 } as any), ValueError, 'makeSchedule: unknown option "etamin" (did you mean "etaMin"?)');
  });

  it("clipGradNorm", () => {
    const ps = makeParams();
    expectThrows(() => clipGradNorm(ps, 1, { norm_type: 1 } as any), ValueError, 'clipGradNorm: unknown option "norm_type"', "normType");
    expectThrows(() => clipGradNorm(ps, 1, 2 as any), ValueError, "clipGradNorm: expected an options object, found number");
  });
});

describe("bad arguments are ValueErrors naming the argument, not TypeErrors", () => {
  it("optimizers, schedules and clipping", () => {
    expectThrows(() => new SGD(3 as any, { lr: 0.1 }), ValueError, "sgd: expected a tensor, a list of tensors or a list of parameter groups, found number");
    expectThrows(() => new Adam(undefined as any), ValueError, "adam: expected a tensor");
    expectThrows(() => new Adam(makeParams(), null as any), ValueError, "adam: expected an options object, found null");
    expectThrows(() => new AdamW(makeParams(), null as any), ValueError, "adamw: expected an options object, found null");
    expectThrows(() => new RMSprop(makeParams(), null as any), ValueError, "rmsprop: expected an options object, found null");
    expectThrows(() => new StepLR({} as any, { stepSize: 1 }), ValueError, "StepLR: expected an optimizer (SGD, Adam, ...), found object");
    expectThrows(() => new CosineAnnealingLR(null as any, { tMax: 3 }), ValueError, "CosineAnnealingLR: expected an optimizer");
    expectThrows(() => new NoSchedule(3 as any), ValueError, "NoSchedule: expected an optimizer");
    expectThrows(() => new ReduceLROnPlateau(undefined as any), ValueError, "ReduceLROnPlateau: expected an optimizer (SGD, Adam, ...), found undefined");
    expectThrows(() => makeSchedule("step", "abc" as any, { stepSize: 1 }), ValueError, "StepLR: expected an optimizer");
    expectThrows(() => clipGradNorm(3 as any, 1), ValueError, "clipGradNorm: expected a tensor or a list of tensors, found number");
    expectThrows(() => clipGradValue("abc" as any, 1), ValueError, "clipGradValue: expected a tensor or a list of tensors");
  });
});
