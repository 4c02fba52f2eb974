import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DTypeError, Generator, ShapeError, ValueError, arange, concat, eye, full, linspace, manualSeed, ones, rand, randint, randn, scalar,
  stack, tensor, zeros, zerosLike,
} from "../../src/index.js";
import { broadcastShapes } from "../../src/tensor/shape.js";

describe("creation and reading", () => {
  it("nested arrays, typed arrays, dtypes, shape, size", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe("float32");
    expect(x.size).toBe(6);
    expect(x.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(x.data).toBeInstanceOf(Float32Array);
    const y = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(y.dtype).toBe("float64");
    expect(tensor([1, 2], { dtype: "int32" }).data).toBeInstanceOf(Int32Array);
    expect(scalar(2.5).item()).toBe(2.5);
    expect(scalar(2.5).shape).toEqual([]);
  });

  it("rejects ragged arrays, bad shapes and unknown dtypes with clear errors", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array at index \[1\]: expected 2 elements, found 1/);
    expect(() => tensor(new Float32Array(5), { shape: [2, 3] })).toThrow(/5 values cannot have shape \[2, 3\]/);
    expect(() => zeros([2], { dtype: "float16" as never })).toThrow(DTypeError);
    expect(() => scalar(1).item() && tensor([1, 2]).item()).toThrow(/one element/);
  });

  it("zeros ones full arange linspace eye", () => {
    expect(zeros([2]).toArray()).toEqual([0, 0]);
    expect(ones([1, 2]).toArray()).toEqual([[1, 1]]);
    expect(full([2], 7, { dtype: "int32" }).toArray()).toEqual([7, 7]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(4).dtype).toBe("int32");
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it("takes a shape as an array or as sizes, as PyTorch's torch.zeros(2, 3)", () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(zeros(2, 3, { dtype: "float64" }).dtype).toBe("float64");
    expect(ones(2).toArray()).toEqual([1, 1]);
    expect(rand(2, 3, { generator: new Generator(1) }).toArray()).toEqual(rand([2, 3], { generator: new Generator(1) }).toArray());
    expect(randn(4).shape).toEqual([4]);
    expect(() => zeros([2, 3], 4 as never)).toThrow("zeros: after the shape, expected at most an options object, found a number (4)");
    expect(() => (zeros as (...a: unknown[]) => unknown)([2], {}, {})).toThrow(ValueError);
    expect(() => zeros(2, "float64" as never)).toThrow("zeros: after the shape, expected at most an options object, found a string");
    expect(() => zeros(undefined as never)).toThrow("zeros: expected a shape such as [2, 3] (or the sizes, zeros(2, 3)), found undefined");
    expect(() => zeros(2.5)).toThrow(ShapeError);
    expect(() => (zeros as () => unknown)()).toThrow(ShapeError);
  });

  it("arange, eye and randint take PyTorch's forms, options last", () => {
    expect(arange(3, { dtype: "float64" }).dtype).toBe("float64");
    expect(arange(1, 4, { dtype: "float32" }).toArray()).toEqual([1, 2, 3]);
    expect(arange(0, 1, 0.5, { dtype: "float64" }).toArray()).toEqual([0, 0.5]);
    expect(() => arange(0, 5, null as never)).toThrow("arange: step must be a number, found null");
    expect(() => arange(0, Infinity)).toThrow("arange: start, end and step must be finite");
    expect(() => arange({} as never, 3 as never)).toThrow("arange: the options object must be the last argument");
    expect(eye(2, { dtype: "float64" }).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(() => eye(2, "3" as never)).toThrow(ShapeError);
    const r = randint(3, [50], { generator: new Generator(0) });
    expect(r.shape).toEqual([50]);
    expect(Math.max(...r.data)).toBe(2);
    expect(() => randint(0, 1.5, [2])).toThrow("randint: high must be an integer, found a number (1.5)");
    expect(() => randint(3, 3, [0])).toThrow("randint: expected low < high, found low=3, high=3");
  });

  it("checks every option: unknown keys, wrong kinds, bad values", () => {
    expect(() => tensor([1], { dtpye: "float64" } as never)).toThrow('tensor: unknown option "dtpye" (did you mean "dtype"?)');
    expect(() => zeros([2], { requiresGrad: "yes" } as never)).toThrow("zeros: requiresGrad must be true or false, found a string");
    expect(() => randn([2], { generator: 3 } as never)).toThrow("randn: generator must be a Generator, found a number (3)");
    expect(() => full([2], "7" as never)).toThrow('full: the fill value must be a number, found a string ("7")');
    expect(() => scalar(undefined as never)).toThrow("scalar: the value must be a number, found undefined");
    expect(() => tensor("abc" as never)).toThrow('tensor: expected a number, a nested array of numbers or a typed array, found a string ("abc")');
    expect(() => tensor(null as never)).toThrow(ValueError);
    expect(() => tensor([1, 2], { shape: 2 } as never)).toThrow("tensor: expected a shape of non-negative integers, found 2");
    expect(() => zerosLike([1, 2] as never)).toThrow("zerosLike: expected a Tensor, found an array");
    expect(() => zeros([2 ** 31])).toThrow(ValueError);
  });

  it("refuses extra positional arguments instead of ignoring them", () => {
    const loose = (f: unknown) => f as (...a: unknown[]) => unknown;
    expect(() => loose(full)([2], 7, {}, "float64")).toThrow("full: expected at most 3 arguments, full(shape, value, options), found 4");
    expect(() => loose(linspace)(0, 1, 5, {}, 3)).toThrow(ValueError);
    expect(() => loose(tensor)([1, 2], {}, [2])).toThrow("tensor: expected at most 2 arguments, tensor(values, options), found 3");
    expect(() => loose(arange)(0, 10, 2, 1)).toThrow("arange: expected (end), (start, end) or (start, end, step), found 4 numbers");
    expect(() => loose(randint)(0, 5, [2], {}, 1)).toThrow("randint: expected (low, high, shape, options?), found 5 arguments");
  });

  it("the generator refuses bad seeds, sizes and states", () => {
    expect(() => new Generator("1" as never)).toThrow("manualSeed: expected a finite number");
    expect(() => new Generator(0).permutation(-1)).toThrow("permutation: expected a non-negative integer, found -1");
    expect(() => new Generator(0).setState([1, 2, 3] as never)).toThrow("Generator.setState: expected 4 integer words, found [1,2,3]");
    expect(() => new Generator(0).setState(null as never)).toThrow(ValueError);
    const g = new Generator(5);
    expect(new Generator(0).setState(g.getState()).nextUint32()).toBe(g.nextUint32());
  });

  it("random draws repeat under the same seed, from the default or an explicit generator", () => {
    manualSeed(7);
    const a = randn([5]).toArray();
    manualSeed(7);
    expect(randn([5]).toArray()).toEqual(a);
    const g1 = new Generator(3), g2 = new Generator(3);
    expect(rand([4], { generator: g1 }).toArray()).toEqual(rand([4], { generator: g2 }).toArray());
    const r = randint(0, 10, [1000], { generator: new Generator(1) });
    expect(Math.min(...r.data)).toBe(0);
    expect(Math.max(...r.data)).toBe(9);
    const n = randn([20000], { generator: new Generator(2), dtype: "float64" });
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(n.square().mean().item() - 1)).toBeLessThan(0.05);
  });

  it("prints like PyTorch", () => {
    expect(String(tensor([[1, 2], [3, 4]]))).toBe("tensor([[1., 2.],\n        [3., 4.]])");
    expect(String(tensor([0.5, -1.25], { dtype: "float64", requiresGrad: true }))).toBe("tensor([ 0.5000, -1.2500], dtype=float64, requiresGrad=true)");
    expect(String(tensor([1, 2], { dtype: "int32" }))).toBe("tensor([1, 2], dtype=int32)");
    expect(String(scalar(3, { requiresGrad: true }).mul(2))).toBe("tensor(6., gradFn=mul)");
    expect(String(zeros([2000]))).toContain("...");
  });
});

