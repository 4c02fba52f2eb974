import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import {
  BatchNorm1d, Conv2d, Dropout, Flatten, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, ModuleDict, ModuleList, Softmax, functional as F, functionalCall,
} from "../../src/nn/index.js";
import { buildModel } from "../../src/nn/build.js";
import { uniform } from "../../src/nn/init.js";
import { mlp, parseMlpSpec } from "../../src/nn/spec.js";
import { ones, randn, zeros } from "../../src/tensor/create.js";

/** Asserts a ValueError whose message contains every part. */
function expectValueError(fn: () => unknown, ...parts: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValueError);
  for (const p of parts) expect((err as Error).message).toContain(p);
}

describe("unknown options are errors, naming the option and the closest known one", () => {
  it("layers", () => {
    expectValueError(() => new Linear(2, 3, { bais: false } as any), 'Linear: unknown option "bais" (did you mean "bias"?)', "expected one of bias, dtype, generator");
    expectValueError(() => new Conv2d(1, 2, 3, { dilations: 2 } as any), 'Conv2d: unknown option "dilations" (did you mean "dilation"?)');
    expectValueError(() => new MaxPool2d(2, { ceilmode: true } as any), 'MaxPool2d: unknown option "ceilmode" (did you mean "ceilMode"?)');
    expectValueError(() => new BatchNorm1d(4, { momentun: 0.2 } as any), 'BatchNorm1d: unknown option "momentun" (did you mean "momentum"?)');
    expectValueError(() => new LayerNorm(4, { elementwise_affine: false } as any), 'LayerNorm: unknown option "elementwise_affine"');
    expectValueError(() => new Dropout(0.5, { inplace: true } as any), 'Dropout: unknown option "inplace"', "expected one of generator");
    expectValueError(() => new Linear(2, 3, 4 as any), "Linear: expected an options object, found number");
  });

  it("layers with positional arguments reject an options object there", () => {
    expectValueError(() => new LeakyReLU({ negativeSlope: 0.1 } as any), "LeakyReLU: negativeSlope must be a number");
    expectValueError(() => new Flatten({ startDim: 0 } as any), "Flatten: startDim must be an integer");
    expectValueError(() => new Flatten(1, 2.5), "Flatten: endDim must be an integer");
    expectValueError(() => new Softmax({ dim: 1 } as any), "Softmax: axis must be an integer");
    expectValueError(() => new LogSoftmax("1" as any), "LogSoftmax: axis must be an integer");
    expect(new LeakyReLU(0.2).negativeSlope).toBe(0.2);
  });

  it("functional ops", () => {
    const x = randn([2, 3]);
    expectValueError(() => F.batchNorm(x, null, null, { trainig: true } as any), 'batchNorm: unknown option "trainig" (did you mean "training"?)');
    expectValueError(() => F.layerNorm(x, [3], { eps: 1e-6 } as any), "layerNorm: weight must be a Tensor or null");
    expectValueError(() => F.layerNorm(x, [3], null, null, { eps: 1 } as any), "layerNorm: eps must be a number");
    expectValueError(() => F.dropout(x, { p: 0.5 } as any), "dropout: p must be in [0, 1]");
    expectValueError(() => F.dropout(x, 0.5, { training: true } as any), "dropout: training must be a boolean");
    expectValueError(() => F.conv2d(randn([1, 1, 3, 3]), randn([1, 1, 3, 3]), null, { stide: 1 } as any), 'conv2d: unknown option "stide" (did you mean "stride"?)');
    expectValueError(() => F.maxPool2d(randn([1, 1, 4, 4]), 2, { ceilMode: 1 } as any), "maxPool2d: ceilMode must be a boolean");
    expect(F.batchNorm(x, null, null, { training: true, eps: 1e-3 }).shape).toEqual([2, 3]);
  });

  it("init, mlp, buildModel and loadStateDict options", () => {
    expectValueError(() => uniform([2], 1, { dtpye: "float64" } as any), 'init: unknown option "dtpye" (did you mean "dtype"?)');
    expectValueError(() => mlp("2-3", { seed: 1 } as any), 'mlp: unknown option "seed"', "expected one of generator");
    expectValueError(() => buildModel({ layers: [{ type: "ReLU" }] }, { sourse: "m.json" } as any), 'buildModel: unknown option "sourse" (did you mean "source"?)');
    expectValueError(() => new Linear(2, 1).loadStateDict({ weight: ones([1, 2]), bias: zeros([1]) }, { strinct: false } as any), 'loadStateDict: unknown option "strinct"');
  });

  it("JSON layer specs: an unknown key names the layer index and type", () => {
    const spec = { layers: [{ type: "Linear", in: 2, out: 3 }, { type: "ReLU" }, { type: "Linear", in: 3, outt: 1 }] };
    expectValueError(() => buildModel(spec, { source: "m.json" }), 'm.json: layer 2 (Linear): unknown option "outt" (did you mean "out"?)', "expected one of type, in, out, bias");
    expectValueError(() => buildModel({ layers: [{ type: "ReLU", inplace: true }] }), 'model: layer 0 (ReLU): unknown option "inplace"; expected one of type');
    expectValueError(() => buildModel({ layers: [{ type: "MaxPool2d", kernel: 2, ceil_mode: true }] }), 'layer 0 (MaxPool2d): unknown option "ceil_mode"');
    expectValueError(() => buildModel({ layers: [null as any] }), "model: layer 0 must be an object");
    expectValueError(() => buildModel({ layers: [{ type: "toString" }] }), 'layer 0 has type "toString"; known types');
    const m = buildModel({
      layers: [
        { type: "Conv2d", in: 2, out: 4, kernel: 3, groups: 2, padding: 1 }, { type: "MaxPool2d", kernel: 2, ceilMode: true }, { type: "Flatten" },
      ],
    });
    expect(m.call(randn([1, 2, 5, 5])).shape).toEqual([1, 4 * 3 * 3]);
  });
});

