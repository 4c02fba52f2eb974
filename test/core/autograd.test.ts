import { describe, expect, it } from "vitest";
import {
  AnomalyError, GraphError, ShapeError, Tensor, detectAnomaly, grad, gradcheck, gradients, matmul, noGrad, randn,
  scalar, tensor, valueAndGrad, Generator,
} from "../../src/index.js";

const f64 = { dtype: "float64" as const };

describe("backward", () => {
  it("accumulates into leaf .grad until zeroGrad", () => {
    const x = tensor([1, 2, 3], { ...f64, requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([5, 7, 9]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it("takes an explicit upstream gradient for a non-scalar output", () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    x.mul(x).backward(tensor([10, 100], f64));
    expect(Array.from(x.grad!.data)).toEqual([20, 400]);
  });

  it("refuses a non-scalar output without a gradient, naming the shape", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/output has shape \[2\]/);
  });

  it("releases the graph after backward unless retainGraph", () => {
    const x = scalar(2, { ...f64, requiresGrad: true });
    const y = x.mul(x).exp();
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * 4 * Math.exp(4), 9);
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrow(/already released.*retainGraph/);
  });

  it("detach and noGrad cut the graph", () => {
    const x = scalar(3, { requiresGrad: true });
    expect(x.detach().mul(2).requiresGrad).toBe(false);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
  });

  it("sums a broadcast gradient back to the input's shape", () => {
    const b = tensor([1, 2, 3], { ...f64, requiresGrad: true });
    const x = tensor([[1, 1, 1], [2, 2, 2]], f64);
    x.mul(b).sum().backward();
    expect(Array.from(b.grad!.data)).toEqual([3, 3, 3]);
  });

  it("keeps the gradient of a non-leaf with retainGrad", () => {
    const x = scalar(2, { ...f64, requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.square().backward();
    expect(h.grad!.item()).toBe(12);
  });

  it("runs a chain of 1,000,000 nodes forward and backward without stack overflow", () => {
    const x = scalar(1, { ...f64, requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 1_000_000; i++) y = y.add(1e-6);
    y.backward();
    expect(y.item()).toBeCloseTo(2, 6);
    expect(x.grad!.item()).toBe(1);
  }, 60_000);
});

describe("functional transforms", () => {
  it("grad(f) and valueAndGrad(f) leave the caller's tensors alone", () => {
    const f = (x: Tensor) => x.mul(x).sum();
    const x = tensor([1, 2, 3], f64);
    expect(Array.from(grad(f)(x).data)).toEqual([2, 4, 6]);
    const [v, g] = valueAndGrad(f)(x);
    expect(v.item()).toBe(14);
    expect(Array.from(g.data)).toEqual([2, 4, 6]);
    expect(x.grad).toBeNull();
  });

  it("grad with several argnums", () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const [ga, gb] = grad(f, { argnums: [0, 1] })(tensor([1, 2], f64), tensor([3, 4], f64));
    expect(Array.from(ga.data)).toEqual([3, 4]);
    expect(Array.from(gb.data)).toEqual([1, 2]);
  });

  it("gradients of gradients (createGraph) for elementwise ops", () => {
    const x = scalar(0.7, { ...f64, requiresGrad: true });
    const [dx] = gradients(x.tanh().mul(x.exp()), [x], { createGraph: true });
    const [ddx] = gradients(dx, [x]);
    const t = Math.tanh(0.7), e = Math.exp(0.7);
    const d2 = (-2 * t * (1 - t * t)) * e + 2 * (1 - t * t) * e + t * e;
    expect(ddx.item()).toBeCloseTo(d2, 10);
  });

  it("second derivatives pass gradcheck: elementwise ops and matmul", () => {
    const g = new Generator(9);
    const fns: [string, (x: Tensor, w: Tensor) => Tensor][] = [
      ["tanh·sigmoid·exp·log", (x, w) => x.tanh().mul(w.sigmoid()).add(x.mul(w).exp()).add(w.abs().add(1).log()).sum()],
      ["div, pow, sqrt", (x, w) => x.div(w.square().add(1)).add(x.square().add(1).sqrt()).add(x.abs().add(0.5).pow(w)).sum()],
      ["matmul + softmax", (x, w) => matmul(x, w).softmax().square().sum()],
    ];
    for (const [, f] of fns) {
      const x = randn([3, 3], { ...f64, generator: g }), w = randn([3, 3], { ...f64, generator: g });
      const firstGrad = (a: Tensor, b: Tensor) => {
        const [ga, gb] = gradients(f(a, b), [a, b], { createGraph: true });
        return ga.mul(ga).sum().add(gb.mul(a).sum());
      };
      const r = gradcheck(firstGrad, [x, w], { atol: 1e-5, rtol: 1e-4 });
      expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    }
  });
});

describe("anomaly mode", () => {
  it("names the op whose forward first produced NaN", () => {
    detectAnomaly(true);
    try {
      const x = tensor([1, -1], { requiresGrad: true });
      expect(() => x.log().sum()).toThrow(AnomalyError);
      expect(() => x.log()).toThrow(/^log: forward produced NaN/);
    } finally {
      detectAnomaly(false);
    }
  });

  it("names the op whose backward first produced Inf", () => {
    detectAnomaly(true);
    try {
      const x = tensor([0, 4], { ...f64, requiresGrad: true });
      const y = x.sqrt().sum();
      expect(() => y.backward()).toThrow(/sqrt: backward produced Infinity/);
    } finally {
      detectAnomaly(false);
    }
  });

  it("is off by default: NaN flows through", () => {
    expect(Number.isNaN(tensor([-1]).log().item())).toBe(true);
  });
});

describe("errors name the op and the shapes", () => {
  it("matmul inner dimensions", () => {
    expect(() => matmul(randn([32, 80]), randn([30, 1024]))).toThrow(ShapeError);
    expect(() => matmul(randn([32, 80]), randn([30, 1024]))).toThrow("matmul: cannot multiply [32, 80] by [30, 1024]: inner dimensions 80 and 30 differ");
  });
  it("broadcasting", () => {
    expect(() => randn([2, 3]).add(randn([4]))).toThrow("add: cannot broadcast [2, 3] with [4]");
  });
  it("reshape", () => {
    expect(() => randn([2, 3]).reshape(4, 2)).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\) into \[4, 2\]/);
  });
  it("int tensors cannot require gradients", () => {
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(/DTypeError|only float32 and float64/);
  });
});

describe("gradients own their data", () => {
  it("two leaves fed by one add get separate .grad arrays", () => {
    const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad!.data).not.toBe(b.grad!.data);
    a.grad!.data[0] = 100;
    expect(b.grad!.data[0]).toBe(1);
  });

  it("a leaf's gradient does not alias the caller's upstream gradient or a reshape of another's", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const up = tensor([5, 6]);
    a.backward(up);
    expect(a.grad!.data).not.toBe(up.data);
    const w = tensor([[1, 2]], { requiresGrad: true }), v = tensor([1, 2], { requiresGrad: true });
    w.reshape(2).add(v).sum().backward();
    expect(w.grad!.data).not.toBe(v.grad!.data);
  });
});
