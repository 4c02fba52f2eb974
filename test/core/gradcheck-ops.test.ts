import { describe, expect, it } from "vitest";
import { DIFFERENTIABLE_OPS, Generator, gradcheck } from "../../src/index.js";
import { COMPOSITES, OP_SPECS } from "./op-specs.js";

describe("every differentiable op passes gradcheck in float64", () => {
  it.each(OP_SPECS.map((s) => [s.label, s] as const))("%s", (_, spec) => {
    const g = new Generator(spec.label.length * 7919);
    const r = gradcheck(spec.fn, spec.inputs(g), { atol: spec.atol ?? 1e-6, rtol: 1e-5, eps: spec.eps });
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
  });

  it("has a row for every primitive with a gradient and every composite, each with a forward reference", () => {
    expect(OP_SPECS.filter((s) => typeof s.ref !== "function").map((s) => s.label)).toEqual([]);
    const covered = new Set(OP_SPECS.map((s) => s.op));
    const missing = [...DIFFERENTIABLE_OPS, ...COMPOSITES].filter((op) => !covered.has(op));
    expect(missing).toEqual([]);
  });
});

describe("every op's forward agrees with its plain-JS reference in float64", () => {
  it.each(OP_SPECS.map((s) => [s.label, s] as const))("%s", (_, spec) => {
    // NOTE: float inputs require gradients, as under gradcheck (a row may take gradients inside).
    const xs = spec.inputs(new Generator(spec.label.length * 7919)).map((x) => (x.dtype === "int32" ? x : x.detach().requiresGrad_()));
    const out = spec.fn(...xs);
    const want = spec.ref(...xs);
    expect(out.shape).toEqual(want.shape);
    expect(out.dtype).toBe("float64");
    for (let i = 0; i < want.data.length; i++)
      if (!(Math.abs(out.data[i] - want.data[i]) <= 1e-12 * Math.max(1, Math.abs(want.data[i]))))
        expect.fail(`entry ${i}: ${out.data[i]} vs reference ${want.data[i]}`);
  });

  it("would catch a kernel that computes zeros: no row's reference is all zeros", () => {
    const zeroRows = OP_SPECS.filter((s) => s.ref(...s.inputs(new Generator(s.label.length * 7919))).data.every((v) => Math.abs(v) <= 1e-12));
    expect(zeroRows.map((s) => s.label)).toEqual([]);
  });
});

describe("gradcheck catches a wrong gradient", () => {
  it("reports the worst entry of a deliberately wrong rule", async () => {
    const { Tensor, tensor } = await import("../../src/index.js");
    // NOTE: only registered ops run; a wrong rule is built from them: the value of exp(t), the gradient of 1.01·exp(t).
    const wrongExp = (t: InstanceType<typeof Tensor>) => t.exp().add(t.exp().sub(t.exp().detach()).mul(0.01));
    const x = tensor([0.1, 0.2, 0.3], { dtype: "float64" });
    const r = gradcheck((t: InstanceType<typeof Tensor>) => wrongExp(t).sum(), [x]);
    expect(r.ok).toBe(false);
    expect(r.worst!.analytic / r.worst!.numeric).toBeCloseTo(1.01, 6);
  });

  it("uses random directions for large inputs and still passes", () => {
    const g = new Generator(3);
    const { randn, matmul } = require_();
    const r = gradcheck((a, b) => matmul(a, b).tanh(), [randn([40, 30], { generator: g }), randn([30, 20], { generator: g })]);
    expect(r.mode).toBe("random");
    expect(r.ok).toBe(true);
  });
});

import * as lib from "../../src/index.js";
function require_() {
  return lib;
}
