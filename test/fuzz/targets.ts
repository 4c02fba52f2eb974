// The fuzz targets by name: each judges one input (see harness.ts). The fuzz tests generate the
// inputs; the regression test replays the stored ones through the same functions.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildModel, decodeCheckpoint, decodeSafetensors, fromOnnx, mlpSpec, parseCsv, parseIdx, parseMlpSpec, readSafetensorsHeader } from "../../src/index.js";
import { parseClaims, parseProgram, parseSetValues } from "../../src/index.js";
import { loadIdxDataset } from "../../src/node/idx-files.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { type Input, type Verdict, judge } from "./harness.js";

const bytesOf = (x: { byteLength: number } | undefined) => x?.byteLength ?? 0;
const tensorBytes = (ts: Record<string, Tensor>) => Object.values(ts).reduce((a, t) => a + t.size * 8, 0);

/** The files of the node IDX reader's input: base64 bytes, each written plain or gzipped. */
export interface IdxPair {
  images: string;
  labels: string;
  gzip: boolean;
}

let idxDir: string | null = null;
function writeIdxPair(p: IdxPair): string {
  idxDir ??= mkdtempSync(join(tmpdir(), "chainrule-fuzz-idx-"));
  for (const f of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]) {
    rmSync(join(idxDir, f), { force: true });
    rmSync(join(idxDir, f + ".gz"), { force: true });
  }
  const suffix = p.gzip ? ".gz" : "";
  const body = (b64: string) => {
    const b = Buffer.from(b64, "base64");
    // a payload that already starts with the gzip magic is written as it is (a mutated gzip stream)
    return p.gzip && !(b[0] === 0x1f && b[1] === 0x8b) ? gzipSync(b) : b;
  };
  writeFileSync(join(idxDir, "train-images-idx3-ubyte" + suffix), body(p.images));
  writeFileSync(join(idxDir, "train-labels-idx1-ubyte" + suffix), body(p.labels));
  return idxDir;
}

export const TARGETS: Record<string, (input: Input) => Verdict> = {
  "explain/parseProgram": (s) => judge("explain/parseProgram", () => parseProgram(s as string)),
  "explain/parseClaims": (s) => judge("explain/parseClaims", () => parseClaims(s as string)),
  "explain/parseSetValues": (s) => judge("explain/parseSetValues", () => parseSetValues(s as string)),
  "model/mlpSpec": (s) => judge("model/mlpSpec", () => (parseMlpSpec(s as string), mlpSpec(s as string))),
  // the cap is lowered to 1e6 parameters so that huge widths are tried without slow allocations; what is built must hold no more
  "model/buildModel": (spec) =>
    judge("model/buildModel", () => buildModel(spec as never, { maxParameters: 1e6 }), {
      size: (out) => (out as ReturnType<typeof buildModel>).parameters().reduce((a, t) => a + t.size, 0),
      maxOut: 1e6,
    }),
  "safetensors/header": (b) => judge("safetensors/header", () => readSafetensorsHeader(b as Uint8Array, { source: "fuzz.safetensors" })),
  "safetensors/decode": (b) =>
    judge("safetensors/decode", () => decodeSafetensors(b as Uint8Array), {
      size: (out) => Object.values((out as ReturnType<typeof decodeSafetensors>).tensors).reduce((a, t) => a + bytesOf(t.data), 0),
      maxOut: 2 * (b as Uint8Array).length,
    }),
  "safetensors/checkpoint": (b) =>
    judge("safetensors/checkpoint", () => decodeCheckpoint(b as Uint8Array, "fuzz.safetensors"), {
      size: (out) => tensorBytes((out as ReturnType<typeof decodeCheckpoint>).state) / 2,
      maxOut: 2 * (b as Uint8Array).length,
    }),
  "idx/parse": (b) =>
    judge("idx/parse", () => parseIdx(b as Uint8Array), { size: (out) => bytesOf((out as ReturnType<typeof parseIdx>).data), maxOut: (b as Uint8Array).length }),
  "idx/node": (p) => {
    const dir = writeIdxPair(p as IdxPair);
    const raw = Buffer.from((p as IdxPair).images, "base64").length + Buffer.from((p as IdxPair).labels, "base64").length;
    return judge("idx/node", () => loadIdxDataset(dir, "train"), {
      size: (out) => bytesOf((out as ReturnType<typeof loadIdxDataset>).x) + bytesOf((out as ReturnType<typeof loadIdxDataset>).y),
      // pixels widen from 1 byte to 4; a gzip stream may hold up to ~1032 times its length
      maxOut: (p as IdxPair).gzip ? Number.POSITIVE_INFINITY : 4 * raw,
    });
  },
  "csv/parse": (input) => {
    const { text, label, header } = input as { text: string; label?: string | null; header?: boolean };
    return judge("csv/parse", () => parseCsv(text, { source: "fuzz.csv", ...(label !== undefined ? { label } : {}), ...(header !== undefined ? { header } : {}) }), {
      size: (out) => bytesOf((out as ReturnType<typeof parseCsv>).x) + bytesOf((out as ReturnType<typeof parseCsv>).y),
      maxOut: 8 * text.length + 64,
    });
  },
  "onnx/fromOnnx": (b) =>
    judge("onnx/fromOnnx", () => fromOnnx(b as Uint8Array, { source: "fuzz.onnx" }), {
      size: (out) => (out as ReturnType<typeof fromOnnx>).model.parameters().reduce((a, t) => a + t.size * 4, 0),
      maxOut: 2 * (b as Uint8Array).length + 4096,
    }),
};
