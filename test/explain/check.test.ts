import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import type { Check } from "../../src/explain/derivation.js";
import { explainProgram } from "../../src/explain/explain-program.js";
import { formatJson, formatText } from "../../src/explain/format.js";
import { richToText } from "../../src/explain/latex.js";
import { gradients } from "../../src/autograd/engine.js";
import * as F from "../../src/ops/functions.js";
import { scalar } from "../../src/tensor/create.js";

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const P1_VALUES = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };

/** P1 by the library's ops and autograd directly. */
function p1Autograd(): { values: Record<string, number>; grads: Record<string, number> } {
  const [x0, w0, w1, b0, b1] = [1, 0.3, -0.2, 0.1, -0.3].map((v) => scalar(v, { dtype: "float64", requiresGrad: true }));
  const x1 = F.relu(F.add(F.mul(x0!, w0!), b0!));
  const y1 = F.add(F.mul(x1, w1!), b1!);
  const z = F.relu(F.add(y1, x0!));
  const [gw0, gw1, gx0] = gradients(z, [w0!, w1!, x0!]);
  return { values: { x1: x1.item(), y1: y1.item(), z: z.item() }, grads: { w0: gw0!.item(), w1: gw1!.item(), x0: gx0!.item() } };
}

const check = (claims: string, tol?: number): Check[] => explainProgram(P1, P1_VALUES, { check: claims, tol }).checks!;
const byTarget = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.target, c]));
const step = (c: Check) => richToText(c.firstWrongStep ?? "");

describe("--check on P1", () => {
  const auto = p1Autograd();
  /** A typical wrong hand solution: b1 dropped, its error carried on, x1 used for w1, a sign dropped, the skip connection forgotten. */
  const wrong = "x1=0.4, y1=-0.08, z=0.92, dz/dw1=-0.2, dz/dw0=0.2, dz/db0=-0.2, dz/db1=1, dz/dx0=-0.06";

  it("marks each claim right or wrong, with the correct value from autograd", () => {
    const c = byTarget(check(wrong));
    expect(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.ok]))).toEqual({
      x1: true, y1: false, z: false, "∂z/∂w1": false, "∂z/∂w0": false, "∂z/∂b0": true, "∂z/∂b1": true, "∂z/∂x0": false,
    });
    expect(c.y1!.correct).toBe(auto.values.y1);
    expect(c.z!.correct).toBe(auto.values.z);
    for (const w of ["w1", "w0", "x0"]) expect(c[`∂z/∂${w}`]!.correct).toBe(auto.grads[w]);
    for (const ok of [c.x1!, c["∂z/∂b0"]!]) expect(ok.firstWrongStep).toBeNull();
  });

  it("finds the dropped term of a forward step and shows the correct evaluation", () => {
    const y1 = byTarget(check(wrong)).y1!;
    expect(y1.derivation).toBe("y1 = x1·w1 + b1 = 0.4·(−0.2) + (−0.3) = −0.38");
    expect(y1.slips!.map(richToText)).toEqual(["the term + b1 was dropped (x1·w1 = 0.4·(−0.2) = −0.08)"]);
    expect(step(y1)).toBe("y1 = x1·w1 + b1 = 0.4·(−0.2) + (−0.3) = −0.38, not −0.08: the term + b1 was dropped (x1·w1 = 0.4·(−0.2) = −0.08)");
  });

  it("points a value computed from a wrong claim to the upstream step", () => {
    const z = byTarget(check(wrong)).z!;
    expect(z.upstream).toBe("y1");
    expect(step(z)).toBe("upstream, at y1 = −0.08 (correct: −0.38); z = 0.92 follows from it (ReLU(y1 + x0) = ReLU(−0.08 + 1) = ReLU(0.92) = 0.92)");
  });

  it("names the factor of a gradient that was replaced, or whose sign was dropped", () => {
    const c = byTarget(check(wrong));
    expect(step(c["∂z/∂w1"]!)).toBe(
      "∂z/∂w1 = ReLU'(y1 + x0) · x1 = (1)(0.4) = 0.4, not −0.2: w1 = −0.2 was used in place of x1 = 0.4 (the derivative of x1·w1 by w1 is x1)",
    );
    expect(step(c["∂z/∂w0"]!)).toBe(
      "∂z/∂w0 = ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · x0 = (1)(−0.2)(1)(1) = −0.2, not 0.2: the sign of w1 = −0.2 was dropped",
    );
  });

  it("finds the forgotten skip connection of ∂z/∂x0", () => {
    const x0 = byTarget(check(wrong))["∂z/∂x0"]!;
    expect(x0.derivation).toBe("∂z/∂x0 = ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · w0 + ReLU'(y1 + x0) · 1 = (1)(−0.2)(1)(0.3) + (1)(1) = 0.94");
    expect(x0.slips!.map(richToText)[0]).toBe("the skip connection (ReLU'(y1 + x0) · 1 = 1) was left out");
  });

  it("names an activation derivative taken as 0 instead of 1", () => {
    const c = check("dz/db0=0")[0]!;
    expect(c.slips!.map(richToText)).toContain("ReLU'(x0·w0 + b0) was taken as 0 instead of 1");
  });

  it("traces a gradient to a wrong forward value it was computed from", () => {
    const c = byTarget(check("x1=0.5, dz/dw1=0.5"));
    expect(c.x1!.ok).toBe(false);
    expect(c["∂z/∂w1"]!.upstream).toBe("x1");
    expect(step(c["∂z/∂w1"]!)).toMatch(/^upstream, at x1 = 0.5 \(correct: 0.4\); ∂z\/∂w1 = 0.5 follows from the wrong forward value/);
  });

  it("traces a gradient to a wrong upstream gradient in the backward pass", () => {
    const c = byTarget(check("dz/dx1=0.2, dz/dw0=0.2"));
    expect(step(c["∂z/∂x1"]!)).toMatch(/the sign of w1 = −0.2 was dropped/);
    expect(c["∂z/∂w0"]!.upstream).toBe("∂z/∂x1");
    expect(step(c["∂z/∂w0"]!)).toBe("upstream, at ∂z/∂x1 = 0.2 (correct: −0.2); ∂z/∂w0 = 0.2 follows from it");
  });

  it("names no slip when none reproduces the claim, and says only what the step gives", () => {
    const c = check("y1=0.123")[0]!;
    expect(c.slips).toEqual([]);
    expect(step(c)).toBe("y1 = x1·w1 + b1 = 0.4·(−0.2) + (−0.3) = −0.38, not 0.123");
  });

  it("passes a right solution", () => {
    const right = "x1=0.4; y1=-0.38; z=0.62; ∂z/∂w0=-0.2; dz/dw1=0.4; dz/db0=-0.2; dz/db1=1; dz/dx0=0.94";
    const checks = check(right);
    expect(checks).toHaveLength(8);
    expect(checks.every((c) => c.ok && c.firstWrongStep === null)).toBe(true);
  });

  it("compares within a relative tolerance", () => {
    expect(check("dz/dx0=0.9400001")[0]!.ok).toBe(true);
    expect(check("dz/dx0=0.9400001", 1e-9)[0]!.ok).toBe(false);
    expect(check("z=0.6", 0.05)[0]!.ok).toBe(true);
  });

  it("prints the checks and puts them in JSON as { claim, claimed, correct, ok, firstWrongStep }", () => {
    const d = explainProgram(P1, P1_VALUES, { check: "y1=-0.08, z=0.62" });
    const text = formatText(d);
    expect(text).toContain("Check: 1 of 2 right (relative tolerance 1e−6)");
    expect(text).toContain("✗ y1 = −0.08; correct: −0.38\n      first wrong step: y1 = x1·w1 + b1");
    expect(text).toContain("✓ z = 0.62");
    const j = JSON.parse(formatJson(d));
    expect(j.checks[0]).toMatchObject({ claim: "y1=-0.08", claimed: -0.08, correct: auto.values.y1, ok: false });
    expect(j.checks[0].firstWrongStep).toContain("the term + b1 was dropped");
    expect(j.checks[1]).toMatchObject({ claim: "z=0.62", claimed: 0.62, correct: auto.values.z, ok: true, firstWrongStep: null });
  });

  it("rejects claims about names the program does not have", () => {
    expect(() => check("q=1")).toThrow(ValueError);
    expect(() => check("dz/dq=1")).toThrow(/not a variable of the program/);
  });

  it("names every slip that reproduces the claim, never one of them as fact (issue 7, item 11)", () => {
    const c = check("y1=-0.36")[0]!;
    const slips = c.slips!.map(richToText);
    expect(slips).toContain("x1 was replaced by w0 = 0.3 (w0·w1 + b1 = 0.3·(−0.2) + (−0.3) = −0.36)");
    expect(slips).toContain("in the step of x1, the term + b0 was dropped (ReLU(x0·w0) = ReLU(1·0.3) = ReLU(0.3) = 0.3), which carries on to y1 = −0.36");
    expect(step(c)).toMatch(/, not −0\.36: one of: x1 was replaced by w0 = 0\.3 .*; or in the step of x1, the term \+ b0 was dropped/);
    // a step that a right claim fixes is not blamed
    const fixed = byTarget(check("x1=0.4, y1=-0.36")).y1!;
    expect(fixed.slips!.map(richToText)).toEqual(["x1 was replaced by w0 = 0.3 (w0·w1 + b1 = 0.3·(−0.2) + (−0.3) = −0.36)"]);
    expect(step(fixed)).not.toContain("one of");
  });
});

