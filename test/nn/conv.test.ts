import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import { crossEntropy } from "../../src/losses/index.js";
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, functionalCall } from "../../src/nn/index.js";
import { type MaxPool2dOptions, conv2d, maxPool2d } from "../../src/nn/functional.js";
import { mul, sum } from "../../src/ops/functions.js";
import { randint, randn, tensor } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { expectClose, expectGradcheck, rnd } from "./helpers.js";

type P = [number, number];

/** Asserts that fn throws an error of this class whose message contains `part`. */
function expectThrow(fn: () => unknown, type: new (...a: any[]) => Error, part: string): void {
  expect(fn).toThrow(type);
  expect(fn).toThrow(part);
}

/**
 * Direct nested-loop convolution and its gradients for the upstream gradient r, independent of the
 * library; with g groups, output channel oc reads input channels [gi·c/g, (gi+1)·c/g), gi = ⌊oc/(o/g)⌋.
 */
function naiveConv(x: Tensor, w: Tensor, b: Tensor | null, [sh, sw]: P, [ph, pw]: P, [dh, dw]: P, r?: Tensor, groups = 1) {
  const [n, c, h, wd] = x.shape, [o, cg, kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((wd + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(n * o * oh * ow), dx = new Float64Array(x.size), dwt = new Float64Array(w.size), db = new Float64Array(o);
  const X = (i: number, ch: number, y: number, z: number) => ((i * c + ch) * h + y) * wd + z;
  const W = (oc: number, ch: number, a: number, e: number) => ((oc * cg + (ch % cg)) * kh + a) * kw + e;
  for (let i = 0; i < n; i++)
    for (let oc = 0; oc < o; oc++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          const k = ((i * o + oc) * oh + y) * ow + z;
          let s = b ? b.data[oc] : 0;
          const g = r ? r.data[k] : 0;
          db[oc] += g;
          const gi = Math.floor(oc / (o / groups));
          for (let ch = gi * cg; ch < (gi + 1) * cg; ch++)
            for (let a = 0; a < kh; a++)
              for (let e = 0; e < kw; e++) {
                const iy = y * sh + a * dh - ph, iz = z * sw + e * dw - pw;
                if (iy < 0 || iy >= h || iz < 0 || iz >= wd) continue;
                s += x.data[X(i, ch, iy, iz)] * w.data[W(oc, ch, a, e)];
                dx[X(i, ch, iy, iz)] += g * w.data[W(oc, ch, a, e)];
                dwt[W(oc, ch, a, e)] += g * x.data[X(i, ch, iy, iz)];
              }
          out[k] = s;
        }
  return { out, shape: [n, o, oh, ow], dx, dw: dwt, db };
}

/**
 * Direct max pooling (−∞ padding) and its gradient, sent to the first maximum of each window; the
 * output size is PyTorch's floor rule unless given (`out`, e.g. PyTorch's ceil-mode size).
 */
function naivePool(x: Tensor, [kh, kw]: P, [sh, sw]: P, [ph, pw]: P, r?: Tensor, [dh, dw]: P = [1, 1], size?: P) {
  const [n, c, h, wd] = x.shape;
  const [oh, ow] = size ?? [Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, Math.floor((wd + 2 * pw - dw * (kw - 1) - 1) / sw) + 1];
  const out = new Float64Array(n * c * oh * ow), dx = new Float64Array(x.size);
  for (let i = 0; i < n * c; i++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++) {
        let best = -Infinity, at = -1;
        for (let a = 0; a < kh; a++)
          for (let e = 0; e < kw; e++) {
            const iy = y * sh + a * dh - ph, iz = z * sw + e * dw - pw;
            if (iy < 0 || iy >= h || iz < 0 || iz >= wd) continue;
            const v = x.data[(i * h + iy) * wd + iz];
            if (v > best) [best, at] = [v, (i * h + iy) * wd + iz];
          }
        const k = (i * oh + y) * ow + z;
        out[k] = best;
        if (r) dx[at] += r.data[k];
      }
  return { out, shape: [n, c, oh, ow], dx };
}

const convCases: { name: string; x: number[]; w: number[]; stride: P; padding: P; dilation: P; groups?: number }[] = [
  { name: "plain 3×3", x: [2, 3, 6, 5], w: [4, 3, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { name: "stride 2, padding 1", x: [2, 2, 7, 6], w: [3, 2, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
  { name: "rectangular kernel, mixed stride and padding", x: [1, 2, 5, 8], w: [2, 2, 2, 4], stride: [1, 3], padding: [2, 1], dilation: [1, 1] },
  { name: "dilation 2", x: [1, 1, 7, 7], w: [2, 1, 3, 2], stride: [1, 1], padding: [1, 0], dilation: [2, 2] },
  { name: "1×1 kernel", x: [3, 4, 2, 2], w: [5, 4, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
  { name: "2 groups", x: [2, 4, 5, 5], w: [6, 2, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 2 },
  { name: "2 groups, stride 2, padding 1, dilation 2", x: [1, 4, 8, 7], w: [2, 2, 3, 2], stride: [2, 2], padding: [1, 1], dilation: [2, 2], groups: 2 },
  { name: "depthwise (groups = channels), stride 2, padding 1", x: [2, 3, 6, 6], w: [3, 1, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 3 },
  { name: "depthwise with channel multiplier 2, rectangular", x: [1, 2, 5, 6], w: [4, 1, 2, 3], stride: [1, 2], padding: [1, 0], dilation: [2, 1], groups: 2 },
];

describe("conv2d against a nested-loop implementation", () => {
  for (const cs of convCases)
    it(`${cs.name}: values and gradients of x, weight and bias`, () => {
      const x = rnd(cs.x, 1).requiresGrad_(), w = rnd(cs.w, 2).requiresGrad_(), b = rnd([cs.w[0]], 3).requiresGrad_();
      const y = conv2d(x, w, b, { stride: cs.stride, padding: cs.padding, dilation: cs.dilation, groups: cs.groups });
      const r = rnd([...y.shape], 4);
      const ref = naiveConv(x, w, b, cs.stride, cs.padding, cs.dilation, r, cs.groups);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y.data, ref.out, 1e-12);
      sum(mul(y, r)).backward();
      expectClose(x.grad!.data, ref.dx, 1e-12);
      expectClose(w.grad!.data, ref.dw, 1e-12);
      expectClose(b.grad!.data, ref.db, 1e-12);
    });

  it("passes gradcheck through the Conv2d module with respect to input, weight and bias", () => {
    const conv = new Conv2d(2, 3, 3, { stride: 2, padding: 1 }).to("float64");
    expectGradcheck((x, w, b) => functionalCall(conv, { weight: w, bias: b }, x), [rnd([2, 2, 5, 5], 1), rnd([3, 2, 3, 3], 2), rnd([3], 3)]);
  });

  const moduleCases: [string, number, number, { stride?: number; padding?: number; dilation?: number; groups?: number }][] = [
    ["groups 1, stride 2, padding 1", 2, 3, { stride: 2, padding: 1 }],
    ["groups 2, dilation 2, padding 2", 4, 2, { dilation: 2, padding: 2, groups: 2 }],
    ["depthwise, stride 2", 3, 6, { stride: 2, groups: 3 }],
  ];
  for (const [name, cin, cout, o] of moduleCases)
    it(`passes gradcheck in float64 through Conv2d (${name}) with respect to input, weight and bias`, () => {
      const conv = new Conv2d(cin, cout, 3, { ...o, generator: new Generator(5) }).to("float64");
      expect(conv.weight.shape).toEqual([cout, cin / (o.groups ?? 1), 3, 3]);
      expectGradcheck((x, w, b) => functionalCall(conv, { weight: w, bias: b }, x), [rnd([2, cin, 6, 6], 1), rnd([...conv.weight.shape], 2), rnd([cout], 3)]);
    });

  it("accepts an unbatched [C, H, W] input", () => {
    const x = rnd([2, 4, 4], 5), w = rnd([3, 2, 2, 2], 6);
    const y = conv2d(x, w);
    expect(y.shape).toEqual([3, 3, 3]);
    expectClose(y.data, naiveConv(x.unsqueeze(0), w, null, [1, 1], [0, 0], [1, 1]).out, 1e-12);
  });
});

describe("Conv2d", () => {
  it("lays out the weight [out, in, kh, kw] with PyTorch's U(±1/√(in·kh·kw)) init", () => {
    const conv = new Conv2d(4, 8, [3, 5], { generator: new Generator(2) });
    expect(conv.weight.shape).toEqual([8, 4, 3, 5]);
    expect(conv.bias!.shape).toEqual([8]);
    const bound = 1 / Math.sqrt(60);
    const w = Array.from(conv.weight.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w)).toBeGreaterThan(0.9 * bound);
    expect(Math.max(...Array.from(conv.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(new Conv2d(1, 2, 3, { bias: false }).parameters()).toHaveLength(1);
  });

  it("names shapes in its errors", () => {
    const conv = new Conv2d(3, 4, 5);
    expect(() => conv.call(randn([2, 1, 28, 28]))).toThrow("conv2d: input [2, 1, 28, 28] has 1 channels but the weight [4, 3, 5, 5] expects 3");
    expect(() => conv.call(randn([2, 3, 4, 4]))).toThrow(ShapeError);
    expect(() => conv.call(randn([3, 28, 28, 1, 1]))).toThrow(ShapeError);
    expect(() => new Conv2d(1, 1, 0)).toThrow(ValueError);
  });

  it("checks groups: they must divide both channel counts, and the weight must have in/groups channels", () => {
    expectThrow(() => new Conv2d(3, 4, 3, { groups: 2 }), ValueError, "Conv2d: groups 2 must divide inChannels (3) and outChannels (4)");
    expectThrow(() => new Conv2d(4, 3, 3, { groups: 2 }), ValueError, "must divide");
    expectThrow(() => new Conv2d(4, 4, 3, { groups: 0 }), ValueError, "groups must be a positive integer");
    expectThrow(() => conv2d(randn([1, 4, 5, 5]), randn([6, 2, 3, 3]), null, { groups: 3 }), ValueError, "groups 3 must divide the input channels (4)");
    expectThrow(() => conv2d(randn([1, 4, 5, 5]), randn([6, 4, 3, 3]), null, { groups: 2 }), ShapeError, "expects 8 (4 per group × 2 groups)");
    const dw = new Conv2d(8, 8, 3, { groups: 8, padding: 1 });
    expect(dw.weight.shape).toEqual([8, 1, 3, 3]);
    expect(String(dw)).toBe("Conv2d(8, 8, kernelSize=[3, 3], stride=[1, 1], padding=[1, 1], groups=8, bias=true)");
    // PyTorch's fan-in for the init bound is in/groups·kh·kw
    const bound = 1 / Math.sqrt(9);
    expect(Math.max(...Array.from(dw.weight.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(dw.weight.data, Math.abs))).toBeGreaterThan(0.8 * bound);
  });

  it("rejects unknown options with the name and a hint", () => {
    expectThrow(() => new Conv2d(1, 2, 3, { paddin: 1 } as any), ValueError, 'Conv2d: unknown option "paddin" (did you mean "padding"?)');
    expectThrow(() => conv2d(randn([1, 1, 4, 4]), randn([1, 1, 3, 3]), null, { group: 1 } as any), ValueError, 'conv2d: unknown option "group" (did you mean "groups"?)');
    expectThrow(() => new MaxPool2d(2, { ceil_mode: true } as any), ValueError, 'MaxPool2d: unknown option "ceil_mode"');
    expectThrow(() => maxPool2d(randn([1, 1, 4, 4]), 2, { strides: 1 } as any), ValueError, 'maxPool2d: unknown option "strides" (did you mean "stride"?)');
    expectThrow(() => new MaxPool2d(2, 2 as any), ValueError, "MaxPool2d: expected an options object, found number");
  });
});

describe("maxPool2d against a nested-loop implementation", () => {
  const cases: { name: string; x: number[]; k: P; s: P; p: P }[] = [
    { name: "2×2 windows", x: [2, 3, 6, 6], k: [2, 2], s: [2, 2], p: [0, 0] },
    { name: "overlapping 3×3, stride 2, padding 1", x: [1, 2, 7, 5], k: [3, 3], s: [2, 2], p: [1, 1] },
    { name: "rectangular window, odd size", x: [2, 1, 5, 7], k: [2, 3], s: [1, 2], p: [0, 1] },
  ];
  for (const cs of cases)
    it(`${cs.name}: values and gradients`, () => {
      const x = rnd(cs.x, 7).requiresGrad_();
      const y = maxPool2d(x, cs.k, { stride: cs.s, padding: cs.p });
      const r = rnd([...y.shape], 8);
      const ref = naivePool(x, cs.k, cs.s, cs.p, r);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y.data, ref.out, 0);
      sum(mul(y, r)).backward();
      expectClose(x.grad!.data, ref.dx, 1e-14);
    });

  it("passes gradcheck through the MaxPool2d module", () => {
    expectGradcheck((x) => new MaxPool2d(2).call(x), [rnd([2, 2, 4, 4], 9)]);
    expectGradcheck((x) => new MaxPool2d(3, { stride: 2, padding: 1 }).call(x), [rnd([1, 2, 5, 5], 10)]);
    expectGradcheck((x) => new MaxPool2d(2, { stride: 2, padding: 1, ceilMode: true }).call(x), [rnd([1, 2, 5, 5], 11)]);
    expectGradcheck((x) => new MaxPool2d([3, 2], { stride: [2, 3], dilation: [1, 2], ceilMode: true }).call(x), [rnd([2, 1, 6, 7], 12)]);
  });

  // shapes from PyTorch 1.13 (F.max_pool2d, ceil_mode=True), next to the floor-mode ones
  const ceilCases: { name: string; x: number[]; k: P; s: P; p: P; d: P; ceil: P; floor: P }[] = [
    { name: "2×2 stride 2 on 5×5", x: [1, 2, 5, 5], k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: [3, 3], floor: [2, 2] },
    { name: "3×3 stride 2 on 6×6", x: [2, 1, 6, 6], k: [3, 3], s: [2, 2], p: [0, 0], d: [1, 1], ceil: [3, 3], floor: [2, 2] },
    { name: "padding 1: the last window may not start in the right padding", x: [1, 1, 5, 5], k: [2, 2], s: [2, 2], p: [1, 1], d: [1, 1], ceil: [3, 3], floor: [3, 3] },
    { name: "dilation 2 on 7×6", x: [1, 2, 7, 6], k: [2, 2], s: [2, 2], p: [0, 0], d: [2, 2], ceil: [3, 3], floor: [3, 2] },
    { name: "rectangular, mixed stride and padding", x: [2, 2, 7, 5], k: [3, 2], s: [2, 3], p: [1, 1], d: [1, 1], ceil: [4, 2], floor: [4, 2] },
  ];
  for (const cs of ceilCases)
    it(`ceilMode follows PyTorch's output size: ${cs.name}; values and gradients`, () => {
      expect(maxPool2d(rnd(cs.x, 1), cs.k, { stride: cs.s, padding: cs.p, dilation: cs.d }).shape.slice(2)).toEqual(cs.floor);
      const x = rnd(cs.x, 13).requiresGrad_();
      const y = new MaxPool2d(cs.k, { stride: cs.s, padding: cs.p, dilation: cs.d, ceilMode: true }).call(x);
      expect(y.shape).toEqual([...cs.x.slice(0, 2), ...cs.ceil]);
      const r = rnd([...y.shape], 14);
      const ref = naivePool(x, cs.k, cs.s, cs.p, r, cs.d, cs.ceil);
      expectClose(y.data, ref.out, 0);
      sum(mul(y, r)).backward();
      expectClose(x.grad!.data, ref.dx, 1e-14);
    });

  it("gives a tied maximum's gradient to the first maximum in row-major order, as PyTorch (values from PyTorch 1.13)", () => {
    const grad = (data: number[][], k: number, o: MaxPool2dOptions) => {
      const x = tensor(data, { dtype: "float64" }).reshape([1, 1, data.length, data[0].length]).requiresGrad_();
      const y = maxPool2d(x, k, o);
      y.sum().backward();
      return { y: Array.from(y.data), g: Array.from(x.grad!.data) };
    };
    const a = grad([[1, 3, 3, 0], [3, 2, 3, 1], [0, 3, 3, 3], [1, 1, 3, 0]], 2, { stride: 1 });
    expect(a.y).toEqual(new Array(9).fill(3));
    expect(a.g).toEqual([0, 2, 1, 0, 1, 0, 2, 0, 0, 2, 1, 0, 0, 0, 0, 0]);
    expect(grad([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]], 3, { stride: 2, padding: 1 }).g).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const ones5 = Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]);
    expect(grad(ones5, 2, { ceilMode: true }).g).toEqual([1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
    const n = grad([[1, NaN, 2], [NaN, 0, 5], [1, 1, 1]], 2, { stride: 1 });
    expect(n.y).toEqual([NaN, NaN, NaN, 5]);
    expect(n.g).toEqual([0, 1, 0, 2, 0, 1, 0, 0, 0]);
  });

  it("sends a tie's gradient to one element in a trained CNN too (no split between equal ReLU zeros)", () => {
    const x = tensor([[0, 0], [0, 0]], { dtype: "float64" }).reshape([1, 1, 2, 2]).requiresGrad_();
    new Sequential(new ReLU(), new MaxPool2d(2)).call(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0]);
    const z = tensor([[2, 2], [2, 2]], { dtype: "float64" }).reshape([1, 1, 2, 2]).requiresGrad_();
    new Sequential(new ReLU(), new MaxPool2d(2)).call(z).sum().backward();
    expect(Array.from(z.grad!.data)).toEqual([1, 0, 0, 0]);
  });

  it("rejects padding over half the kernel", () => {
    expect(() => maxPool2d(randn([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(ValueError);
    expect(String(new MaxPool2d(2))).toBe("MaxPool2d(kernelSize=[2, 2], stride=[2, 2], padding=[0, 0])");
    expect(String(new MaxPool2d(3, { stride: 2, ceilMode: true }))).toBe("MaxPool2d(kernelSize=[3, 3], stride=[2, 2], padding=[0, 0], ceilMode=true)");
  });
});

describe("a small CNN", () => {
  it("trains on a batch: conv-pool-conv-pool-linear with crossEntropy", () => {
    const g = new Generator(0);
    const net = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2),
      new Conv2d(4, 8, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(8 * 7 * 7, 10, { generator: g }),
    );
    const x = randn([8, 1, 28, 28], { generator: g });
    const y = randint(0, 10, [8], { generator: g });
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      net.zeroGrad();
      const loss = crossEntropy(net.call(x), y);
      losses.push(loss.item());
      loss.backward();
      for (const p of net.parameters()) p.data.set(Array.from(p.data, (v, i) => v - 0.1 * p.grad!.data[i]));
    }
    expect(losses[3]).toBeLessThan(losses[0]);
  });
});
