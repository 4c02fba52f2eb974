import { ValueError } from "../../errors.js";
import { gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from "../../ops/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { integer } from "../util.js";

/** max(x, 0). @example new ReLU().call(tensor([-1, 2])); // [0, 2] */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}

/** x for x > 0, slope·x otherwise. @example new LeakyReLU(0.1).call(tensor([-1, 2])); // [-0.1, 2] */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== "number") throw new ValueError(`LeakyReLU: negativeSlope must be a number, found ${JSON.stringify(negativeSlope)}`);
  }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

/** 1/(1 + e^−x). @example new Sigmoid().call(tensor([0])); // [0.5] */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

/** tanh(x). @example new Tanh().call(tensor([0])); // [0] */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

/** x·Φ(x) with the exact Gaussian CDF. @example new GELU().call(tensor([1])); // [0.8413] */
export class GELU extends Module {
  forward(x: Tensor): Tensor { return gelu(x); }
}

/** exp(x)/Σexp(x) along `axis`. @example new Softmax(1).call(randn([4, 10])); */
export class Softmax extends Module {
  constructor(readonly axis = -1) { super(); integer("Softmax", "axis", axis); }
  forward(x: Tensor): Tensor { return softmax(x, this.axis); }
  override extraRepr(): string { return `axis=${this.axis}`; }
}

/** log softmax(x) along `axis`, stably. @example new LogSoftmax(1).call(randn([4, 10])); */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) { super(); integer("LogSoftmax", "axis", axis); }
  forward(x: Tensor): Tensor { return logSoftmax(x, this.axis); }
  override extraRepr(): string { return `axis=${this.axis}`; }
}

/** Returns its input. @example new Identity().call(x) === x; */
export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}
