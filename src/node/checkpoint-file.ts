import { checkOptions } from "../options.js";
import { type Checkpoint, type CheckpointMeta, decodeCheckpoint, encodeCheckpoint } from "../io/checkpoint.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import { readFileBytes, writeFileAtomic } from "./fs.js";

/**
 * Writes a safetensors checkpoint atomically (a temporary file, then a rename): a crash never leaves
 * a half-written file at `path`.
 */
export function saveCheckpoint(path: string, model: Module, opts?: CheckpointMeta & { optimizer?: Optimizer }): void {
  writeFileAtomic(path, encodeCheckpoint(model, checkOptions("saveCheckpoint", opts, ["architecture", "input", "training", "optimizer"])));
}

/** Reads and validates a checkpoint file. */
export function loadCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readFileBytes(path, "checkpoint"), path);
}
