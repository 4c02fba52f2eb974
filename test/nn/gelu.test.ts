import { describe, expect, it } from "vitest";
import { Generator, type Tensor, erf, gelu, gradients, nn, sum, tensor } from "../../src/index.js";
import { GPT } from "../../src/nn/layers/language.js";
import { expectClose, expectGradcheck, rnd } from "./helpers.js";

// PyTorch 1.13 (/usr/bin/python3), float64: F.gelu(x), its first and second derivatives by autograd, torch.erf(x),
// and F.gelu in float32. The points cover every interval of the erf kernel (|x| < 0.84375, < 1.25, < 1/0.35, < 6, beyond).
const X = [-9.0, -6.5, -5.0, -3.7, -2.9, -2.0, -1.3, -1.0, -0.85, -0.5, -0.001, 0.0, 0.001, 0.3, 0.84, 0.9, 1.2, 1.26, 2.5, 2.86, 3.4, 5.5, 7.0];
const Y = [-0.0, -2.610399119085116e-10, -1.4332578593401202e-06, -0.000398859013866415, -0.00541085857111373, -0.04550026389635842, -0.1258406299612934, -0.15865525393145702, -0.1680131616542885, -0.15426876936299344, -0.000499601057786089, 0.0, 0.000500398942213911, 0.1853734266566858, 0.6716184776612223, 0.7343458871879165, 1.0619163957339501, 1.1291683017871614, 2.4844758366855597, 2.8539419335844425, 3.3988544404966987, 5.499999895557407, 6.999999999991041];
const G = [-9.251796214502024e-18, -1.6950518131483907e-09, -7.1469460018034646e-06, -0.0014638872675603709, -0.015396530716965931, -0.08523180107819692, -0.12597868507653925, -0.08331547058768635, -0.03862461008865462, 0.13250487534383712, 0.4992021157051586, 0.5, 0.5007978842948414, 0.7323277668271099, 1.0350346078448316, 1.0554165995621199, 1.1179535957581472, 1.1234329845448208, 1.037611085908145, 1.016984660853715, 1.0038526159071315, 1.00000057334724, 1.0000000000626632];
const H = [-8.121021121618443e-17, -1.074496537442048e-08, -3.4194548838888845e-05, -0.004965681362738284, -0.038155732810763225, -0.10798193302637613, 0.05312426353482025, 0.24197072451914337, 0.355125692032348, 0.6161143218375241, 0.7978837629186039, 0.7978845608028654, 0.7978837629186039, 0.728450727529601, 0.36287702875080485, 0.3166414473795182, 0.10874419079059927, 0.07438506771484793, -0.07449527709766629, -0.041275548978776506, -0.011780015250602068, -3.042457212018476e-06, -4.293318591931359e-10];
const ERF = [-1.0, -1.0, -0.9999999999984626, -0.9999998328489421, -0.9999589021219005, -0.9953222650189527, -0.9340079449406524, -0.8427007929497149, -0.7706680576083526, -0.5204998778130465, -0.0011283787909692365, 0.0, 0.0011283787909692365, 0.3286267594591274, 0.7651427114549946, 0.7969082124228322, 0.9103139782296354, 0.9252359418101295, 0.999593047982555, 0.9999475988269556, 0.9999984780066371, 0.9999999999999927, 1.0];
const F32 = [0.0, 0.0, -1.4901161193847656e-06, -0.00039895178633742034, -0.005411091726273298, -0.045500099658966064, -0.1258406937122345, -0.1586552858352661, -0.16801312565803528, -0.1542687863111496, -0.0004996011266484857, 0.0, 0.0005003989208489656, 0.1853734254837036, 0.6716184616088867, 0.7343459129333496, 1.0619163513183594, 1.129168152809143, 2.48447585105896, 2.8539416790008545, 3.3988544940948486, 5.5, 7.0];

/** |a − e| ≤ rtol·|e| + atol entry by entry, naming the first entry off. */
function expectRel(a: ArrayLike<number>, e: number[], rtol: number, atol = 0): void {
  expect(a.length).toBe(e.length);
  e.forEach((v, i) => { if (!(Math.abs(a[i] - v) <= rtol * Math.abs(v) + atol)) expect.fail(`entry ${i} (x = ${X[i]}): ${a[i]} vs PyTorch ${v}`); });
}

describe("gelu, one fused primitive (and its derivative geluGrad)", () => {
  const x64 = () => tensor(X, { dtype: "float64", requiresGrad: true });

  it("computes erf to float64 rounding on every interval of its kernel", () => expectRel(erf(x64()).data, ERF, 4e-16));

  it("agrees with PyTorch's F.gelu in float64 and float32", () => {
    // NOTE: below about −5, 1 + erf(x/√2) cancels, in PyTorch as here, so the tail is compared absolutely;
    // PyTorch's float32 kernel cancels in float32 (0 at −6.5), this one in float64 before rounding, hence 3e-7
    expectRel(gelu(x64()).data, Y, 1e-14, 1e-22);
    expectRel(gelu(tensor(X)).data, F32, 2e-7, 3e-7);
  });

  it("has PyTorch's first and second derivatives (the rule is written with ops)", () => {
    const x = x64();
    const [g] = gradients(sum(gelu(x)), [x], { createGraph: true });
    expectRel(g.data, G, 1e-13, 1e-22);
    const [h] = gradients(sum(g), [x]);
    expectRel(h.data, H, 1e-12, 1e-21);
  });

  it("is one node on the graph, and passes gradcheck there and in second order", () => {
    const x = rnd([4, 5], 3).mul(2).requiresGrad_();
    expect(gelu(x).op).toBe("gelu");
    // and its gradient is ḡ · geluGrad(x), one kernel too, itself differentiable
    const [g] = gradients(sum(gelu(x)), [x], { createGraph: true });
    expect([g.op, ...g._node!.inputs.map((t) => t.op)]).toContain("geluGrad");
    expectGradcheck((t) => gelu(t), [x]);
    expectGradcheck((t) => gradients(sum(gelu(t)), [t], { createGraph: true })[0], [x]);
  });

  it("is what nn.GELU and the transformer block's MLP run", () => {
    expect(new nn.GELU().call(tensor([1, -2], { requiresGrad: true })).op).toBe("gelu");
    const net = new GPT(5, { block: 4, embedDim: 8, numHeads: 2, numLayers: 1, generator: new Generator(0) });
    const ops = new Set<string>(), seen = new Set<Tensor>();
    const walk = (t: Tensor): void => {
      if (seen.has(t) || t._node === null) return;
      seen.add(t);
      ops.add(t.op!);
      for (const i of t._node.inputs) walk(i);
    };
    walk(net.call(tensor(new Int32Array([1, 2, 3, 0]), { shape: [1, 4], dtype: "int32" })));
    expect(ops.has("gelu")).toBe(true);
    expect(ops.has("erf")).toBe(false);
  });
});
