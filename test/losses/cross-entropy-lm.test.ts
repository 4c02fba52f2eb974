import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/errors.js";
import { crossEntropy } from "../../src/losses/index.js";
import { tensor } from "../../src/tensor/create.js";
import { expectClose } from "../nn/helpers.js";

// Language-model logits [B, T, C] = [2, 3, 5] with targets [B, T] holding ignoreIndex −100; the values are
// PyTorch 1.13's (float64): F.cross_entropy(logits.reshape(-1, C), tg.reshape(-1)) and F.cross_entropy(logits.transpose(1, 2), tg).
const [B, T, C] = [2, 3, 5];
const values = Array.from({ length: B * T * C }, (_, i) => {
  const [b, t, c] = [Math.floor(i / (T * C)), Math.floor(i / C) % T, i % C];
  return (((b * 7 + t * 3 + c * 5) % 11) - 5) / 3;
});
const targets = () => tensor(Int32Array.from([1, -100, 4, 0, 2, -100]), { shape: [B, T] });
const logits = () => tensor(Float64Array.from(values), { shape: [B, T, C], requiresGrad: true });
const TORCH = {
  mean: 1.7543431011505604,
  grad: [0.00429514004937211, -0.22725942374322403, 0.12039975473345543, 0.016294334908470886, 0.08627019405192558, 0, 0, 0, 0, 0,
    0.04059132396729708, 0.005493438326063257, 0.02908495456021264, 0.15399000253741876, -0.22915971939099172,
    -0.14846708367500822, 0.013740985988682062, 0.07275151360072525, 0.009845846699046427, 0.052128737386554505,
    0.10153291632499178, 0.013740985988682062, -0.17724848639927476, 0.009845846699046427, 0.052128737386554505, 0, 0, 0, 0, 0],
  none: [2.3973100887538137, 0, 2.4845732361441097, 0.901077873185492, 1.2344112065188255, 0],
  smoothed: 1.786009767817227,
  weighted: 2.1179420557515174,
};

describe("crossEntropy over language-model logits [B, T, C], as PyTorch", () => {
  it("logits.reshape([-1, C]) with targets.reshape([-1]): a view of the same data, PyTorch's loss and gradient, ignoreIndex −100 left out", () => {
    const h = logits();
    const rows = h.reshape([-1, C]);
    expect(rows.shape).toEqual([B * T, C]);
    expect(rows.data).toBe(h.data);
    const loss = crossEntropy(rows, targets().reshape([-1]));
    expect(loss.item()).toBeCloseTo(TORCH.mean, 14);
    loss.backward();
    expectClose(h.grad!.data, TORCH.grad, 1e-13);
  });

  it("logits.transpose(1, 2) [B, C, T] with targets [B, T] (PyTorch's way): the same loss and gradient, losses [B, T] for reduction none", () => {
    const h = logits();
    const loss = crossEntropy(h.transpose(1, 2), targets());
    expect(loss.item()).toBeCloseTo(TORCH.mean, 14);
    loss.backward();
    expectClose(h.grad!.data, TORCH.grad, 1e-13);
    const none = crossEntropy(h.transpose(1, 2), targets(), { reduction: "none" });
    expect(none.shape).toEqual([B, T]);
    expectClose(none.data, TORCH.none, 1e-13);
    expect(crossEntropy(h.transpose(1, 2), targets(), { labelSmoothing: 0.1 }).item()).toBeCloseTo(TORCH.smoothed, 13);
    const weight = tensor([1, 2, 0.5, 1.5, 3], { dtype: "float64" });
    expect(crossEntropy(h.transpose(1, 2), targets(), { weight }).item()).toBeCloseTo(TORCH.weighted, 13);
  });

  it("reads [B, T, C] with targets [B, T] as PyTorch does (classes on axis 1), so it refuses them and says which forms to use", () => {
    const call = () => crossEntropy(logits(), targets());
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("crossEntropy: logits [2, 3, 5] and target [2, 3] differ in shape; the classes are on axis 1 (as PyTorch): for [B, T, C] logits pass logits.reshape([-1, C]) with target.reshape([-1]), or logits.transpose(1, 2)");
  });
});
