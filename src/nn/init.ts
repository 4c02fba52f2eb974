import { checkOptions } from "../options.js";
import { zeros } from "../tensor/create.js";
import type { DType } from "../tensor/dtype.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

/** Options of layers that create parameters. */
export interface InitOptions {
  dtype?: DType;
  /** The source of the initial values (default: the default generator). */
  generator?: Generator;
}

/**
 * U(−bound, bound) values. PyTorch's default for Linear and Conv2d weights, kaiming_uniform with
 * a = √5, has bound = √(6 / ((1 + a²)·fanIn)) = 1/√fanIn, the same as its bias bound.
 */
export function uniform(shape: readonly number[], bound: number, opts: InitOptions = {}): Tensor {
  const { dtype = "float32", generator = defaultGenerator } = checkOptions("init", opts, ["dtype", "generator"]);
  const t = zeros(shape, { dtype });
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * generator.uniform() - 1) * bound;
  return t;
}
