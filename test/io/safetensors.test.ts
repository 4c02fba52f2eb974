import { describe, expect, it } from "vitest";
import { FormatError, ValueError } from "../../src/errors.js";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from "../../src/io/safetensors.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/io/checkpoint.js";
import { nn } from "../../src/index.js";

/** A file built by hand per the spec: u64 LE header length, header bytes (unpadded unless given so), data. */
function build(header: string | object, data: Uint8Array | number = 0): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length, true);
  dv.setUint32(4, 0, true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function expectFormat(bytes: Uint8Array, ...parts: string[]): void {
  let err: unknown;
  try {
    decodeSafetensors(bytes, { source: "model.safetensors" });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FormatError);
  const msg = (err as Error).message;
  expect(msg).toMatch(/^model\.safetensors(: | is not a safetensors file \()/);
  for (const p of parts) expect(msg).toContain(p);
}

const f32 = (n: number) => ({ dtype: "F32", shape: [n], data_offsets: [0, 4 * n] });

describe("safetensors round trip", () => {
  it("keeps dtype, shape and values of every dtype, scalars and empty tensors included", () => {
    const input = {
      w: { shape: [2, 3], data: new Float32Array([1, -2.5, 3, 0, 1e-3, -7]) },
      scalar: { shape: [], data: new Float64Array([Math.PI]) },
      empty: { shape: [0, 3], data: new Int32Array(0) },
      idx: { shape: [3], data: new Int32Array([-1, 0, 2 ** 31 - 1]) },
      bytes: { shape: [2, 2], data: new Uint8Array([0, 1, 255, 7]) },
      small: { shape: [3], data: new Int8Array([-128, 0, 127]) },
      mid: { shape: [1, 1, 2], data: new Int16Array([-32768, 32767]) },
      big: { shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n + 1n]) },
      mask: { dtype: "BOOL" as const, shape: [3], data: new Uint8Array([1, 0, 1]) },
      half: { dtype: "F16" as const, shape: [4], data: new Float32Array([1, -2, 0.5, 65504]) },
      brain: { dtype: "BF16" as const, shape: [2, 1], data: new Float32Array([1, -3.5]) },
      zero: { shape: [5, 0], data: new Float32Array(0) },
    };
    const bytes = encodeSafetensors(input, { format: "pt", note: "ünïcødé" });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: "pt", note: "ünïcødé" });
    expect(Object.keys(tensors)).toEqual(Object.keys(input));
    const want = { w: "F32", scalar: "F64", empty: "I32", idx: "I32", bytes: "U8", small: "I8", mid: "I16", big: "I64", mask: "BOOL", half: "F16", brain: "BF16", zero: "F32" };
    for (const [name, t] of Object.entries(input)) {
      const got = tensors[name];
      expect(got.dtype).toBe(want[name as keyof typeof want]);
      expect(got.shape).toEqual(t.shape);
      expect(Array.from(got.data as ArrayLike<number | bigint>)).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
      expect(got.data.byteOffset).toBe(0);
    }
    expect(tensors.half.data).toBeInstanceOf(Float32Array);
    expect(tensors.brain.data).toBeInstanceOf(Float32Array);
    expect(tensors.big.data).toBeInstanceOf(BigInt64Array);
    expect(tensors.mask.data).toBeInstanceOf(Uint8Array);
  });

  it("round-trips an empty file and awkward names", () => {
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({ tensors: {}, metadata: {} });
    const { tensors } = decodeSafetensors(encodeSafetensors({ "layer.0/weight": { shape: [1], data: new Float32Array([2]) }, "a.b\"c": { shape: [], data: new Uint8Array([9]) } }));
    expect(Array.from(tensors["a.b\"c"].data as Uint8Array)).toEqual([9]);
    const proto = JSON.parse('{"__proto__": {"shape": [1], "data": null}}');
    proto.__proto__.data = new Float32Array([4]);
    const back = decodeSafetensors(encodeSafetensors(proto)).tensors;
    expect(Object.keys(back)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it("rounds F16 and BF16 to nearest even and keeps specials", () => {
    const vals = new Float64Array([1 / 3, 65519, 65520, 2 ** -24, 2 ** -25, 1.5 * 2 ** -25, -0, Infinity, NaN, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
    const half = decodeSafetensors(encodeSafetensors({ h: { dtype: "F16", shape: [vals.length], data: vals } })).tensors.h.data;
    expect(Array.from(half as Float32Array)).toEqual([0.333251953125, 65504, Infinity, 2 ** -24, 0, 2 ** -24, -0, Infinity, NaN, 1, 1 + 2 * 2 ** -10]);
    expect(Object.is(half[6], -0)).toBe(true);
    const bf = decodeSafetensors(encodeSafetensors({ b: { dtype: "BF16", shape: [6], data: new Float32Array([1 / 3, -0, NaN, 3e38, 1 + 2 ** -8, 1 + 3 * 2 ** -8]) } })).tensors.b.data;
    const bits = (b: number) => new Float32Array(new Uint32Array([b << 16]).buffer)[0];
    expect(Array.from(bf as Float32Array)).toEqual([0.333984375, -0, NaN, bits(0x7f62), 1, 1 + 2 ** -6]); // 3e38 = 0x7f61b1e6 rounds up
  });

  it("decodes a file built by hand per the spec, even from an unaligned view", () => {
    const data = new Uint8Array(8 + 4 + 4 + 8 + 1);
    const dv = new DataView(data.buffer);
    dv.setFloat32(0, 1.5, true);
    dv.setFloat32(4, -2, true);
    dv.setInt16(8, -300, true);
    dv.setInt16(10, 7, true);
    dv.setUint16(12, 0x3c00, true); // F16 1
    dv.setUint16(14, 0xc000, true); // F16 -2
    dv.setBigInt64(16, -5n, true);
    data[24] = 200;
    const header =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"I16","shape":[1,2],"data_offsets":[8,12]},"h":{"dtype":"F16","shape":[2],"data_offsets":[12,16]},' +
      '"i":{"dtype":"I64","shape":[],"data_offsets":[16,24]},"u":{"dtype":"U8","shape":[1],"data_offsets":[24,25]}}   ';
    const file = build(header, data);
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const { tensors, metadata } = decodeSafetensors(shifted.subarray(3));
    expect(metadata).toEqual({ format: "pt" });
    expect(tensors.a).toEqual({ dtype: "F32", shape: [2], data: new Float32Array([1.5, -2]) });
    expect(tensors.b).toEqual({ dtype: "I16", shape: [1, 2], data: new Int16Array([-300, 7]) });
    expect(tensors.h).toEqual({ dtype: "F16", shape: [2], data: new Float32Array([1, -2]) });
    expect(tensors.i).toEqual({ dtype: "I64", shape: [], data: new BigInt64Array([-5n]) });
    expect(tensors.u).toEqual({ dtype: "U8", shape: [1], data: new Uint8Array([200]) });
    expect(readSafetensorsHeader(file).dataStart).toBe(8 + header.length);
  });

  it("encodes the layout of the spec, with the header padded to 8-byte alignment", () => {
    const bytes = encodeSafetensors(
      { "0.weight": { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }, b: { shape: [3], data: new Int16Array([1, -1, 258]) }, s: { shape: [], data: new Float64Array([0.25]) } },
      { format: "pt" },
    );
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(dv.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.length - text.trimEnd().length).toBeLessThan(8);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    expect(JSON.parse(text)).toEqual({
      __metadata__: { format: "pt" },
      "0.weight": { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: "I16", shape: [3], data_offsets: [16, 22] },
      s: { dtype: "F64", shape: [], data_offsets: [22, 30] },
    });
    expect(bytes.length).toBe(8 + n + 30);
    const d = 8 + n;
    expect([0, 1, 2, 3].map((i) => dv.getFloat32(d + 4 * i, true))).toEqual([1, 2, 3, 4]);
    expect([0, 1, 2].map((i) => dv.getInt16(d + 16 + 2 * i, true))).toEqual([1, -1, 258]);
    expect(dv.getFloat64(d + 22, true)).toBe(0.25);
  });

  it("reads the header alone", () => {
    const bytes = encodeSafetensors({ x: { shape: [3, 1], data: new Float32Array(3) } }, { k: "v" });
    const { header, metadata, dataStart } = readSafetensorsHeader(bytes);
    expect(header).toEqual({ x: { dtype: "F32", shape: [3, 1], data_offsets: [0, 12] } });
    expect(metadata).toEqual({ k: "v" });
    expect(dataStart).toBe(bytes.length - 12);
  });
});

describe("safetensors validation", () => {
  const good = () => encodeSafetensors({ a: { shape: [2], data: new Float32Array([1, 2]) }, last: { shape: [3], data: new Float32Array(3) } });

  it("rejects truncated files", () => {
    expectFormat(new Uint8Array(5), "model.safetensors is not a safetensors file", "5 bytes", "8-byte header length");
    const bytes = good();
    expectFormat(bytes.subarray(0, bytes.length - 4), 'tensor "last"', "past the data region");
    expectFormat(bytes.subarray(0, 20), "model.safetensors is not a safetensors file", "header length of", "more than the 12 bytes that follow");
  });

  it("rejects a header length beyond the file: not a safetensors file", () => {
    const bytes = good();
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    expectFormat(bytes, "model.safetensors is not a safetensors file", `header length of ${2n ** 40n}`);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
    expectFormat(bytes, "not a safetensors file", `header length of ${bytes.length}, more than the ${bytes.length - 8} bytes`);
  });

  it("says a text file (a README) is not a safetensors file", () => {
    const text = new TextEncoder().encode("# chainrule\n\n**chainrule** is a TypeScript deep-learning library\n");
    expectFormat(text, "model.safetensors is not a safetensors file (its first 8 bytes give a header length of");
    const small = new Uint8Array(16);
    new DataView(small.buffer).setBigUint64(0, 4n, true);
    small.set(new TextEncoder().encode("abcd"), 8);
    expectFormat(small, "model.safetensors is not a safetensors file", 'does not start with "{"');
  });

  it("rejects a header that is not a JSON object", () => {
    expectFormat(build('{"a": {"dtype": '), "not valid UTF-8 JSON");
    expectFormat(build(new Uint8Array([0x7b, 0x7d, 0xff, 0xfe])), "not valid UTF-8 JSON");
    expectFormat(build("[1, 2]"), "not a safetensors file", 'does not start with "{"');
    expectFormat(build("null"), "not a safetensors file", 'does not start with "{"');
    expectFormat(build({ a: [1, 2] }), 'tensor "a"', "entry must be an object");
  });

  it("rejects unknown dtypes and bad shapes or offsets", () => {
    expectFormat(build({ "enc.w": { dtype: "F8_E4M3", shape: [2], data_offsets: [0, 2] } }, 2), 'tensor "enc.w"', 'unknown dtype "F8_E4M3"');
    expectFormat(build({ w: { shape: [2], data_offsets: [0, 8] } }, 8), 'tensor "w"', "unknown dtype undefined");
    expectFormat(build({ w: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, 8), 'tensor "w"', "non-negative integers", "[-2]");
    expectFormat(build({ w: { dtype: "F32", shape: [1.5], data_offsets: [0, 8] } }, 8), 'tensor "w"', "non-negative integers");
    expectFormat(build({ w: { dtype: "F32", shape: "2", data_offsets: [0, 8] } }, 8), 'tensor "w"', "shape");
    expectFormat(build({ w: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, 8), 'tensor "w"', "begin <= end", "[8,0]");
    expectFormat(build({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8, 9] } }, 8), 'tensor "w"', "data_offsets");
    expectFormat(build({ w: { dtype: "F32", shape: [2], data_offsets: [0.5, 8] } }, 8), 'tensor "w"', "data_offsets");
    expectFormat(build({ __metadata__: { epoch: 3 } }), "__metadata__", '"epoch"', "string");
    expectFormat(build({ __metadata__: ["x"] }), "__metadata__");
  });

  it("names the tensor, the offsets and the shape when they disagree", () => {
    const bytes = build({ "0.weight": { dtype: "F32", shape: [10, 4], data_offsets: [0, 100] } }, 100);
    expect(() => decodeSafetensors(bytes, { source: "model.safetensors" })).toThrow(
      new FormatError('model.safetensors: tensor "0.weight": data_offsets [0, 100] hold 100 bytes but shape [10, 4] of F32 needs 160'),
    );
    expect(() => decodeSafetensors(bytes)).toThrow(/^tensor "0.weight": data_offsets/);
  });

  it("rejects overlapping offsets and holes", () => {
    expectFormat(build({ a: f32(2), b: { ...f32(2), data_offsets: [4, 12] } }, 12), 'tensor "b"', 'overlap tensor "a"');
    expectFormat(build({ a: f32(2), b: { ...f32(2), data_offsets: [0, 8] } }, 8), "overlap", 'tensor "a"', 'tensor "b"');
    expectFormat(build({ a: f32(2), b: { ...f32(2), data_offsets: [12, 20] } }, 20), 'tensor "b"', "hole of 4 bytes", 'tensor "a"');
    expectFormat(build({ b: { ...f32(2), data_offsets: [4, 12] } }, 12), 'tensor "b"', "hole of 4 bytes after the header");
    expectFormat(build({ a: f32(2) }, 12), '4 bytes after tensor "a"', "not covered");
    expectFormat(build({}, 3), "3 bytes after the header");
  });

  it("accepts zero-size tensors sharing an offset", () => {
    const { tensors } = decodeSafetensors(build({ e1: { dtype: "F32", shape: [0], data_offsets: [8, 8] }, a: f32(2), e2: { dtype: "I8", shape: [3, 0], data_offsets: [8, 8] } }, 8));
    expect(tensors.e1.data.length).toBe(0);
    expect(tensors.e2.shape).toEqual([3, 0]);
  });
});

describe("encodeSafetensors errors", () => {
  it("throws ValueError on inputs it cannot store", () => {
    const f = new Float32Array(6);
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: f } })).toThrow(ValueError);
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: f } })).toThrow('tensor "w": shape [2, 2] holds 4 elements but data has 6');
    expect(() => encodeSafetensors({ w: { shape: [-6], data: f } })).toThrow(ValueError);
    expect(() => encodeSafetensors({ w: { dtype: "I32", shape: [6], data: f } })).toThrow('tensor "w": dtype I32');
    expect(() => encodeSafetensors({ w: { dtype: "F16", shape: [6], data: new Int32Array(6) } })).toThrow(ValueError);
    expect(() => encodeSafetensors({ w: { dtype: "BOOL", shape: [1], data: new Uint8Array([2]) } })).toThrow(ValueError);
    expect(() => encodeSafetensors({ w: { dtype: "U16" as "U8", shape: [1], data: new Uint8Array([2]) } })).toThrow(ValueError);
    expect(() => encodeSafetensors({ __metadata__: { shape: [1], data: new Uint8Array(1) } })).toThrow(ValueError);
    expect(() => encodeSafetensors({}, { epoch: 3 as unknown as string })).toThrow(ValueError);
  });

  it("converts between float widths when asked", () => {
    const { tensors } = decodeSafetensors(encodeSafetensors({ a: { dtype: "F32", shape: [1], data: new Float64Array([0.1]) }, b: { dtype: "F64", shape: [1], data: new Float32Array([0.5]) } }));
    expect(tensors.a.data).toEqual(new Float32Array([0.1]));
    expect(tensors.b.data).toEqual(new Float64Array([0.5]));
  });
});

