import { FormatError, ValueError } from "../errors.js";
import { describeValue } from "../tensor/format.js";

/** The typed arrays an IDX file can hold, one per IDX type code. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

const TYPES: Record<number, { name: string; size: number; make: (n: number) => IdxData; read: (v: DataView, at: number) => number }> = {
  0x08: { name: "ubyte", size: 1, make: (n) => new Uint8Array(n), read: (v, at) => v.getUint8(at) },
  0x09: { name: "byte", size: 1, make: (n) => new Int8Array(n), read: (v, at) => v.getInt8(at) },
  0x0b: { name: "short", size: 2, make: (n) => new Int16Array(n), read: (v, at) => v.getInt16(at) },
  0x0c: { name: "int", size: 4, make: (n) => new Int32Array(n), read: (v, at) => v.getInt32(at) },
  0x0d: { name: "float", size: 4, make: (n) => new Float32Array(n), read: (v, at) => v.getFloat32(at) },
  0x0e: { name: "double", size: 8, make: (n) => new Float64Array(n), read: (v, at) => v.getFloat64(at) },
};

/**
 * The length in bytes of the IDX file whose first bytes are `head` (its header, and data as its shape
 * declares), or undefined when `head` is too short to tell or is no IDX header (parseIdx says why).
 */
export function idxFileLength(head: Uint8Array): number | undefined {
  const type = TYPES[head[2]];
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0 || !type || head.length < 4 + 4 * head[3]) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let n = type.size;
  for (let i = 0; i < head[3]; i++) n *= Math.max(0, view.getInt32(4 + 4 * i));
  return 4 + 4 * head[3] + n;
}

const hex = (b: number) => "0x" + b.toString(16).padStart(2, "0");

/**
 * Parses an IDX file (the format of the MNIST distribution): two zero bytes, a type byte
 * (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double), a dimension count,
 * the big-endian int32 dimensions, then the big-endian data. The data is copied into a fresh array.
 * Throws {@link FormatError} naming what was expected and what was found.
 *
 * @example
 * const { shape, data } = parseIdx(new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9]));
 * // shape [2], data Uint8Array [7, 9]
 */
export function parseIdx(bytes: Uint8Array): { shape: number[]; data: IdxData } {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`parseIdx: expected the file's bytes as a Uint8Array, found ${describeValue(bytes)}`);
  if (bytes.length < 4) throw new FormatError(`IDX: expected a 4-byte header, found ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError(`IDX: expected the magic number to start with two zero bytes, found ${hex(bytes[0])} ${hex(bytes[1])}`);
  }
  const type = TYPES[bytes[2]];
  if (!type) {
    throw new FormatError(`IDX: expected a type byte 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e, found ${hex(bytes[2])}`);
  }
  const ndim = bytes[3];
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) {
    throw new FormatError(`IDX: expected ${headerSize} header bytes for ${ndim} dimensions, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = view.getInt32(4 + 4 * i);
    if (d < 0) throw new FormatError(`IDX: expected a non-negative size for dimension ${i}, found ${d}`);
    shape.push(d);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * type.size;
  const found = bytes.length - headerSize;
  if (found !== expected) {
    throw new FormatError(`IDX: expected ${expected} bytes of data for shape [${shape.join(", ")}] of ${type.name}, found ${found}`);
  }
  if (bytes[2] === 0x08) return { shape, data: bytes.slice(headerSize) };
  const data = type.make(count);
  for (let i = 0, at = headerSize; i < count; i++, at += type.size) data[i] = type.read(view, at);
  return { shape, data };
}
