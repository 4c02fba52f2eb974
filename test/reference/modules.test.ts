import { describe, expect, it } from "vitest";
import { Module, type Tensor, gradients, nn } from "../../src/index.js";
import { type Enc, decode, expectMatch, expectSameNames, load, mismatches, nonTrivial, weighted, zerosFor } from "./harness.js";

interface Step {
  mode: "train" | "eval";
  input: Enc;
  out: Enc;
  weights: Enc;
  gradInput: Enc;
  gradParams: Record<string, Enc>;
  buffers: Record<string, Enc>;
}
interface ModuleCase {
  name: string;
  /** PyTorch's state dict (parameters and buffers) under PyTorch's names. */
  state: Record<string, Enc>;
  steps: Step[];
}

const fixture = load<ModuleCase>("modules");

/** The same module as make.py builds, under the same state-dict names (Residual's submodule is `fn`). */
const table: Record<string, () => Module> = {
  "Linear/bias": () => new nn.Linear(4, 3),
  "Linear/no_bias": () => new nn.Linear(4, 3, { bias: false }),
  "Linear/3d_input": () => new nn.Linear(4, 3),
  "Linear/1d_input": () => new nn.Linear(4, 3),
  "Linear/float32": () => new nn.Linear(6, 5),
  "Conv2d/float32": () => new nn.Conv2d(2, 4, 3, { padding: 1, groups: 2 }),
  "BatchNorm1d/float32": () => new nn.BatchNorm1d(3),

  "Conv2d/basic": () => new nn.Conv2d(2, 3, 3),
  "Conv2d/stride=2": () => new nn.Conv2d(2, 3, 3, { stride: 2 }),
  "Conv2d/padding=1": () => new nn.Conv2d(2, 3, 3, { padding: 1 }),
  "Conv2d/kernel=2x3,stride=2x1,padding=1x2": () => new nn.Conv2d(2, 2, [2, 3], { stride: [2, 1], padding: [1, 2] }),
  "Conv2d/dilation=2": () => new nn.Conv2d(2, 3, 3, { dilation: 2 }),
  "Conv2d/stride=2,padding=2,dilation=2": () => new nn.Conv2d(1, 2, 3, { stride: 2, padding: 2, dilation: 2 }),
  "Conv2d/no_bias": () => new nn.Conv2d(2, 3, 3, { bias: false }),
  "Conv2d/padding=3": () => new nn.Conv2d(1, 2, 3, { padding: 3 }),
  "Conv2d/1x1": () => new nn.Conv2d(3, 2, 1),
  "Conv2d/unbatched": () => new nn.Conv2d(2, 3, 2),
  "Conv2d/groups=2": () => new nn.Conv2d(4, 6, 3, { groups: 2 }),
  "Conv2d/depthwise": () => new nn.Conv2d(3, 3, 3, { groups: 3, padding: 1 }),
  "Conv2d/depthwise_multiplier=2": () => new nn.Conv2d(2, 4, 3, { groups: 2 }),
  "Conv2d/groups=2,stride=2,padding=1,no_bias": () => new nn.Conv2d(4, 2, 3, { groups: 2, stride: 2, padding: 1, bias: false }),

  "MaxPool2d/k=2": () => new nn.MaxPool2d(2),
  "MaxPool2d/k=3,s=2": () => new nn.MaxPool2d(3, { stride: 2 }),
  "MaxPool2d/k=3,s=2,p=1": () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
  "MaxPool2d/k=2x3,s=1x2": () => new nn.MaxPool2d([2, 3], { stride: [1, 2] }),
  "MaxPool2d/k=3,s=1_overlap": () => new nn.MaxPool2d(3, { stride: 1 }),
  "MaxPool2d/unbatched": () => new nn.MaxPool2d(2, { stride: 1 }),
  "MaxPool2d/ties_k=2": () => new nn.MaxPool2d(2),
  "MaxPool2d/ties_k=3,s=1": () => new nn.MaxPool2d(3, { stride: 1 }),
  "MaxPool2d/ties_k=3,s=2,p=1": () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
  "MaxPool2d/ceilMode,k=2": () => new nn.MaxPool2d(2, { ceilMode: true }),
  "MaxPool2d/ceilMode,k=3,s=2": () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }),
  "MaxPool2d/ceilMode,k=3,s=2,p=1": () => new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
  "MaxPool2d/ceilMode_no_effect": () => new nn.MaxPool2d(2, { ceilMode: true }),
  "MaxPool2d/ceilMode,ties": () => new nn.MaxPool2d(2, { ceilMode: true }),
  "MaxPool2d/dilation=2": () => new nn.MaxPool2d(2, { stride: 1, dilation: 2 }),
  "MaxPool2d/k=3,s=2,p=1,dilation=2,ceilMode": () => new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }),

  "BatchNorm1d/train_eval": () => new nn.BatchNorm1d(4),
  "BatchNorm1d/momentum=0.3,eps=1e-3": () => new nn.BatchNorm1d(3, { momentum: 0.3, eps: 1e-3 }),
  "BatchNorm1d/momentum=null": () => new nn.BatchNorm1d(3, { momentum: null }),
  "BatchNorm1d/no_affine": () => new nn.BatchNorm1d(3, { affine: false }),
  "BatchNorm1d/3d_input": () => new nn.BatchNorm1d(3),
  "BatchNorm1d/no_running_stats": () => new nn.BatchNorm1d(3, { trackRunningStats: false }),
  "BatchNorm1d/eval_first": () => new nn.BatchNorm1d(3),
  "LayerNorm/last": () => new nn.LayerNorm(4),
  "LayerNorm/last_two": () => new nn.LayerNorm([3, 4]),
  "LayerNorm/no_affine": () => new nn.LayerNorm(5, { elementwiseAffine: false }),
  "LayerNorm/eps=1e-2": () => new nn.LayerNorm(5, { eps: 1e-2 }),
  "LayerNorm/no_bias": () => new nn.LayerNorm(4, { bias: false }),

  "Dropout/eval": () => new nn.Dropout(0.5),
  "Dropout/p=0_train": () => new nn.Dropout(0),
  "ReLU/basic": () => new nn.ReLU(),
  "LeakyReLU/basic": () => new nn.LeakyReLU(),
  "LeakyReLU_0.2/basic": () => new nn.LeakyReLU(0.2),
  "Sigmoid/basic": () => new nn.Sigmoid(),
  "Tanh/basic": () => new nn.Tanh(),
  "GELU/basic": () => new nn.GELU(),
  "Softmax_axis=1/basic": () => new nn.Softmax(1),
  "Softmax_axis=-1/basic": () => new nn.Softmax(-1),
  "LogSoftmax_axis=1/basic": () => new nn.LogSoftmax(1),
  "Identity/basic": () => new nn.Identity(),
  "Flatten/default": () => new nn.Flatten(),
  "Flatten/0..1": () => new nn.Flatten(0, 1),

  "Sequential/mlp": () => new nn.Sequential(new nn.Linear(4, 5), new nn.Tanh(), new nn.Linear(5, 3)),
  "Residual/mlp": () => new nn.Residual(new nn.Sequential(new nn.Linear(4, 4), new nn.Tanh(), new nn.Linear(4, 4))),
  "Sequential/residual_blocks": () =>
    new nn.Sequential(new nn.Linear(3, 4), new nn.Residual(new nn.Sequential(new nn.Linear(4, 4), new nn.GELU())), new nn.LayerNorm(4), new nn.Linear(4, 2)),
  "Sequential/cnn": () =>
    new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1 }), new nn.Tanh(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8, 3)),
  "Sequential/batchnorm": () => new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3), new nn.Sigmoid(), new nn.Linear(3, 2)),
  "Sequential/dropout_eval": () => new nn.Sequential(new nn.Linear(4, 3), new nn.Dropout(0.5), new nn.Linear(3, 2)),
};

