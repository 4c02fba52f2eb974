import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { moons, spiral } from "../../src/data/synthetic.js";

const counts = (y: Int32Array, k: number) => {
  const c = new Array(k).fill(0);
  for (const v of y) c[v]++;
  return c;
};

describe("spiral", () => {
  it("has the classic shape and balanced labels", () => {
    const d = spiral();
    expect(d.n).toBe(300);
    expect(d.sampleShape).toEqual([2]);
    expect(d.classes).toBe(3);
    expect(d.x.length).toBe(600);
    expect(counts(d.y, 3)).toEqual([100, 100, 100]);
    const e = spiral({ n: 50, classes: 5 });
    expect(e.n).toBe(250);
    expect(counts(e.y, 5)).toEqual([50, 50, 50, 50, 50]);
  });

  it("puts point i of each arm at radius i / (n - 1)", () => {
    const d = spiral({ n: 11, classes: 2, noise: 0.5 });
    for (let k = 0; k < d.n; k++) {
      const r = Math.hypot(d.x[2 * k], d.x[2 * k + 1]);
      expect(r).toBeCloseTo((k % 11) / 10, 6);
    }
    const clean = spiral({ n: 3, classes: 1, noise: 0 });
    expect(Array.from(clean.x)).toEqual([0, 0, 0.5 * Math.sin(2), 0.5 * Math.cos(2), Math.sin(4), Math.cos(4)].map(Math.fround));
  });

  it("is deterministic per seed", () => {
    expect(spiral({ seed: 7 })).toEqual(spiral({ seed: 7 }));
    expect(Array.from(spiral({ seed: 7 }).x)).not.toEqual(Array.from(spiral({ seed: 8 }).x));
  });

  it("validates its options", () => {
    expect(() => spiral({ n: 0 })).toThrow(ValueError);
    expect(() => spiral({ classes: 2.5 })).toThrow("spiral: expected classes to be an integer >= 1, found 2.5");
    expect(() => spiral({ noise: -1 })).toThrow("spiral: expected noise to be a number >= 0, found -1");
  });
});

describe("moons", () => {
  it("has two balanced half circles", () => {
    const d = moons();
    expect(d.n).toBe(200);
    expect(d.sampleShape).toEqual([2]);
    expect(d.classes).toBe(2);
    expect(counts(d.y, 2)).toEqual([100, 100]);
    expect(counts(moons({ n: 7 }).y, 2)).toEqual([3, 4]);
  });

  it("matches make_moons without noise", () => {
    const d = moons({ n: 6, noise: 0 });
    const at = (k: number) => [d.x[2 * k], d.x[2 * k + 1]];
    expect(at(0)).toEqual([1, 0]);
    expect(at(1)[0]).toBeCloseTo(0, 6);
    expect(at(1)[1]).toBeCloseTo(1, 6);
    expect(at(2)[0]).toBeCloseTo(-1, 6);
    expect(at(3)).toEqual([0, 0.5]);
    expect(at(4)[0]).toBeCloseTo(1, 6);
    expect(at(4)[1]).toBeCloseTo(-0.5, 6);
    expect(at(5)[0]).toBeCloseTo(2, 6);
    expect(Array.from(d.y)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it("adds noise of the requested scale", () => {
    const clean = moons({ n: 2000, noise: 0 });
    const noisy = moons({ n: 2000, noise: 0.1, seed: 3 });
    let ss = 0;
    for (let i = 0; i < clean.x.length; i++) ss += (noisy.x[i] - clean.x[i]) ** 2;
    expect(Math.sqrt(ss / clean.x.length)).toBeCloseTo(0.1, 1);
  });

  it("is deterministic per seed", () => {
    expect(moons({ seed: 1 })).toEqual(moons({ seed: 1 }));
    expect(Array.from(moons({ seed: 1 }).x)).not.toEqual(Array.from(moons({ seed: 2 }).x));
    expect(() => moons({ n: 1 })).toThrow("moons: expected n to be an integer >= 2, found 1");
  });
});

describe("a number as the first argument", () => {
  it("is n, as in scikit-learn's make_moons(n_samples)", () => {
    expect(moons(400).n).toBe(400);
    expect(moons(400)).toEqual(moons({ n: 400 }));
    expect(spiral(40).n).toBe(120);
    expect(spiral(40)).toEqual(spiral({ n: 40 }));
    expect(() => moons(1.5)).toThrow("moons: expected n to be an integer >= 2, found 1.5");
  });

  it("anything else must be an options object with known keys", () => {
    expect(() => moons({ n: 10, nSamples: 10 } as never)).toThrow('moons: unknown option "nSamples"');
    expect(() => spiral({ arms: 3 } as never)).toThrow('spiral: unknown option "arms"; expected one of n, classes, noise, seed');
    expect(() => moons("400" as never)).toThrow("moons: expected an options object, found string");
    expect(() => spiral(null as never)).toThrow(ValueError);
    expect(() => moons({ n: "400" } as never)).toThrow('moons: expected n to be an integer >= 2, found "400"');
    expect(() => moons({ seed: "x" } as never)).toThrow(ValueError);
    expect(() => (moons as (...a: unknown[]) => unknown)(400, 0.1)).toThrow("moons: takes one argument, n or { n, noise, seed }, found 2 arguments");
  });
});
