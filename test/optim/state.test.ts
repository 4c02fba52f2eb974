import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { Adam, AdamW, type Optimizer, type OptimizerStateDict, RMSprop, SGD } from "../../src/optim/index.js";
import { expectThrows, makeParams, setGrads } from "./helpers.js";

/** What the checkpoint code does: arrays saved as tensors, the rest through JSON. */
function roundTrip(sd: OptimizerStateDict): OptimizerStateDict {
  const { state, ...rest } = sd;
  const copy: OptimizerStateDict["state"] = {};
  for (const [k, v] of Object.entries(state)) copy[k] = v.slice();
  return { ...JSON.parse(JSON.stringify(rest)), state: copy };
}

const makers: [string, (ps: Tensor[]) => Optimizer][] = [
  ["SGD momentum", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ["Adam amsgrad", (ps) => new Adam([{ params: [ps[0]] }, { params: [ps[1]], lr: 0.02 }], { lr: 0.05, amsgrad: true, weightDecay: 0.01 })],
  ["AdamW", (ps) => new AdamW(ps, { lr: 0.05 })],
  ["RMSprop centered + momentum", (ps) => new RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 })],
];

describe("stateDict / loadStateDict", () => {
  it.each(makers)("%s: resuming from a state dict continues exactly like an uninterrupted run", (_, make) => {
    const ps = makeParams();
    const opt = make(ps);
    for (let t = 0; t < 5; t++) {
      setGrads(ps);
      opt.step();
    }
    const sd = roundTrip(opt.stateDict());
    const ps2 = makeParams(ps.map((p) => [...p.data]));
    const opt2 = make(ps2);
    opt2.lr = 123; // restored from the state dict
    opt2.loadStateDict(sd);
    expect(opt2.stepCount).toBe(5);
    expect(opt2.paramGroups.map((g) => g.hyper)).toEqual(opt.paramGroups.map((g) => g.hyper));
    for (let t = 0; t < 5; t++) {
      setGrads(ps);
      opt.step();
      setGrads(ps2);
      opt2.step();
    }
    ps.forEach((p, k) => expect(ps2[k].data).toEqual(p.data));
  });

  it("state dicts are snapshots with PyTorch-like keys and the parameter's dtype", () => {
    const ps = makeParams();
    const opt = new Adam(ps, { amsgrad: true });
    setGrads(ps);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.kind).toBe("adam");
    expect(sd.step).toBe(1);
    expect(sd.hyper).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true });
    expect(sd.groups).toEqual([{ size: 2, hyper: sd.hyper }]);
    expect(Object.keys(sd.state).sort()).toEqual(
      ["0.exp_avg", "0.exp_avg_sq", "0.max_exp_avg_sq", "0.step", "1.exp_avg", "1.exp_avg_sq", "1.max_exp_avg_sq", "1.step"].sort(),
    );
    expect(sd.state["0.exp_avg"]).toBeInstanceOf(Float64Array);
    expect(sd.state["0.exp_avg"].length).toBe(6);
    const snap = sd.state["0.exp_avg"].slice();
    setGrads(ps);
    opt.step();
    expect(sd.state["0.exp_avg"]).toEqual(snap);
    expect(Object.keys(new SGD(ps, { lr: 1 }).stateDict().state)).toEqual([]);
    const sgd = new SGD(ps, { lr: 1, momentum: 0.5 });
    sgd.step();
    expect(Object.keys(sgd.stateDict().state)).toEqual(["0.momentum_buffer", "1.momentum_buffer"]);
  });

  it("rejects mismatched state dicts with clear errors, changing nothing", () => {
    const ps = makeParams();
    const opt = new Adam(ps);
    setGrads(ps);
    opt.step();
    const good = opt.stateDict();
    const target = new Adam(makeParams(), { lr: 0.5 });
    const bad = (f: (sd: OptimizerStateDict) => void): OptimizerStateDict => {
      const sd = roundTrip(good);
      f(sd);
      return sd;
    };
    expectThrows(() => new SGD(ps, { lr: 1 }).loadStateDict(good), ValueError, 'for optimizer "adam"', '"sgd"');
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.state["1.exp_avg"] = new Float64Array(3)))), ValueError, '"1.exp_avg"', "length 3", "expected 4");
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.state["0.momentum_buffer"] = new Float64Array(6)))), ValueError, 'unexpected state key "0.momentum_buffer"');
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.state["7.exp_avg"] = new Float64Array(6)))), ValueError, '"7.exp_avg"', "parameter 7");
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.state["exp_avg"] = new Float64Array(6)))), ValueError, '"exp_avg"');
    expectThrows(() => target.loadStateDict(bad((sd) => delete sd.state["0.exp_avg_sq"])), ValueError, '"0.exp_avg_sq" is missing');
    expectThrows(() => target.loadStateDict(bad((sd) => ((sd.state as any)["0.exp_avg"] = [1, 2, 3, 4, 5, 6]))), ValueError, "Float32Array or Float64Array");
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.groups = [...sd.groups, ...sd.groups]))), ValueError, "expected 1 parameter group(s), found 2");
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.groups[0].size = 3))), ValueError, "group 0 has 2 parameter(s)");
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.groups[0].hyper.lr = -1))), ValueError, "lr must be >= 0");
    expectThrows(() => target.loadStateDict(bad((sd) => delete (sd.hyper as any).eps)), ValueError, '"eps" is missing');
    expectThrows(() => target.loadStateDict(bad((sd) => (sd.step = -1))), ValueError, "step");
    expectThrows(() => new Adam(makeParams().slice(0, 1)).loadStateDict(good), ValueError, "group 0 has 1 parameter(s), the state dict has 2");
    expect(target.lr).toBe(0.5);
    expect(target.stepCount).toBe(0);
    expect(target.stateDict().state).toEqual({});
  });

  it("loads float64 state into float32 parameters as float32", () => {
    const ps = makeParams();
    const opt = new SGD(ps, { lr: 0.1, momentum: 0.9 });
    setGrads(ps);
    opt.step();
    const ps32 = makeParams(undefined, "float32");
    const opt32 = new SGD(ps32, { lr: 0.1, momentum: 0.9 });
    opt32.loadStateDict(opt.stateDict());
    expect(opt32.stateDict().state["0.momentum_buffer"]).toBeInstanceOf(Float32Array);
  });
});
