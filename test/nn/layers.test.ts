import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import {
  Dropout, Flatten, GELU, Identity, LeakyReLU, Linear, LogSoftmax, ReLU, Residual, Sequential, Sigmoid, Softmax, Tanh, functionalCall,
} from "../../src/nn/index.js";
import { dropout, linear } from "../../src/nn/functional.js";
import { matmul, transpose } from "../../src/ops/functions.js";
import { ones, randn } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import { expectClose, expectGradcheck, rnd } from "./helpers.js";

describe("Linear", () => {
  it("lays out the weight [out, in] and the bias [out], drawn from U(−1/√in, 1/√in)", () => {
    const fc = new Linear(50, 400, { generator: new Generator(3) });
    expect(fc.weight.shape).toEqual([400, 50]);
    expect(fc.bias!.shape).toEqual([400]);
    expect(fc.weight.dtype).toBe("float32");
    const bound = 1 / Math.sqrt(50);
    for (const t of [fc.weight, fc.bias!]) {
      const d = Array.from(t.data);
      expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...d)).toBeGreaterThan(0.95 * bound);
      expect(Math.min(...d)).toBeLessThan(-0.95 * bound);
    }
    const w = Array.from(fc.weight.data);
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.01 * bound);
    expect(variance).toBeCloseTo((bound * bound) / 3, 3);
  });

  it("draws from the given generator deterministically, weight then bias", () => {
    const a = new Linear(4, 3, { generator: new Generator(7), dtype: "float64" });
    const b = new Linear(4, 3, { generator: new Generator(7), dtype: "float64" });
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    const g = new Generator(7);
    expect(a.weight.data[0]).toBe((2 * g.uniform() - 1) / 2);
    expect(new Linear(4, 3, { bias: false }).bias).toBeNull();
  });

  it("computes x·Wᵀ + b for inputs of rank 1, 2 and 3", () => {
    const fc = new Linear(3, 2, { dtype: "float64" });
    fc.loadStateDict({ weight: rnd([2, 3], 1), bias: rnd([2], 2) });
    const x = rnd([2, 4, 3], 3);
    const y = fc.call(x);
    expect(y.shape).toEqual([2, 4, 2]);
    const W = fc.weight.data, b = fc.bias!.data;
    const want: number[] = [];
    for (let r = 0; r < 8; r++) for (let o = 0; o < 2; o++) want.push(b[o] + [0, 1, 2].reduce((s, i) => s + x.data[r * 3 + i] * W[o * 3 + i], 0));
    expectClose(y.data, want, 1e-12);
    const v = fc.call(x.select(0, 0).select(0, 1));
    expect(v.shape).toEqual([2]);
    expectClose(v.data, want.slice(2, 4), 1e-12);
  });

  it("passes gradcheck with respect to the input, the weight and the bias", () => {
    const fc = new Linear(4, 3).to("float64");
    expectGradcheck((x, w, b) => functionalCall(fc, { weight: w, bias: b }, x), [rnd([5, 4], 1), rnd([3, 4], 2), rnd([3], 3)]);
    expectGradcheck((x, w, b) => linear(x, w, b), [rnd([2, 3, 4], 4), rnd([3, 4], 5), rnd([3], 6)]);
    expectGradcheck((x, w) => linear(x, w), [rnd([4], 7), rnd([2, 4], 8)]);
  });

  it("gives P2's shapes: 32×80 → 1024 → 512 → 1, and the transpose when stored features-by-batch", () => {
    const net = new Sequential(new Linear(80, 1024), new ReLU(), new Linear(1024, 512), new ReLU(), new Linear(512, 1));
    const x = randn([32, 80]);
    const shapes: number[][] = [];
    let h = x;
    for (const m of net) shapes.push([...(h = m.call(h)).shape]);
    expect(shapes.filter((_, i) => i % 2 === 0)).toEqual([[32, 1024], [32, 512], [32, 1]]);
    const a = matmul((net.at(0) as Linear).weight, transpose(x));
    expect(a.shape).toEqual([1024, 32]);
  });

  it("names the shapes in its errors", () => {
    expect(() => new Linear(80, 10).call(ones([32, 81]))).toThrow("linear: input [32, 81] has 81 features but the weight [10, 80] expects 80");
    expect(() => new Linear(-1, 2)).toThrow(ValueError);
  });
});

