// The train tab's data, in Node: web/public/digits.bin holds the CLI's digits split (so the page's
// test accuracy and `chainrule eval`'s are of the same 1,996 digits), and a drawing becomes a 28×28
// digit as MNIST's were made (20×20 box, centre of mass at the centre), checked against values
// worked out by hand.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDigits } from "../../src/node/index.js";
import { decodeDigits, mnistify, normalised } from "../../web/src/train/digits.js";

const BIN = "web/public/digits.bin";

describe("the train tab's digits", () => {
  it.skipIf(!existsSync(BIN))("digits.bin decodes to the CLI's split: 8,004 train, 1,996 test, the same pixels and labels", () => {
    const buf = readFileSync(BIN);
    const d = decodeDigits(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    expect([d.nTrain, d.nTest]).toEqual([8004, 1996]);
    const test = loadDigits("test"), train = loadDigits("train");
    expect(Array.from(d.labels.subarray(d.nTrain))).toEqual(Array.from(test.y));
    expect(Array.from(d.labels.subarray(0, d.nTrain))).toEqual(Array.from(train.y));
    // Pixels are stored as round(255·v): within half a step of the package's values.
    for (const [x, from] of [[test.x, d.nTrain], [train.x, 0]] as const) {
      const mine = normalised(d, from, from + (from === 0 ? d.nTrain : d.nTest));
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - x[i]!));
      expect(worst).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
    }
  });

  it("refuses a file that is not digits.bin, naming what it found", () => {
    expect(() => decodeDigits(new Uint8Array([80, 75, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]).buffer)).toThrow(/expected the header "CRDG", found "PK/);
    const short = new Uint8Array(12 + 10);
    short.set([67, 82, 68, 71, 1]);
    expect(() => decodeDigits(short.buffer)).toThrow("1 train + 0 test digits need 797 bytes, found 22");
  });

  it("scales a drawn bar to 20 px on its long side and centres it: a 100×60 block at (30, 170) of 280×280", () => {
    const w = 280, ink = new Float32Array(w * w);
    for (let y = 170; y < 230; y++) for (let x = 30; x < 130; x++) ink[y * w + x] = 1;
    const out = mnistify(ink, w, w);
    // 100×60 × (20/100) = 20×12, its centre of mass (10, 6) moved to (14, 14): columns 4..23, rows 8..19, all full.
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(out[y * 28 + x], `(${x}, ${y})`).toBe(x >= 4 && x <= 23 && y >= 8 && y <= 19 ? 1 : 0);
  });

  it("centres by mass, not by the box: an Γ of a 4-px column and a 1-px top bar", () => {
    // At scale 1 (a 20×20 box): column x 0..3, y 0..19 (mass 80, centre (2, 10)); bar x 4..19, y 0 (mass 16, centre (12, 0.5)).
    // Centre of mass (352/96, 808/96) = (3.667, 8.417); shift round(14 − ·) = (10, 6).
    const w = 40, ink = new Float32Array(w * w);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 4; x++) ink[(y + 5) * w + x + 7] = 1;
    for (let x = 4; x < 20; x++) ink[5 * w + x + 7] = 1;
    const out = mnistify(ink, w, w);
    const on: string[] = [];
    for (let i = 0; i < 784; i++) if (out[i]) on.push(`${i % 28},${Math.floor(i / 28)}`);
    const want: string[] = [];
    for (let i = 0; i < 784; i++) {
      const x = i % 28, y = Math.floor(i / 28);
      if ((x >= 10 && x <= 13 && y >= 6 && y <= 25) || (y === 6 && x >= 14 && x <= 29)) want.push(`${x},${y}`);
    }
    expect(on).toEqual(want);
  });

  it("averages the ink over each output pixel when it shrinks: columns of 1 and 0.5 at half size are 0.75", () => {
    const w = 40, ink = new Float32Array(w * w);
    for (let i = 0; i < ink.length; i++) ink[i] = i % 2 === 0 ? 1 : 0.5;
    const out = mnistify(ink, w, w);
    // 40×40 → 20×20, each cell the mean of a 2×2 block (1, 0.5, 1, 0.5); uniform, so centred at offset (4, 4).
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(out[y * 28 + x], `(${x}, ${y})`).toBeCloseTo(x >= 4 && x <= 23 && y >= 4 && y <= 23 ? 0.75 : 0, 6);
  });

  it("keeps a 1-px line visible: 280×1 becomes a 20×1 line of full ink at the centre row", () => {
    const w = 280, ink = new Float32Array(w * w);
    for (let x = 0; x < w; x++) ink[100 * w + x] = 1;
    const out = mnistify(ink, w, w);
    // One row (not round(20/280) = 0 rows); its centre of mass (10, 0.5) moves by round(14 − ·) = (4, 14).
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(out[y * 28 + x]).toBe(y === 14 && x >= 4 && x <= 23 ? 1 : 0);
  });

  it("gives 784 zeros for an empty pad and refuses a size that does not match", () => {
    expect(Array.from(mnistify(new Float32Array(100), 10, 10))).toEqual(Array(784).fill(0));
    expect(() => mnistify(new Float32Array(99), 10, 10)).toThrow("expected 10×10 = 100 values, found 99");
  });
});
