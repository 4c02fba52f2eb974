import { describe, expect, it } from "vitest";
import { ShapeError, ValueError, buildModel, decodeCheckpoint, encodeCheckpoint, evaluate, tensor, type ModelSpec } from "../../src/index.js";
import { fromRaw } from "../../src/data/dataset.js";
import { prepareInputs } from "../../src/train/inputs.js";

const cnn: ModelSpec = { layers: [{ type: "Conv2d", in: 1, out: 2, kernel: 3, padding: 1 }, { type: "Flatten" }, { type: "Linear", in: 2 * 4 * 4, out: 3 }] };
const raw = { x: Float32Array.from({ length: 5 * 16 }, (_, i) => (i % 7) / 7), y: Int32Array.from([0, 1, 2, 0, 1]), n: 5, sampleShape: [16], classes: 3 };

describe("prepareInputs", () => {
  it("reshapes flat samples to the input shape a checkpoint records, as training did", () => {
    const model = buildModel(cnn);
    const ckpt = decodeCheckpoint(encodeCheckpoint(model, { architecture: cnn, input: { shape: [1, 4, 4] } }));
    expect(ckpt.input).toEqual({ shape: [1, 4, 4] });
    expect(() => evaluate(model, fromRaw(raw))).toThrow(ShapeError);
    const data = prepareInputs(ckpt, raw);
    expect(data.tensors[0].shape).toEqual([5, 1, 4, 4]);
    expect(evaluate(model, data).n).toBe(5);
    expect(prepareInputs(ckpt, tensor(raw.x, { shape: [5, 16] })).shape).toEqual([5, 1, 4, 4]);
  });

  it("says what it needs when the sizes differ or no shape was recorded", () => {
    expect(() => prepareInputs({ input: { shape: [1, 4, 4] } }, { ...raw, x: new Float32Array(5 * 15), sampleShape: [15] }))
      .toThrow("prepareInputs: the model takes samples of shape [1, 4, 4] (16 values), found samples of 15 values");
    expect(() => prepareInputs({}, raw)).toThrow(ValueError);
  });
});