describe("bad arguments are ValueErrors naming the argument, not TypeErrors", () => {
  it("layers, containers and functional ops", () => {
    expectValueError(() => new Conv2d(1, 2, null as any), "Conv2d kernelSize: expected an integer ≥ 1 or two of them, found null");
    expectValueError(() => new MaxPool2d(undefined as any), "MaxPool2d kernelSize");
    expectValueError(() => new LayerNorm({} as any), "LayerNorm: normalizedShape must be a positive integer or a list of them");
    expectValueError(() => new ModuleList(3 as any), "ModuleList: expected modules in an array");
    expectValueError(() => new ModuleList([3] as any), '"0" must be a Module');
    expectValueError(() => new ModuleDict(null as any), "ModuleDict: expected an object of modules by name");
    expectValueError(() => F.conv2d(null as any, randn([1, 1, 3, 3])), "conv2d: the input must be a Tensor, found null");
    expectValueError(() => F.linear(randn([2, 3]), undefined as any), "linear: the weight must be a Tensor, found undefined");
    expectValueError(() => F.maxPool2d({} as any, 2), "maxPool2d: the input must be a Tensor, found object");
    expectValueError(() => F.batchNorm(randn([2, 3]), undefined as any, null), "batchNorm: runningMean must be a Tensor or null, found undefined");
    expectValueError(() => F.layerNorm(randn([2, 3]), null as any), "layerNorm: normalizedShape must be a positive integer");
    expectValueError(() => functionalCall(null as any, {}), "functionalCall: expected a Module, found null");
    expectValueError(() => functionalCall(new Linear(2, 2), null as any), "functionalCall: expected tensors by state-dict name, found null");
    expectValueError(() => parseMlpSpec(3 as any), "model spec: expected a string of layer widths");
    expectValueError(() => mlp({} as any), 'mlp: expected a spec like "784-256-10" or at least two layer widths');
  });
});
