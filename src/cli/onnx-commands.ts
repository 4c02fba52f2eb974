import type { Command } from "commander";
import { loadCheckpoint, saveCheckpoint } from "../node/checkpoint-file.js";
import { loadOnnx, saveOnnx } from "../node/onnx-file.js";
import { buildFrom, inputShapeFor, io, num } from "./shared.js";
import { UsageError } from "./usage.js";

const fmt = (s: readonly (number | string)[]) => `[${s.join(", ")}]`;

export function registerExport(program: Command): void {
  program
    .command("export <checkpoint>")
    .description("write a checkpoint's model as ONNX, to serve it with ONNX Runtime, e.g. chainrule export runs/cnn/checkpoint.safetensors --onnx model.onnx")
    .requiredOption("--onnx <file>", "the ONNX file to write")
    .option("--opset <n>", "the ONNX opset, 13 to 22", "17")
    .option("--input <shape>", "one sample's shape, e.g. 1,28,28 (default: the checkpoint's)")
    .action((path: string, f: { onnx: string; opset: string; input?: string }) => {
      const ckpt = loadCheckpoint(path);
      if (!ckpt.architecture) throw new UsageError(`${path}: the checkpoint holds no architecture (it was not written by chainrule train or import), so there is no model to export`);
      const model = buildFrom(ckpt.architecture, undefined, path);
      model.loadStateDict(ckpt.state);
      const first = ckpt.architecture.layers[0];
      const opset = num("--opset", f.opset, { integer: true, min: 13, below: 23 })!;
      const inputShape = f.input !== undefined ? f.input.split(/[,x×]/).map((d) => num("--input", d.trim(), { integer: true, positive: true })!)
        : ckpt.input?.shape ?? (first?.type === "Linear" ? [Number(first.in)] : inputShapeFor(ckpt.architecture, [784]));
      saveOnnx(f.onnx, model, { inputShape, opset, labelNames: ckpt.input?.labelNames });
      io.out(`wrote ${f.onnx} (ONNX opset ${opset}, input "input" ${fmt(["batch", ...inputShape])}, output "output")\n`);
    });
}

export function registerImport(program: Command): void {
  program
    .command("import <model.onnx>")
    .description("build the chainrule model of an ONNX file and write it as a checkpoint, e.g. chainrule import model.onnx --out model.safetensors")
    .requiredOption("--out <checkpoint>", "the safetensors checkpoint to write")
    .action((path: string, f: { out: string }) => {
      const { model, architecture, input } = loadOnnx(path);
      saveCheckpoint(f.out, model, { architecture, input, training: { importedFrom: path } });
      const layers = model.children().map((m) => m.constructor.name).join(", ");
      io.out(`wrote ${f.out}: ${model.children().length} layers (${layers}), input ${fmt(["N", ...input.shape])}, ${model.numParameters().toLocaleString("en-US")} parameters\n`);
      if (!architecture) io.err(`chainrule import: note: a model.json cannot describe every layer of ${path} (a Residual, a LogSoftmax or a non-default eps), so the checkpoint holds the weights without an architecture; load it with loadStateDict into the same model built in code\n`);
    });
}
