import { describe, expect, it } from "vitest";
import { loadDigits } from "../../src/node/digits.js";

const counts = (y: Int32Array) => {
  const c = new Array(10).fill(0);
  for (const v of y) c[v]++;
  return c;
};

/** Index of the first difference, or -1; fast where `toEqual` on a million floats is not. */
const firstDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
};

describe("loadDigits", () => {
  const train = loadDigits("train");
  const test = loadDigits("test");
  const all = loadDigits("all");

  it("has the fixed split sizes", () => {
    expect(train.n).toBe(8004);
    expect(test.n).toBe(1996);
    expect(all.n).toBe(10000);
    for (const d of [train, test, all]) {
      expect(d.x.length).toBe(d.n * 784);
      expect(d.y.length).toBe(d.n);
      expect(d.sampleShape).toEqual([784]);
      expect(d.classes).toBe(10);
    }
  });

  it("splits each digit's samples by index % 5", () => {
    const a = counts(all.y), tr = counts(train.y), te = counts(test.y);
    expect(a).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    a.forEach((c, d) => {
      expect(tr[d] + te[d]).toBe(c);
      expect(te[d]).toBe(Math.floor(c / 5));
    });
    // labels are sorted digit after digit
    for (const d of [train, test, all]) expect(d.y.every((v, i) => i === 0 || v >= d.y[i - 1])).toBe(true);
  });

  it("keeps values in [0, 1] and not all zero", () => {
    let min = Infinity, max = -Infinity;
    for (const v of all.x) (min = Math.min(min, v)), (max = Math.max(max, v));
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it("is deterministic and matches the 'all' ordering", () => {
    const again = loadDigits("test");
    expect(firstDiff(again.x, test.x)).toBe(-1);
    expect(firstDiff(again.y, test.y)).toBe(-1);
    expect(again.x === test.x).toBe(false); // fresh arrays (`not.toBe` would deep-compare 1.5M floats)
    // test sample 0 is digit 0's sample 4, which is 'all' sample 4; train sample 4 is all sample 5
    expect(firstDiff(test.x.subarray(0, 784), all.x.subarray(4 * 784, 5 * 784))).toBe(-1);
    expect(firstDiff(train.x.subarray(4 * 784, 5 * 784), all.x.subarray(5 * 784, 6 * 784))).toBe(-1);
    expect(firstDiff(train.x.subarray(0, 784), train.x.subarray(784, 2 * 784))).not.toBe(-1);
  });

  it("rejects an unknown split", () => {
    expect(() => loadDigits("val" as "train")).toThrow(/expected split "train", "test" or "all", found "val"/);
  });
});
