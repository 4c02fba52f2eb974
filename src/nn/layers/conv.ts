import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { conv2d, maxPool2d } from "../functional.js";
import { pair2, type Size2 } from "../util.js";
import { type InitOptions, uniform } from "../init.js";
import { Module } from "../module.js";

const fmt2 = (p: readonly number[]) => `[${p.join(", ")}]`;

/**
 * 2-D convolution (cross-correlation, as PyTorch) of [N, C, H, W] inputs, with a weight
 * [outChannels, inChannels, kh, kw] and a bias [outChannels], both initialized from
 * U(−1/√fanIn, 1/√fanIn) with fanIn = inChannels·kh·kw, like PyTorch.
 * @example new Conv2d(1, 16, 5, { padding: 2 }).call(randn([64, 1, 28, 28])).shape; // [64, 16, 28, 28]
 */
export class Conv2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    opts: { stride?: Size2; padding?: Size2; dilation?: Size2; bias?: boolean } & InitOptions = {},
  ) {
    super();
    const { stride = 1, padding = 0, dilation = 1, bias = true, ...init } = opts;
    for (const [k, v] of [["inChannels", inChannels], ["outChannels", outChannels]] as const)
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`Conv2d: ${k} must be a positive integer, found ${v}`);
    this.kernelSize = pair2(kernelSize, "Conv2d kernelSize", 1);
    this.stride = pair2(stride, "Conv2d stride", 1);
    this.padding = pair2(padding, "Conv2d padding", 0);
    this.dilation = pair2(dilation, "Conv2d dilation", 1);
    const [kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt(inChannels * kh * kw);
    this.registerParameter("weight", uniform([outChannels, inChannels, kh, kw], bound, init));
    this.registerParameter("bias", bias ? uniform([outChannels], bound, init) : null);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt2(this.kernelSize)}, stride=${fmt2(this.stride)}, padding=${fmt2(this.padding)}` +
      (this.dilation.some((d) => d !== 1) ? `, dilation=${fmt2(this.dilation)}` : "") + `, bias=${this.bias !== null}`;
  }
}

/**
 * The maximum over each window of [N, C, H, W] inputs.
 * @example new MaxPool2d(2).call(randn([64, 16, 28, 28])).shape; // [64, 16, 14, 14]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(kernelSize: Size2, stride: Size2 = kernelSize, padding: Size2 = 0) {
    super();
    this.kernelSize = pair2(kernelSize, "MaxPool2d kernelSize", 1);
    this.stride = pair2(stride, "MaxPool2d stride", 1);
    this.padding = pair2(padding, "MaxPool2d padding", 0);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }

  override extraRepr(): string {
    return `kernelSize=${fmt2(this.kernelSize)}, stride=${fmt2(this.stride)}, padding=${fmt2(this.padding)}`;
  }
}
