import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOptions } from "../../options.js";
import { type Conv2dOptions, type MaxPool2dOptions, conv2d, maxPool2d } from "../functional.js";
import { pair2, type Size2 } from "../util.js";
import { type InitOptions, uniform } from "../init.js";
import { Module } from "../module.js";

const fmt2 = (p: readonly number[]) => `[${p.join(", ")}]`;

const INIT = ["dtype", "generator"] as const;

export type Conv2dModuleOptions = Conv2dOptions & { bias?: boolean } & InitOptions;

/**
 * 2-D convolution (cross-correlation, as PyTorch) of [N, C, H, W] inputs, with a weight
 * [outChannels, inChannels/groups, kh, kw] and a bias [outChannels], both initialized from
 * U(−1/√fanIn, 1/√fanIn) with fanIn = inChannels/groups·kh·kw, like PyTorch. `groups` splits the
 * channels into groups convolved on their own (`groups: inChannels` is a depthwise convolution).
 * @example new Conv2d(1, 16, 5, { padding: 2 }).call(randn([64, 1, 28, 28])).shape; // [64, 16, 28, 28]
 */
export class Conv2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, opts: Conv2dModuleOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, ...init } = checkOptions("Conv2d", opts, ["stride", "padding", "dilation", "groups", "bias", ...INIT]);
    for (const [k, v] of [["inChannels", inChannels], ["outChannels", outChannels], ["groups", groups]] as const)
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`Conv2d: ${k} must be a positive integer, found ${v}`);
    if (inChannels % groups !== 0 || outChannels % groups !== 0)
      throw new ValueError(`Conv2d: groups ${groups} must divide inChannels (${inChannels}) and outChannels (${outChannels})`);
    this.kernelSize = pair2(kernelSize, "Conv2d kernelSize", 1);
    this.stride = pair2(stride, "Conv2d stride", 1);
    this.padding = pair2(padding, "Conv2d padding", 0);
    this.dilation = pair2(dilation, "Conv2d dilation", 1);
    this.groups = groups;
    const [kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt((inChannels / groups) * kh * kw);
    this.registerParameter("weight", uniform([outChannels, inChannels / groups, kh, kw], bound, init));
    this.registerParameter("bias", bias ? uniform([outChannels], bound, init) : null);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt2(this.kernelSize)}, stride=${fmt2(this.stride)}, padding=${fmt2(this.padding)}` +
      (this.dilation.some((d) => d !== 1) ? `, dilation=${fmt2(this.dilation)}` : "") + (this.groups !== 1 ? `, groups=${this.groups}` : "") + `, bias=${this.bias !== null}`;
  }
}

/**
 * The maximum over each window of [N, C, H, W] inputs, as PyTorch's MaxPool2d (options: `stride`,
 * default the kernel size; `padding`; `dilation`; `ceilMode`).
 * @example new MaxPool2d(2).call(randn([64, 16, 28, 28])).shape; // [64, 16, 14, 14]
 * @example new MaxPool2d(3, { stride: 2, ceilMode: true }).call(randn([1, 1, 6, 6])).shape; // [1, 1, 3, 3]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;

  constructor(kernelSize: Size2, opts: MaxPool2dOptions = {}) {
    super();
    const { stride = kernelSize, padding = 0, dilation = 1, ceilMode = false } = checkOptions("MaxPool2d", opts, ["stride", "padding", "dilation", "ceilMode"]);
    this.kernelSize = pair2(kernelSize, "MaxPool2d kernelSize", 1);
    this.stride = pair2(stride, "MaxPool2d stride", 1);
    this.padding = pair2(padding, "MaxPool2d padding", 0);
    this.dilation = pair2(dilation, "MaxPool2d dilation", 1);
    if (typeof ceilMode !== "boolean") throw new ValueError(`MaxPool2d: ceilMode must be a boolean, found ${JSON.stringify(ceilMode)}`);
    this.ceilMode = ceilMode;
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${fmt2(this.kernelSize)}, stride=${fmt2(this.stride)}, padding=${fmt2(this.padding)}` +
      (this.dilation.some((d) => d !== 1) ? `, dilation=${fmt2(this.dilation)}` : "") + (this.ceilMode ? ", ceilMode=true" : "");
  }
}
