import { type OnnxImport, type ToOnnxOptions, fromOnnx, toOnnx } from "../io/onnx.js";
import type { Module } from "../nn/module.js";
import { readFileBytes, writeFileAtomic } from "./fs.js";

/** Writes the ONNX model of `model` (see `toOnnx`) atomically. @example saveOnnx("model.onnx", model, { inputShape: [784] }); */
export function saveOnnx(path: string, model: Module, opts: ToOnnxOptions): void {
  writeFileAtomic(path, toOnnx(model, opts));
}

/** Reads an ONNX file into a chainrule model (see `fromOnnx`). @example const { model, input } = loadOnnx("model.onnx"); */
export function loadOnnx(path: string): OnnxImport {
  return fromOnnx(readFileBytes(path, "ONNX model"), { source: path });
}
