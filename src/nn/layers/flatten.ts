import { flatten } from "../../ops/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { integer } from "../util.js";

/**
 * Collapses dimensions startDim..endDim into one (by default all but the batch axis).
 * @example new Flatten().call(randn([64, 16, 4, 4])).shape; // [64, 256]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    integer("Flatten", "startDim", startDim);
    integer("Flatten", "endDim", endDim);
  }
  forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
  override extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}
