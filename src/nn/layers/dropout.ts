import { ValueError } from "../../errors.js";
import { defaultGenerator, type Generator } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOptions } from "../../options.js";
import { dropout } from "../functional.js";
import { Module } from "../module.js";

/**
 * Inverted dropout: in training mode zeroes each element with probability p and scales the rest
 * by 1/(1 − p); the identity in eval mode.
 * @example const drop = new Dropout(0.5, { generator: new Generator(1) });
 */
export class Dropout extends Module {
  readonly generator: Generator;

  constructor(readonly p = 0.5, opts: { generator?: Generator } = {}) {
    super();
    const { generator = defaultGenerator } = checkOptions("Dropout", opts, ["generator"]);
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be in [0, 1], found ${JSON.stringify(p)}`);
    this.generator = generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
