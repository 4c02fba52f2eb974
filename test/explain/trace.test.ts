import { describe, expect, it } from "vitest";
import { Generator, nn, randn, tensor } from "../../src/index.js";
import { explain, formatLatex, formatText } from "../../src/explain/index.js";
import katex from "katex";

describe("explain(model, input, target) for any module", () => {
  const g = new Generator(1);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 2, 3, { generator: g }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
    new nn.Residual(new nn.Sequential(new nn.Linear(2, 2, { generator: g }), new nn.Tanh())), new nn.Linear(2, 3, { generator: g }),
  );
  const x = randn([2, 1, 4, 4], { generator: g });
  const y = tensor([0, 2], { dtype: "int32" });
  const d = explain(model, x, y, { l2: 0.01 });

  it("lists every op that ran and every parameter's gradient, with the shapes the code computed", () => {
    expect(d.kind).toBe("model");
    const ops = new Set(d.forward.map((e) => e.rhs.split("(")[0]));
    expect([...ops].some((o) => o.startsWith("gather"))).toBe(true);
    for (const [name, p] of model.namedParameters()) {
      const lines = d.backward.filter((e) => e.lhs === `∂L/∂${name}`);
      expect(lines.length, name).toBeGreaterThan(0);
      for (const l of lines) expect(l.computedShape).toEqual([...p.shape]);
    }
    for (const e of [...d.forward, ...d.backward]) expect(e.shape).toEqual(e.computedShape.map(String));
  });

  it("its equations, evaluated, add up to autograd's gradients", () => {
    expect(d.numeric!.maxAbsDiff).toBeLessThan(1e-12);
    const dl = d.backward.find((e) => e.lhs === "∂L/∂5.bias")!;
    expect(Array.isArray(dl.value)).toBe(true);
    // Independent: ∂L/∂b of the last layer is Σₙ (softmax(S) − Y)/N, from the module's own output.
    const S = model.call(x).double();
    const P = S.softmax(-1);
    const Y = tensor([[1, 0, 0], [0, 0, 1]], { dtype: "float64" });
    const expected = P.sub(Y).sum(0).div(2).toArray() as number[];
    (dl.value as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it("prints as text and as LaTeX that KaTeX renders", () => {
    expect(formatText(d)).toContain("∂L/∂0.weight");
    const tex = formatLatex(d);
    for (const m of tex.matchAll(/\\\[([\s\S]*?)\\\]/g)) expect(() => katex.renderToString(m[1]!, { throwOnError: true, displayMode: true })).not.toThrow();
  });

  it("keeps the Linear/ReLU form for MLPs", () => {
    const mlpModel = new nn.Sequential(new nn.Linear(3, 4, { generator: g }), new nn.ReLU(), new nn.Linear(4, 2, { generator: g }));
    const m = explain(mlpModel, randn([5, 3], { generator: g }), tensor([0, 1, 1, 0, 1], { dtype: "int32" }));
    expect(m.backward.some((e) => e.rhs.includes("1[Z1 > 0]") || e.rhs.includes("1["))).toBe(true);
  });
});
