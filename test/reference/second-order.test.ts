import { describe, expect, it } from "vitest";
import {
  type Tensor, add, binaryCrossEntropyWithLogits, crossEntropy, div, erf, exp, gelu, grad, gradients, log, logSoftmax, logSumExp, matmul, mse, mul, pow,
  sigmoid, softmax, softplus, sqrt, sum, tanh,
} from "../../src/index.js";
import { type Enc, decode, expectMatch, expectSameNames, load, nonTrivial, weighted } from "./harness.js";

interface SecondCase {
  name: string;
  inputs: Enc[];
  /** The inputs differentiated (floats; labels are not). */
  wrt: number[];
  out: Enc;
  weights: Enc;
  /** One per differentiated input: the direction of the second differentiation. */
  v: Enc[];
  /** gᵢ = ∂(Σ w ⊙ out)/∂xᵢ. */
  grad1: Enc[];
  /** ∂(Σᵢ Σ vᵢ ⊙ gᵢ)/∂xⱼ. */
  grad2: Enc[];
}

const fixture = load<SecondCase>("second_order");

const table: Record<string, (xs: Tensor[]) => Tensor> = {
  tanh: ([x]) => tanh(x),
  sigmoid: ([x]) => sigmoid(x),
  exp: ([x]) => exp(x),
  log: ([x]) => log(x),
  sqrt: ([x]) => sqrt(x),
  softplus: ([x]) => softplus(x),
  gelu: ([x]) => gelu(x),
  erf: ([x]) => erf(x),
  mul: ([a, b]) => mul(a, b),
  div: ([a, b]) => div(a, b),
  pow: ([a, b]) => pow(a, b),
  pow_number: ([x]) => pow(x, 3),
  matmul: ([a, b]) => matmul(a, b),
  matmul_nonlinear: ([a, b]) => tanh(matmul(a, b)),
  softmax: ([x]) => softmax(x, -1),
  "softmax_axis=0": ([x]) => softmax(x, 0),
  logSoftmax: ([x]) => logSoftmax(x, -1),
  logSumExp: ([x]) => logSumExp(x, 1),
  crossEntropy_labels: ([h, y]) => crossEntropy(h, y),
  crossEntropy_probs: ([h, p]) => crossEntropy(h, p),
  crossEntropy_probs_not_normalized: ([h, p]) => crossEntropy(h, p),
  "crossEntropy_probs,sum": ([h, p]) => crossEntropy(h, p, { reduction: "sum" }),
  "crossEntropy_labelSmoothing,weight": ([h, y, w]) => crossEntropy(h, y, { weight: w, labelSmoothing: 0.2 }),
  "crossEntropy_probs,weight": ([h, p, w]) => crossEntropy(h, p, { weight: w }),
  crossEntropy_nd_probs: ([h, p]) => crossEntropy(h, p),
  bceWithLogits: ([x, y]) => binaryCrossEntropyWithLogits(x, y),
  mse: ([a, b]) => mse(a, b),
};

function run(c: SecondCase, fn: (xs: Tensor[]) => Tensor): void {
  const xs = c.inputs.map((e, i) => decode(e, { requiresGrad: c.wrt.includes(i) }));
  const wrt = c.wrt.map((i) => xs[i]);
  const out = fn(xs);
  expectMatch(out, c.out, "output");
  const g1 = gradients(weighted(out, c.weights), wrt, { createGraph: true });
  g1.forEach((g, j) => expectMatch(g, c.grad1[j], `first gradient w.r.t. input ${c.wrt[j]}`));
  let h = sum(mul(g1[0], decode(c.v[0])));
  for (let j = 1; j < g1.length; j++) h = add(h, sum(mul(g1[j], decode(c.v[j]))));
  const g2 = gradients(h, wrt);
  g2.forEach((g, j) => expectMatch(g, c.grad2[j], `second gradient w.r.t. input ${c.wrt[j]}`));
}

/** The same through the functional API: grad(x ↦ Σᵢ Σ vᵢ ⊙ grad(f, { createGraph })(x)ᵢ). */
function runNested(c: SecondCase, fn: (xs: Tensor[]) => Tensor): void {
  const xs = c.inputs.map((e) => decode(e));
  const f = (...args: Tensor[]) => weighted(fn(args), c.weights);
  const df = grad(f, { argnums: c.wrt, createGraph: true }) as (...args: Tensor[]) => Tensor[];
  const g1 = df(...xs);
  g1.forEach((g, j) => expectMatch(g, c.grad1[j], `grad(f) w.r.t. input ${c.wrt[j]}`));
  const h = (...args: Tensor[]) => {
    const gs = df(...args);
    let s = sum(mul(gs[0], decode(c.v[0])));
    for (let j = 1; j < gs.length; j++) s = add(s, sum(mul(gs[j], decode(c.v[j]))));
    return s;
  };
  const g2 = (grad(h, { argnums: c.wrt }) as (...args: Tensor[]) => Tensor[])(...xs);
  g2.forEach((g, j) => expectMatch(g, c.grad2[j], `grad(grad(f)) w.r.t. input ${c.wrt[j]}`));
}

describe(`second derivatives against PyTorch ${fixture.torch}`, () => {
  it("has a chainrule function for every case and a case for every function", () => expectSameNames(fixture.cases, table));
  it("has non-zero first and second gradients in every case", () => {
    expect(fixture.cases.filter((c) => !c.grad1.some(nonTrivial) || !c.grad2.some(nonTrivial)).map((c) => c.name)).toEqual([]);
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (name, c) => run(c, table[name]));
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s through grad(grad(f))", (name, c) => runNested(c, table[name]));
});
