import { describe, expect, it } from "vitest";
import { curvesSvg } from "../../src/index.js";

describe("curvesSvg", () => {
  it("draws loss and accuracy, train and test, one point per epoch", () => {
    const history = [0, 1, 2].map((epoch) => ({
      epoch, loss: 1 / (epoch + 1), accuracy: 0.8 + epoch / 20, valLoss: 1.2 / (epoch + 1), valAccuracy: 0.78 + epoch / 20, lr: 0.1, seconds: 1, samplesPerSecond: 100,
    }));
    const svg = curvesSvg(history, { title: "run <1>" });
    expect(svg.startsWith("<svg")).toBe(true);
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1].split(" ").length);
    expect(lines).toEqual([3, 3, 3, 3]);
    expect(svg).toContain("run &lt;1>");
    expect(svg).toContain(">Accuracy<");
    expect(svg).toContain(">validation<");
    expect(curvesSvg(history, { testLabel: "test" })).toContain(">test<");
    expect(() => curvesSvg(history, { titel: "x" } as never)).toThrow('curvesSvg: unknown option "titel" (did you mean "title"?)');
  });
});