function run(c: ModuleCase, make: () => Module): void {
  const m = make();
  if (c.steps[0].input.dtype === "float64") m.to("float64");
  const sd: Record<string, Tensor> = {};
  for (const [k, e] of Object.entries(c.state)) sd[k] = decode(e);
  m.loadStateDict(sd);
  c.steps.forEach((s, i) => {
    const at = `step ${i} (${s.mode})`;
    m.train(s.mode === "train");
    const x = decode(s.input, { requiresGrad: true });
    const out = m.call(x);
    expectMatch(out, s.out, `${at}: output`);
    const params = m.namedParameters();
    expect(params.map(([k]) => k).sort(), `${at}: parameter names`).toEqual(Object.keys(s.gradParams).sort());
    const gs = gradients(weighted(out, s.weights), [x, ...params.map(([, p]) => p)]);
    expectMatch(gs[0], s.gradInput, `${at}: gradient w.r.t. the input`);
    params.forEach(([k], j) => expectMatch(gs[j + 1], s.gradParams[k], `${at}: gradient w.r.t. ${k}`));
    const state = m.stateDict();
    for (const [k, e] of Object.entries(s.buffers)) expectMatch(state[k], e, `${at}: buffer ${k}`);
  });
}

describe(`modules against PyTorch ${fixture.torch}`, () => {
  it("has a chainrule module for every case and a case for every module", () => expectSameNames(fixture.cases, table));
  it("would fail for a module that returns zeros", () => {
    const bad = fixture.cases.filter((c) => c.steps.some((s) => mismatches(zerosFor(s.out), s.out).length === 0 || !nonTrivial(s.gradInput)));
    expect(bad.map((c) => c.name)).toEqual([]);
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (name, c) => run(c, table[name]));
});