describe("ops' values", () => {
  it("reductions, argmax, softmax", () => {
    const x = tensor([[1, 5, 3], [4, 2, 6]]);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(x.max(1).toArray()).toEqual([5, 6]);
    expect(x.min().item()).toBe(1);
    expect(x.argmax(1).toArray()).toEqual([1, 2]);
    expect(x.argmin().item()).toBe(0);
    expect(x.mean().item()).toBeCloseTo(3.5);
    const s = x.softmax(1);
    expect(s.sum(1).toArray().map((v: number) => Math.round(v * 1e6) / 1e6)).toEqual([1, 1]);
  });

  it("shape ops", () => {
    const x = arange(6).reshape(2, 3);
    expect(x.T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.slice(1, 1).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(x.select(0, -1).toArray()).toEqual([3, 4, 5]);
    expect(concat([x, x], 0).shape).toEqual([4, 3]);
    expect(stack([x, x], 2).shape).toEqual([2, 3, 2]);
    expect(x.unsqueeze(1).expand(2, 4, 3).sum(1).toArray()).toEqual([[0, 4, 8], [12, 16, 20]]);
    expect(x.gather(1, tensor([[2, 0], [1, 1]], { dtype: "int32" })).toArray()).toEqual([[2, 0], [4, 4]]);
    expect(x.indexSelect(1, [2, 0]).toArray()).toEqual([[2, 0], [5, 3]]);
  });

  it("clamp, where, maximum and friends", () => {
    const x = tensor([-2, -0.5, 0.5, 2]);
    expect(x.clamp(-1, 1).toArray()).toEqual([-1, -0.5, 0.5, 1]);
    expect(x.relu().toArray()).toEqual([0, 0, 0.5, 2]);
    expect(x.abs().toArray()).toEqual([2, 0.5, 0.5, 2]);
    expect(x.maximum(0).toArray()).toEqual([0, 0, 0.5, 2]);
    expect(x.gt(0).toArray()).toEqual([0, 0, 1, 1]);
    expect(x.gelu().data[3]).toBeCloseTo(1.9545, 4);
    expect(tensor([0, 100], { dtype: "float64" }).softplus().toArray()).toEqual([Math.log(2), 100]);
  });
});

describe("properties", () => {
  const dim = fc.integer({ min: 1, max: 4 });
  const shape = fc.array(dim, { minLength: 0, maxLength: 4 });

  it("broadcasting agrees with an elementwise definition", () => {
    fc.assert(
      fc.property(shape, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), (s, ones_, drop) => {
        const t = s.slice(Math.min(drop, s.length)).map((d, i) => (ones_[i] ? 1 : d));
        const a = randn(s, { generator: new Generator(1) }), b = randn(t, { generator: new Generator(2) });
        const c = a.add(b);
        expect(c.shape).toEqual(broadcastShapes(s, t, "test"));
        const out = c.shape;
        const idx = out.map(() => 0);
        const at = (x: typeof a, i: number[]) => {
          const lead = i.length - x.ndim;
          let off = 0;
          for (let k = 0; k < x.ndim; k++) off = off * x.shape[k] + (x.shape[k] === 1 ? 0 : i[k + lead]);
          return x.data[off];
        };
        for (let flat = 0; flat < c.size; flat++) {
          let r = flat;
          for (let k = out.length - 1; k >= 0; k--) { idx[k] = r % out[k]; r = Math.floor(r / out[k]); }
          expect(c.data[flat]).toBeCloseTo(at(a, idx) + at(b, idx), 5);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("broadcasting is symmetric and fails with a ShapeError on conflicts", () => {
    fc.assert(
      fc.property(shape, shape, (s, t) => {
        let st: number[] | null = null, ts: number[] | null = null;
        try { st = broadcastShapes(s, t, "x"); } catch (e) { expect(e).toBeInstanceOf(ShapeError); }
        try { ts = broadcastShapes(t, s, "x"); } catch (e) { expect(e).toBeInstanceOf(ShapeError); }
        expect(st).toEqual(ts);
      }),
    );
  });

  it("permute then its inverse, reshape round trips, and transpose twice are identities", () => {
    fc.assert(
      fc.property(fc.array(dim, { minLength: 1, maxLength: 4 }), fc.integer(), (s, seed) => {
        const x = randn(s, { generator: new Generator(seed) });
        const perm = new Generator(seed).permutation(s.length);
        const inv = new Array<number>(s.length);
        perm.forEach((p, i) => (inv[p] = i));
        expect(x.permute([...perm]).permute(inv).toArray()).toEqual(x.toArray());
        expect(x.flatten().reshape(s).toArray()).toEqual(x.toArray());
        if (s.length >= 2) expect(x.transpose().transpose().toArray()).toEqual(x.toArray());
        expect(x.sum().item()).toBeCloseTo(x.permute([...perm]).sum().item(), 3);
      }),
    );
  });
});
