import { FormatError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { describeValue } from "../tensor/format.js";

/** Element types of the safetensors format that chainrule reads and writes. */
export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/** Typed arrays that hold tensor data on the way in and out of a safetensors file. */
export type SafetensorsData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/**
 * A decoded tensor. `data` is a fresh, aligned, row-major array: F64 → Float64Array, F32, F16 and BF16 →
 * Float32Array (half floats are widened exactly), I64 → BigInt64Array, I32 → Int32Array, I16 → Int16Array,
 * I8 → Int8Array, U8 and BOOL → Uint8Array.
 */
export interface StoredTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: SafetensorsData;
}

/** A tensor to encode; `dtype` defaults from the array (Float32Array → F32, Uint8Array → U8, ...). */
export interface TensorToStore {
  dtype?: SafetensorsDType;
  shape: readonly number[];
  data: SafetensorsData;
}

/** One entry of the JSON header, as validated by {@link readSafetensorsHeader}. */
export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_HEADER = 100_000_000;
const BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Encodes tensors (in insertion order, contiguous, little-endian, row-major) and optional string metadata as a
 * safetensors file. The JSON header is padded with spaces so that the data starts at an 8-byte aligned offset.
 * F16 and BF16 are written from float arrays with round-to-nearest-even (through float32); other dtypes must
 * match the array (BOOL takes a Uint8Array of 0/1). Throws ValueError on a bad shape, dtype or metadata value.
 *
 * @example
 * const bytes = encodeSafetensors({ "0.weight": { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { format: "pt" });
 */
export function encodeSafetensors(tensors: Record<string, TensorToStore>, metadata?: Record<string, string>): Uint8Array {
  if (typeof tensors !== "object" || tensors === null || Array.isArray(tensors))
    throw new ValueError(`encodeSafetensors: expected an object of named tensors, found ${describeValue(tensors)}`);
  if (metadata !== undefined && (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)))
    throw new ValueError(`encodeSafetensors: metadata must be an object of strings, found ${describeValue(metadata)}`);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new ValueError(`encodeSafetensors: metadata "${k}" must be a string, found ${typeof v}`);
    }
    put(header, "__metadata__", { ...metadata });
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const where = `encodeSafetensors: tensor "${name}"`;
    if (name === "__metadata__") throw new ValueError(`${where}: the name is reserved for metadata`);
    if (typeof t !== "object" || t === null || !ArrayBuffer.isView(t.data)) throw new ValueError(`${where}: expected { shape, data: a typed array }, found ${describeValue(t)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ValueError(`${where}: shape must be non-negative integers, found ${JSON.stringify(t.shape)}`);
    }
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) {
      throw new ValueError(`${where}: shape ${fmt(t.shape)} holds ${numel} elements but data has ${t.data.length}`);
    }
    const dtype = t.dtype ?? naturalDType(t.data, where);
    const bytes = toBytes(t.data, dtype, where);
    put(header, name, { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] });
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let at = 8 + n;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Reads and validates the header of a safetensors file without touching the tensor data: the length prefix, the
 * JSON, every entry's dtype, shape and offsets, and that the offsets tile the data region exactly. `dataStart` is
 * the byte index of the data region in `bytes`. Throws FormatError naming `opts.source` and the tensor.
 *
 * @example
 * const { header, metadata } = readSafetensorsHeader(bytes, { source: "model.safetensors" });
 * header["0.weight"].shape; // [10, 4]
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  options?: { source?: string },
): { header: Record<string, SafetensorsEntry>; metadata: Record<string, string>; dataStart: number } {
  const opts = checkOptions("readSafetensorsHeader", options, ["source"]);
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${opts.source ?? "readSafetensorsHeader"}: expected the file's bytes as a Uint8Array, found ${describeValue(bytes)}`);
  const fail = (msg: string): never => {
    throw new FormatError(opts.source ? `${opts.source}: ${msg}` : msg);
  };
  // NOTE: a file that is not safetensors at all (a README, a PNG) fails one of the first three checks; say so plainly.
  const notSafetensors = (why: string): never => {
    throw new FormatError(`${opts.source ?? "the input"} is not a safetensors file (${why})`);
  };
  if (bytes.length < 8) notSafetensors(`it has ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) notSafetensors(`its first 8 bytes give a header length of ${n64}, more than the ${bytes.length - 8} bytes that follow`);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} exceeds the limit of ${MAX_HEADER} bytes`);
  const n = Number(n64);
  if (n === 0 || bytes[8] !== 0x7b) notSafetensors(`the header does not start with "{"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    fail(`header must be a JSON object, found ${Array.isArray(parsed) ? "an array" : JSON.stringify(parsed)}`);
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const header: Record<string, SafetensorsEntry> = {};
  const metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`__metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ "${k}" must be a string, found ${JSON.stringify(v)}`);
        put(metadata, k, v);
      }
      continue;
    }
    const bad = (msg: string): never => fail(`tensor "${name}": ${msg}`);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(`entry must be an object, found ${JSON.stringify(raw)}`);
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (typeof dtype !== "string" || !Object.hasOwn(BYTES, dtype)) {
      bad(`unknown dtype ${JSON.stringify(dtype)}, expected one of ${Object.keys(BYTES).join(", ")}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(`shape must be an array of non-negative integers, found ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      bad(`data_offsets must be [begin, end] with integers 0 <= begin <= end, found ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLen) bad(`data_offsets [${begin}, ${end}] reach past the data region of ${dataLen} bytes`);
    const dims = shape as number[];
    const need = dims.reduce((a, b) => a * b, 1) * BYTES[dtype as SafetensorsDType];
    if (end - begin !== need) {
      bad(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${fmt(dims)} of ${dtype} needs ${need}`);
    }
    put(header, name, { dtype: dtype as SafetensorsDType, shape: dims, data_offsets: [begin, end] });
  }
  const entries = Object.entries(header).sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0] || a.data_offsets[1] - b.data_offsets[1]);
  let expected = 0;
  let prev = "";
  for (const [name, { data_offsets: [begin, end] }] of entries) {
    if (begin < expected) fail(`tensor "${name}": data_offsets [${begin}, ${end}] overlap tensor "${prev}", which ends at ${expected}`);
    if (begin > expected) {
      fail(`tensor "${name}": data_offsets [${begin}, ${end}] leave a hole of ${begin - expected} bytes after ${prev ? `tensor "${prev}"` : "the header"}, expected begin ${expected}`);
    }
    expected = end;
    prev = name;
  }
  if (expected !== dataLen) {
    fail(`${dataLen - expected} bytes after ${prev ? `tensor "${prev}"` : "the header"} are not covered by any tensor (data ends at ${expected}, file data region has ${dataLen} bytes)`);
  }
  return { header, metadata, dataStart };
}

/**
 * Decodes a safetensors file after validating its whole header (see {@link readSafetensorsHeader}); every tensor is
 * copied into a fresh aligned typed array (see {@link StoredTensor} for the array of each dtype).
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes, { source: "model.safetensors" });
 * tensors["0.weight"].data; // Float32Array
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  opts?: { source?: string },
): { tensors: Record<string, StoredTensor>; metadata: Record<string, string> } {
  const { header, metadata, dataStart } = readSafetensorsHeader(bytes, checkOptions("decodeSafetensors", opts, ["source"]));
  const tensors: Record<string, StoredTensor> = {};
  for (const [name, { dtype, shape, data_offsets: [begin, end] }] of Object.entries(header)) {
    const buf = copy(bytes, dataStart + begin, dataStart + end, BYTES[dtype]);
    put(tensors, name, { dtype, shape, data: fromBuffer(buf, dtype) });
  }
  return { tensors, metadata };
}

function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function naturalDType(data: SafetensorsData, where: string): SafetensorsDType {
  if (data instanceof Float32Array) return "F32";
  if (data instanceof Float64Array) return "F64";
  if (data instanceof Int32Array) return "I32";
  if (data instanceof Int16Array) return "I16";
  if (data instanceof Int8Array) return "I8";
  if (data instanceof Uint8Array) return "U8";
  if (data instanceof BigInt64Array) return "I64";
  throw new ValueError(`${where}: unsupported data array ${Object.prototype.toString.call(data)}`);
}

/** Host-order bytes of `data` as `dtype`, swapped to little-endian on a big-endian host. */
function toBytes(data: SafetensorsData, dtype: SafetensorsDType, where: string): Uint8Array {
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;
  let arr: SafetensorsData | Uint16Array;
  if (dtype === "F16" || dtype === "BF16") {
    if (!isFloat) throw new ValueError(`${where}: dtype ${dtype} needs a Float32Array or Float64Array, found ${data.constructor.name}`);
    arr = Uint16Array.from(data as Float32Array, dtype === "F16" ? toHalf : toBFloat16);
  } else if (dtype === "F32" && isFloat) arr = data instanceof Float32Array ? data : new Float32Array(data);
  else if (dtype === "F64" && isFloat) arr = data instanceof Float64Array ? data : new Float64Array(data);
  else if (dtype === "BOOL" && data instanceof Uint8Array) {
    if (data.some((v) => v > 1)) throw new ValueError(`${where}: dtype BOOL needs values 0 or 1`);
    arr = data;
  } else if (Object.hasOwn(BYTES, dtype) && naturalDType(data, where) === dtype) arr = data;
  else throw new ValueError(`${where}: dtype ${String(dtype)} does not fit a ${data.constructor.name}`);
  const out = new Uint8Array(arr.byteLength);
  out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  return swapToHost(out, BYTES[dtype]);
}

/** A fresh, aligned copy of `bytes[begin, end)` in host byte order. */
function copy(bytes: Uint8Array, begin: number, end: number, width: number): ArrayBuffer {
  const out = new Uint8Array(end - begin);
  out.set(bytes.subarray(begin, end));
  swapToHost(out, width);
  return out.buffer;
}

/** Reverses each `width`-byte element on a big-endian host (little-endian ↔ host order); a no-op otherwise. */
function swapToHost(b: Uint8Array, width: number): Uint8Array {
  if (BIG_ENDIAN && width > 1) for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
  return b;
}

function fromBuffer(buf: ArrayBuffer, dtype: SafetensorsDType): SafetensorsData {
  switch (dtype) {
    case "F64": return new Float64Array(buf);
    case "F32": return new Float32Array(buf);
    case "F16": return Float32Array.from(new Uint16Array(buf), fromHalf);
    case "BF16": {
      const h = new Uint16Array(buf);
      const out = new Float32Array(h.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < h.length; i++) bits[i] = h[i] << 16;
      return out;
    }
    case "I64": return new BigInt64Array(buf);
    case "I32": return new Int32Array(buf);
    case "I16": return new Int16Array(buf);
    case "I8": return new Int8Array(buf);
    case "U8":
    case "BOOL": return new Uint8Array(buf);
  }
}

/** IEEE half bits → number (exact). */
function fromHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1024 + m) * 2 ** (e - 25);
}

/** number → IEEE half bits, rounding (through float32) to nearest even; overflow gives ±Inf. */
function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112;
  if (e >= 31) return sign | 0x7c00;
  let shift = 13;
  let base = e << 10;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    shift = 14 - e;
    base = 0;
  }
  let half = base | (mant >>> shift);
  const rem = mant & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rem > halfway || (rem === halfway && half & 1)) half++;
  return sign | half;
}

/** number → bfloat16 bits, rounding (through float32) to nearest even; NaN stays NaN. */
function toBFloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if (Number.isNaN(v)) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}