describe("options objects are checked", () => {
  it("names an unknown option of decodeSafetensors, readSafetensorsHeader and encodeCheckpoint", () => {
    const bytes = encodeSafetensors({ a: { shape: [1], data: new Float32Array(1) } });
    expect(() => decodeSafetensors(bytes, { sourc: "x" } as never)).toThrow('decodeSafetensors: unknown option "sourc" (did you mean "source"?)');
    expect(() => readSafetensorsHeader(bytes, { src: "x" } as never)).toThrow('readSafetensorsHeader: unknown option "src"');
    expect(() => encodeCheckpoint(new nn.Linear(1, 1), { archtecture: {} } as never)).toThrow('encodeCheckpoint: unknown option "archtecture" (did you mean "architecture"?)');
  });
});

describe("safetensors files as other writers lay them out, built by hand per the spec", () => {
  /** A header of entries written in `order`, their data placed at the offsets of `layout` order (PyTorch's writer sorts names). */
  function file(entries: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>, order: string[], layout: string[], meta?: Record<string, string>, metaLast = false) {
    const offsets: Record<string, [number, number]> = {};
    let at = 0;
    for (const k of layout) offsets[k] = [at, (at += entries[k].bytes.length)];
    const head: string[] = order.map((k) => `${JSON.stringify(k)}:${JSON.stringify({ dtype: entries[k].dtype, shape: entries[k].shape, data_offsets: offsets[k] })}`);
    if (meta) head[metaLast ? "push" : "unshift"](`"__metadata__":${JSON.stringify(meta)}`);
    let json = `{${head.join(",")}}`;
    json += " ".repeat((8 - (json.length % 8)) % 8);
    const data = new Uint8Array(at);
    for (const k of layout) data.set(entries[k].bytes, offsets[k][0]);
    return { bytes: build(json, data), headerLength: json.length };
  }
  const le = (width: number, values: number[] | bigint[], set: (dv: DataView, i: number, v: never) => void) => {
    const b = new Uint8Array(width * values.length), dv = new DataView(b.buffer);
    values.forEach((v, i) => set(dv, i * width, v as never));
    return b;
  };
  const entries = {
    "1.running_var": { dtype: "F64", shape: [2], bytes: le(8, [0.5, 2], (dv, i, v) => dv.setFloat64(i, v, true)) },
    "0.weight": { dtype: "F32", shape: [2, 1], bytes: le(4, [1.25, -3], (dv, i, v) => dv.setFloat32(i, v, true)) },
    "1.num_batches_tracked": { dtype: "I64", shape: [], bytes: le(8, [7n], (dv, i, v) => dv.setBigInt64(i, v, true)) },
    idx: { dtype: "I32", shape: [3], bytes: le(4, [-1, 0, 2 ** 31 - 1], (dv, i, v) => dv.setInt32(i, v, true)) },
    half: { dtype: "F16", shape: [2], bytes: le(2, [0x3c00, 0xbc00], (dv, i, v) => dv.setUint16(i, v, true)) }, // 1, -1
    brain: { dtype: "BF16", shape: [2], bytes: le(2, [0x3f80, 0xc040], (dv, i, v) => dv.setUint16(i, v, true)) }, // 1, -3
    none: { dtype: "F32", shape: [0, 4], bytes: new Uint8Array(0) },
  };
  const names = Object.keys(entries);

  it("reads F32, F64, I32, I64, F16 and BF16 whatever the order of the header's keys and of the data, with __metadata__ first or last", () => {
    for (const [order, layout, metaLast] of [[names, names, false], [[...names].sort(), [...names].reverse(), true], [[...names].reverse(), [...names].sort(), false]] as const) {
      const { bytes, headerLength } = file(entries, [...order], [...layout], { format: "pt" }, metaLast);
      expect(headerLength % 8).toBe(0);
      const { tensors, metadata } = decodeSafetensors(bytes);
      expect(metadata).toEqual({ format: "pt" });
      expect(Object.keys(tensors)).toEqual(order);
      expect(tensors["1.running_var"]).toEqual({ dtype: "F64", shape: [2], data: new Float64Array([0.5, 2]) });
      expect(tensors["0.weight"]).toEqual({ dtype: "F32", shape: [2, 1], data: new Float32Array([1.25, -3]) });
      expect(tensors["1.num_batches_tracked"]).toEqual({ dtype: "I64", shape: [], data: new BigInt64Array([7n]) });
      expect(tensors.idx).toEqual({ dtype: "I32", shape: [3], data: new Int32Array([-1, 0, 2 ** 31 - 1]) });
      expect(tensors.half).toEqual({ dtype: "F16", shape: [2], data: new Float32Array([1, -1]) });
      expect(tensors.brain).toEqual({ dtype: "BF16", shape: [2], data: new Float32Array([1, -3]) });
      expect(tensors.none).toEqual({ dtype: "F32", shape: [0, 4], data: new Float32Array(0) });
    }
  });

  it("a PyTorch-written checkpoint (I64 num_batches_tracked, F64 and half-float weights) loads as a chainrule state dict", () => {
    const { bytes } = file(entries, [...names].sort(), [...names].sort(), { format: "pt" });
    const { state } = decodeCheckpoint(bytes, "torch.safetensors");
    expect([state["1.num_batches_tracked"].dtype, state["1.num_batches_tracked"].item()]).toEqual(["int32", 7]);
    expect(state["1.running_var"].dtype).toBe("float64");
    expect([state.half.dtype, Array.from(state.brain.data)]).toEqual(["float32", [1, -3]]);
    expect(state.none.shape).toEqual([0, 4]);
    const big = file({ n: { dtype: "I64", shape: [1], bytes: le(8, [2n ** 40n], (dv, i, v) => dv.setBigInt64(i, v, true)) } }, ["n"], ["n"]).bytes;
    expect(() => decodeCheckpoint(big, "torch.safetensors")).toThrow(/torch\.safetensors: tensor "n" \(I64\) holds values beyond the int32 range/);
  });

  it("a chainrule checkpoint writes integer buffers as I64, PyTorch's dtype for num_batches_tracked, after 8-byte aligned padding", () => {
    const bytes = encodeCheckpoint(new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2)));
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const { header } = readSafetensorsHeader(bytes);
    expect(Object.keys(header)).toEqual(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"]);
    expect(header["1.num_batches_tracked"]).toEqual({ dtype: "I64", shape: [], data_offsets: [56, 64] });
  });
});
