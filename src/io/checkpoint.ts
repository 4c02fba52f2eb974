import { FormatError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Module } from "../nn/module.js";
import { describeValue } from "../tensor/format.js";
import type { ModelSpec } from "../nn/build.js";
import type { Optimizer, OptimizerStateDict } from "../optim/optimizer.js";
import { tensor } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { decodeSafetensors, encodeSafetensors, type TensorToStore } from "./safetensors.js";

const OPTIMIZER_PREFIX = "optimizer.";

/** What the model's inputs are: see `prepareInputs`, which applies it. */
export interface InputSpec {
  /** One sample's shape as the model takes it, e.g. [784] or [1, 28, 28] (flat samples are reshaped to it). */
  shape: number[];
  /** Class `i` stands for `labelNames[i]` (CSV string labels). */
  labelNames?: string[];
  /** The feature columns, in order (CSV header). */
  featureNames?: string[];
}

/** What a checkpoint holds besides the weights: enough to rebuild the model and resume training. */
export interface CheckpointMeta {
  /** The model's architecture as data (see `buildModel`). */
  architecture?: ModelSpec;
  /** The inputs the model was trained on. */
  input?: InputSpec;
  /** Anything about the run: epoch, history, data set, seed, … */
  training?: Record<string, unknown>;
}

export interface Checkpoint extends CheckpointMeta {
  /** The model's state dict, named as PyTorch names it (`0.weight`, `0.bias`, …). */
  state: Record<string, Tensor>;
  optimizer?: OptimizerStateDict;
}

/**
 * A checkpoint as safetensors bytes: the model's state dict under PyTorch's names, the optimizer's
 * state arrays under `optimizer.<index>.<name>`, and the architecture, optimizer settings and training
 * record as JSON strings in the header's `__metadata__` (which other safetensors readers ignore).
 */
export function encodeCheckpoint(model: Module, options?: CheckpointMeta & { optimizer?: Optimizer }): Uint8Array {
  if (!(model instanceof Module)) throw new ValueError(`encodeCheckpoint: expected a Module, found ${describeValue(model)}`);
  const opts = checkOptions("encodeCheckpoint", options, ["architecture", "input", "training", "optimizer"]);
  const tensors: Record<string, TensorToStore> = {};
  // NOTE: integer tensors (BatchNorm's num_batches_tracked) are I64, as PyTorch keeps them, so load_state_dict takes them as they are.
  for (const [name, t] of Object.entries(model.stateDict()))
    tensors[name] = t.dtype === "int32" ? { shape: t.shape, data: BigInt64Array.from(t.data, (v) => BigInt(v)) } : { shape: t.shape, data: t.data };
  const metadata: Record<string, string> = { format: "pt", "chainrule.version": "1" };
  if (opts.architecture) metadata["chainrule.architecture"] = JSON.stringify(opts.architecture);
  if (opts.input) metadata["chainrule.input"] = JSON.stringify(opts.input);
  if (opts.training) metadata["chainrule.training"] = JSON.stringify(opts.training);
  if (opts.optimizer) {
    const { state, ...rest } = opts.optimizer.stateDict();
    for (const [k, a] of Object.entries(state)) tensors[OPTIMIZER_PREFIX + k] = { shape: [a.length], data: a };
    metadata["chainrule.optimizer"] = JSON.stringify(rest);
  }
  return encodeSafetensors(tensors, metadata);
}

function parseJson(metadata: Record<string, string>, key: string, source: string): any {
  if (metadata[key] === undefined) return undefined;
  try {
    return JSON.parse(metadata[key]);
  } catch {
    throw new FormatError(`${source}: the header's "${key}" is not valid JSON`);
  }
}

/** Reads what `encodeCheckpoint` wrote (or any safetensors file of float tensors); validates before allocating. */
export function decodeCheckpoint(bytes: Uint8Array, source = "checkpoint"): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  const state: Record<string, Tensor> = {};
  const optState: Record<string, Float32Array | Float64Array> = {};
  for (const [name, st] of Object.entries(tensors)) {
    let data = st.data;
    if (data instanceof BigInt64Array) {
      if (data.some((v) => v < -(2n ** 31n) || v >= 2n ** 31n)) throw new FormatError(`${source}: tensor "${name}" (I64) holds values beyond the int32 range that chainrule keeps integers in`);
      data = Int32Array.from(data, Number);
    }
    if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array))
      throw new FormatError(`${source}: tensor "${name}" has dtype ${st.dtype}; chainrule reads F32, F64, I32 and I64 (and F16/BF16 as F32)`);
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      if (data instanceof Int32Array) throw new FormatError(`${source}: optimizer state "${name}" must be a float tensor`);
      optState[name.slice(OPTIMIZER_PREFIX.length)] = data;
    } else state[name] = tensor(data, { shape: st.shape });
  }
  const optimizer = parseJson(metadata, "chainrule.optimizer", source);
  return {
    state,
    architecture: parseJson(metadata, "chainrule.architecture", source),
    input: parseJson(metadata, "chainrule.input", source),
    training: parseJson(metadata, "chainrule.training", source),
    optimizer: optimizer ? { ...optimizer, state: optState } : undefined,
  };
}