describe("activations", () => {
  const x = rnd([3, 4], 11);
  const cases = [
    ["ReLU", new ReLU(), (v: number) => Math.max(v, 0)],
    ["LeakyReLU", new LeakyReLU(0.2), (v: number) => (v > 0 ? v : 0.2 * v)],
    ["Sigmoid", new Sigmoid(), (v: number) => 1 / (1 + Math.exp(-v))],
    ["Tanh", new Tanh(), Math.tanh],
    ["Identity", new Identity(), (v: number) => v],
  ] as const;
  for (const [name, m, f] of cases)
    it(`${name} matches its formula and passes gradcheck`, () => {
      expectClose(m.call(x).data, Array.from(x.data, f), 1e-12);
      expectGradcheck((t) => m.call(t), [x]);
    });

  it("GELU is x·Φ(x) and passes gradcheck", () => {
    const y = new GELU().call(x);
    expect(y.data[0]).toBeCloseTo(x.data[0] * 0.5 * (1 + erfRef(x.data[0] / Math.SQRT2)), 7);
    expectGradcheck((t) => new GELU().call(t), [x]);
  });

  it("Softmax and LogSoftmax normalize along their axis and pass gradcheck", () => {
    const s = new Softmax(0).call(x);
    for (let j = 0; j < 4; j++) expect(s.data[j] + s.data[4 + j] + s.data[8 + j]).toBeCloseTo(1, 12);
    expectGradcheck((t) => new Softmax(1).call(t), [x]);
    expectGradcheck((t) => new LogSoftmax(0).call(t), [x]);
  });
});

/** Abramowitz–Stegun 7.1.26 (error < 1.5e-7), independent of the library's erf. */
function erfRef(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return Math.sign(z) * y;
}

describe("containers", () => {
  it("Sequential indexes, iterates and chains its modules", () => {
    const a = new Linear(3, 4), r = new ReLU(), b = new Linear(4, 2);
    const s = new Sequential(a, r).append(b);
    expect(s.length).toBe(3);
    expect(s.at(0)).toBe(a);
    expect(s.at(-1)).toBe(b);
    expect([...s]).toEqual([a, r, b]);
    expect(() => s.at(3)).toThrow(/index 3 is out of range for 3 modules/);
    const x = randn([5, 3]);
    expect(Array.from(s.call(x).data)).toEqual(Array.from(b.call(r.call(a.call(x))).data));
    expect(new Sequential().call(x)).toBe(x);
  });

  it("Sequential passes gradcheck with respect to the input and all parameters", () => {
    const s = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2)).to("float64");
    const names = s.namedParameters().map(([n]) => n);
    expect(names).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expectGradcheck(
      (x, ...ps) => functionalCall(s, Object.fromEntries(names.map((n, i) => [n, ps[i]])), x),
      [rnd([5, 3], 1), ...s.parameters().map((p) => p.detach())],
    );
  });

  it("Residual computes x + f(x), with gradients through both paths", () => {
    const res = new Residual(new Sequential(new Linear(3, 3), new Tanh())).to("float64");
    const x = rnd([4, 3], 2);
    const f = res.fn.call(x);
    expectClose(res.call(x).data, Array.from(x.data, (v, i) => v + f.data[i]), 1e-14);
    expectGradcheck((t, w, b) => functionalCall(res, { "fn.0.weight": w, "fn.0.bias": b }, t), [x, rnd([3, 3], 3), rnd([3], 4)]);
  });

  it("Flatten keeps the batch axis by default", () => {
    expect(new Flatten().call(randn([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new Flatten(0, 1).call(randn([2, 3, 4])).shape).toEqual([6, 4]);
    expectGradcheck((t) => new Flatten().call(t).mul(rnd([2, 12], 5)), [rnd([2, 3, 4], 6)]);
  });
});

describe("Dropout", () => {
  it("zeroes a fraction p in training and scales the rest by 1/(1 − p)", () => {
    const d = new Dropout(0.3, { generator: new Generator(5) });
    const y = d.call(ones([100, 100]));
    const zeros = Array.from(y.data).filter((v) => v === 0).length;
    expect(zeros / 1e4).toBeGreaterThan(0.28);
    expect(zeros / 1e4).toBeLessThan(0.32);
    expect(Array.from(y.data).every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
  });

  it("is the identity in eval mode and for p = 0; p = 1 zeroes everything", () => {
    const x = randn([3, 3]);
    expect(new Dropout(0.5).eval().call(x)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(Array.from(dropout(x, 1).data).every((v) => v === 0)).toBe(true);
    expect(() => new Dropout(1.5)).toThrow(ValueError);
  });

  it("passes gradcheck with a fixed mask", () => {
    const g = new Generator(0);
    const d = new Dropout(0.4, { generator: g });
    expectGradcheck((x) => { g.manualSeed(9); return d.call(x); }, [rnd([4, 5], 1)]);
  });
});

describe("errors", () => {
  it("report shapes", () => {
    expect(() => new Flatten(3).call(randn([2, 3]))).toThrow(ShapeError);
  });
});