describe("--check where the true value is ±∞ or NaN (issue 7, item 8)", () => {
  const checkDiv = (claims: string, values = { x0: 1, w0: 0 }) => explainProgram("z = x0/w0", values, { check: claims }).checks!;

  it("marks a finite claim wrong when the value is ∞, and ∞ right only when claimed", () => {
    expect(checkDiv("z=42")[0]).toMatchObject({ ok: false, correct: Infinity });
    for (const claim of ["z=inf", "z=Infinity", "z=∞", "z=+inf", "z = INF"]) expect(checkDiv(claim)[0]!.ok).toBe(true);
    for (const claim of ["z=-inf", "z=−∞", "z=nan", "z=1e308"]) expect(checkDiv(claim)[0]!.ok).toBe(false);
    expect(checkDiv("z=-inf", { x0: -1, w0: 0 })[0]!.ok).toBe(true);
    expect(checkDiv("dz/dw0=-inf")[0]!.ok).toBe(true);
    expect(checkDiv("dz/dw0=-1e300")[0]!.ok).toBe(false);
  });

  it("compares NaN exactly: only a NaN claim is right", () => {
    expect(checkDiv("z=nan", { x0: 0, w0: 0 })[0]!.ok).toBe(true);
    expect(checkDiv("z=0", { x0: 0, w0: 0 })[0]!.ok).toBe(false);
    expect(checkDiv("z=inf", { x0: 0, w0: 0 })[0]!.ok).toBe(false);
    expect(checkDiv("z=nan")[0]!.ok).toBe(false);
  });
});
