import { describe, expect, it } from "vitest";
import { explainModelSpec } from "../../src/index.js";

describe("explainModelSpec with a symbolic batch works from the spec", () => {
  it("counts a wide network's parameters without building it (784-300000-10: 238,500,010)", () => {
    const t0 = performance.now();
    const d = explainModelSpec("784-300000-10");
    expect(d.totalParams).toBe(784 * 300000 + 300000 + 300000 * 10 + 10);
    expect(performance.now() - t0).toBeLessThan(5000); // building it in float64 took ~10 s and 1 GB
  });

  it("writes every layer of a deep spec (15 Linear layers: a ∂L/∂W for each)", () => {
    const widths = [5, ...Array(14).fill(4), 3];
    const d = explainModelSpec(widths.join("-"), { loss: "mse" });
    const weights = d.backward.map((e) => e.lhs).filter((l) => /^∂L\/∂W\d+$/.test(l));
    expect(weights).toHaveLength(15);
    expect(d.layers).toHaveLength(29); // 15 Linear + 14 ReLU
  });
});
