import { ValueError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocResident } from "../../kernels/index.js";
import { checkOptions } from "../../options.js";
import { linear } from "../functional.js";
import { type InitOptions, uniform } from "../init.js";
import { Module } from "../module.js";

/** The same values in storage the kernels use in place (the WASM memory, on that backend). */
function resident(t: Tensor): Tensor {
  const data = allocResident(t.dtype, t.size);
  data.set(t.data);
  return new Tensor(data, t.shape, t.dtype);
}

/**
 * A fully connected layer y = x·Wᵀ + b with W [outFeatures, inFeatures] and b [outFeatures], as
 * PyTorch lays them, initialized from U(−1/√in, 1/√in) like PyTorch.
 * @example
 * const fc = new Linear(80, 1024, { generator: new Generator(0) });
 * fc.call(randn([32, 80])).shape; // [32, 1024]
 */
export class Linear extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean } & InitOptions = {}) {
    super();
    const { bias = true, ...init } = checkOptions("Linear", opts, ["bias", "dtype", "generator"]);
    for (const [k, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const)
      if (!Number.isInteger(v) || v < 0) throw new ValueError(`Linear: ${k} must be a non-negative integer, found ${v}`);
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.registerParameter("weight", resident(uniform([outFeatures, inFeatures], bound, init)));
    this.registerParameter("bias", bias ? resident(uniform([outFeatures], bound, init)) : null);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
