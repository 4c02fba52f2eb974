import { ShapeError, ValueError } from "../errors.js";
import { TensorDataset, fromRaw } from "../data/dataset.js";
import type { RawDataset } from "../data/raw.js";
import { describeValue } from "../tensor/format.js";
import type { CheckpointMeta } from "../io/checkpoint.js";
import { Tensor } from "../tensor/tensor.js";

function sampleShape(meta: CheckpointMeta, features: number): number[] {
  const shape = meta.input?.shape;
  if (!shape) throw new ValueError(`prepareInputs: the checkpoint records no input shape (save it with { input: { shape } })`);
  const need = shape.reduce((a, b) => a * b, 1);
  if (need !== features) throw new ShapeError(`prepareInputs: the model takes samples of shape [${shape.join(", ")}] (${need} values), found samples of ${features} values`);
  return shape;
}

/**
 * Prepares inputs for a checkpoint's model the way training did: flat samples (a RawDataset from
 * `loadCsv`/`loadDigits`/`loadIdxDataset`, or a tensor [n, features]) are reshaped to the recorded
 * `input.shape` (e.g. [1, 28, 28] for a CNN). Throws ShapeError when the sample size differs.
 *
 * @example
 * const ckpt = loadCheckpoint("runs/cnn/checkpoint.safetensors");
 * evaluate(model, prepareInputs(ckpt, loadDigits("test"))); // a TensorDataset of [n, 1, 28, 28] images
 */
export function prepareInputs(meta: CheckpointMeta, data: RawDataset): TensorDataset;
export function prepareInputs(meta: CheckpointMeta, x: Tensor): Tensor;
export function prepareInputs(meta: CheckpointMeta, data: RawDataset | Tensor): TensorDataset | Tensor {
  if (typeof meta !== "object" || meta === null) throw new ValueError(`prepareInputs: expected a checkpoint (or its metadata), found ${describeValue(meta)}`);
  if (!(data instanceof Tensor) && !(typeof data === "object" && data !== null && "sampleShape" in data && Array.isArray(data.sampleShape)))
    throw new ValueError(`prepareInputs: expected a RawDataset or a Tensor [n, features], found ${describeValue(data)}`);
  if ("sampleShape" in data) return fromRaw({ ...data, sampleShape: sampleShape(meta, data.sampleShape.reduce((a, b) => a * b, 1)) });
  const features = data.shape.slice(1).reduce((a, b) => a * b, 1);
  return data.reshape([data.shape[0], ...sampleShape(meta, features)]);
}
