import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError } from "../../src/errors.js";
import { parseIdx } from "../../src/data/idx.js";
import { loadIdxDataset } from "../../src/node/idx-files.js";

const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

function encodeIdx(type: number, shape: number[], values: ArrayLike<number>): Uint8Array {
  const size = SIZES[type];
  const out = new Uint8Array(4 + 4 * shape.length + values.length * size);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => v.setInt32(4 + 4 * i, d));
  const at = 4 + 4 * shape.length;
  for (let i = 0; i < values.length; i++) {
    const o = at + i * size, x = values[i];
    if (type === 0x08) v.setUint8(o, x);
    else if (type === 0x09) v.setInt8(o, x);
    else if (type === 0x0b) v.setInt16(o, x);
    else if (type === 0x0c) v.setInt32(o, x);
    else if (type === 0x0d) v.setFloat32(o, x);
    else v.setFloat64(o, x);
  }
  return out;
}

describe("parseIdx", () => {
  it("round-trips every type", () => {
    const cases: [number, number[], ArrayConstructor | Function][] = [
      [0x08, [0, 1, 255, 7, 8, 9], Uint8Array],
      [0x09, [-128, -1, 0, 1, 127, 5], Int8Array],
      [0x0b, [-32768, -2, 0, 3, 32767, 300], Int16Array],
      [0x0c, [-(2 ** 31), -5, 0, 6, 2 ** 31 - 1, 70000], Int32Array],
      [0x0d, [-1.5, 0, 0.25, 3, 1e10, -7], Float32Array],
      [0x0e, [Math.PI, -0.1, 0, 1e300, 2, 3], Float64Array],
    ];
    for (const [type, values, ctor] of cases) {
      const { shape, data } = parseIdx(encodeIdx(type, [2, 3], values));
      expect(shape).toEqual([2, 3]);
      expect(data).toBeInstanceOf(ctor);
      expect(Array.from(data)).toEqual(values);
    }
  });

  it("handles zero dimensions and a byte offset", () => {
    expect(parseIdx(encodeIdx(0x0c, [], [42]))).toEqual({ shape: [], data: new Int32Array([42]) });
    const padded = new Uint8Array(100);
    const enc = encodeIdx(0x0b, [2], [-3, 4]);
    padded.set(enc, 3);
    expect(Array.from(parseIdx(padded.subarray(3, 3 + enc.length)).data)).toEqual([-3, 4]);
  });

  it("rejects malformed input with clear messages", () => {
    const good = encodeIdx(0x08, [2, 2], [1, 2, 3, 4]);
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow(FormatError);
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow("expected a 4-byte header, found 2 bytes");
    const badMagic = good.slice();
    badMagic[1] = 0x12;
    expect(() => parseIdx(badMagic)).toThrow("expected the magic number to start with two zero bytes, found 0x00 0x12");
    const badType = good.slice();
    badType[2] = 0x0a;
    expect(() => parseIdx(badType)).toThrow("found 0x0a");
    expect(() => parseIdx(good.subarray(0, 8))).toThrow("expected 12 header bytes for 2 dimensions, found 8");
    expect(() => parseIdx(good.subarray(0, 14))).toThrow("expected 4 bytes of data for shape [2, 2] of ubyte, found 2");
    expect(() => parseIdx(encodeIdx(0x0c, [1, 3], [1, 2, 3]).subarray(0, 22))).toThrow(
      "expected 12 bytes of data for shape [1, 3] of int, found 10",
    );
    const neg = encodeIdx(0x08, [1], [1]);
    new DataView(neg.buffer).setInt32(4, -1);
    expect(() => parseIdx(neg)).toThrow("expected a non-negative size for dimension 0, found -1");
  });
});

describe("loadIdxDataset", () => {
  const root = mkdtempSync(join(tmpdir(), "chainrule-idx-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => (i * 23) % 256);
  const labels = [3, 0, 7];

  function makeDir(name: string, files: Record<string, Uint8Array>): string {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const [f, bytes] of Object.entries(files)) writeFileSync(join(dir, f), bytes);
    return dir;
  }

  function check(dir: string, split: "train" | "test") {
    const d = loadIdxDataset(dir, split);
    expect(d.n).toBe(3);
    expect(d.sampleShape).toEqual([4]);
    expect(d.classes).toBe(8);
    expect(Array.from(d.y)).toEqual(labels);
    expect(Array.from(d.x)).toEqual(pixels.map((p) => Math.fround(p / 255)));
  }

  it("reads plain files", () => {
    const dir = makeDir("plain", {
      "train-images-idx3-ubyte": encodeIdx(0x08, [3, 2, 2], pixels),
      "train-labels-idx1-ubyte": encodeIdx(0x08, [3], labels),
    });
    check(dir, "train");
  });

  it("reads gzipped files and the dotted spelling for the test split", () => {
    const dir = makeDir("gz", {
      "t10k-images.idx3-ubyte.gz": gzipSync(encodeIdx(0x08, [3, 2, 2], pixels)),
      "t10k-labels-idx1-ubyte.gz": gzipSync(encodeIdx(0x08, [3], labels)),
    });
    check(dir, "test");
  });

  it("detects gzip by content, not by name", () => {
    const dir = makeDir("mixed", {
      "train-images-idx3-ubyte": gzipSync(encodeIdx(0x08, [3, 2, 2], pixels)),
      "train-labels-idx1-ubyte.gz": encodeIdx(0x08, [3], labels),
    });
    check(dir, "train");
  });

  it("names the missing files and the directory", () => {
    const dir = makeDir("missing", { "train-images-idx3-ubyte": encodeIdx(0x08, [3, 2, 2], pixels) });
    expect(() => loadIdxDataset(dir, "train")).toThrow(
      `the train split needs train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz or train-labels.idx1-ubyte or train-labels.idx1-ubyte.gz in directory ${dir}`,
    );
    expect(() => loadIdxDataset(dir, "test")).toThrow(/t10k-images-idx3-ubyte.*, and t10k-labels-idx1-ubyte.*in directory/);
  });

  it("rejects mismatched or malformed files, naming the file", () => {
    const dir = makeDir("bad", {
      "train-images-idx3-ubyte": encodeIdx(0x08, [3, 2, 2], pixels),
      "train-labels-idx1-ubyte": encodeIdx(0x08, [2], [1, 2]),
      "t10k-images-idx3-ubyte": encodeIdx(0x08, [3, 2, 2], pixels).subarray(0, 20),
      "t10k-labels-idx1-ubyte": encodeIdx(0x08, [3], labels),
    });
    expect(() => loadIdxDataset(dir, "train")).toThrow("expected 3 labels to match the images, found 2");
    expect(() => loadIdxDataset(dir, "test")).toThrow(`${join(dir, "t10k-images-idx3-ubyte")}: IDX: expected 12 bytes of data`);
  });
});
