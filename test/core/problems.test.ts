import { describe, expect, it } from "vitest";
import { type Tensor, gradients, oneHot, randn, scalar, tensor, Generator, matmul } from "../../src/index.js";

const o = { requiresGrad: true, dtype: "float64" as const };

describe("P1: scalar graph with a residual connection", () => {
  function p1() {
    const x0 = scalar(1.0, { ...o, name: "x0" }), w0 = scalar(0.3, { ...o, name: "w0" }), w1 = scalar(-0.2, { ...o, name: "w1" });
    const b0 = scalar(0.1, { ...o, name: "b0" }), b1 = scalar(-0.3, { ...o, name: "b1" });
    const x1 = x0.mul(w0).add(b0).relu();
    const y1 = x1.mul(w1).add(b1);
    const z = y1.add(x0).relu();
    return { x0, w0, w1, b0, b1, x1, y1, z };
  }

  it("forward values: x1 = 0.4, y1 = −0.38, z = 0.62", () => {
    const { x1, y1, z } = p1();
    expect(x1.item()).toBeCloseTo(0.4, 12);
    expect(y1.item()).toBeCloseTo(-0.38, 12);
    expect(z.item()).toBeCloseTo(0.62, 12);
  });

  it("gradients, including dz/dx0 through both the branch and the skip path", () => {
    const { x0, w0, w1, b0, b1, z } = p1();
    z.backward();
    // Independent derivation: ReLU'(0.62) = 1, ReLU'(0.4) = 1.
    expect(w0.grad!.item()).toBeCloseTo(1 * -0.2 * 1 * 1.0, 12);
    expect(w1.grad!.item()).toBeCloseTo(0.4, 12);
    expect(b0.grad!.item()).toBeCloseTo(-0.2, 12);
    expect(b1.grad!.item()).toBeCloseTo(1, 12);
    const branch = 1 * -0.2 * 1 * 0.3, skip = 1;
    expect(x0.grad!.item()).toBeCloseTo(branch + skip, 12);
    expect(Math.abs(x0.grad!.item() - 0.94)).toBeLessThan(1e-12);
  });

  it("keeps the names on the graph", () => {
    const { x0, z } = p1();
    expect(x0.name).toBe("x0");
    expect(z.op).toBe("relu");
  });
});

describe("P4: the softmax cross-entropy gradient is softmax(h) − y", () => {
  it("through logSoftmax, for random logits and a one-hot target", () => {
    const g = new Generator(4);
    const h = randn([5], { generator: g, dtype: "float64", requiresGrad: true });
    const y = oneHot(tensor([3], { dtype: "int32" }), 5, { dtype: "float64" }).reshape(5);
    const L = y.mul(h.logSoftmax()).sum().neg();
    L.backward();
    // Independent: softmax in plain JS.
    const e = Array.from(h.data, (v) => Math.exp(v));
    const s = e.reduce((a, b) => a + b, 0);
    const expected = e.map((v, i) => v / s - (i === 3 ? 1 : 0));
    Array.from(h.grad!.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("stays finite for large logits", () => {
    const h = tensor([1000, -1000, 0], { dtype: "float64", requiresGrad: true });
    const L = h.logSoftmax().select(0, 1).neg();
    L.backward();
    expect(L.item()).toBe(2000);
    expect(Array.from(h.grad!.data)).toEqual([1, -1, 0]);
  });
});

/** An independent plain-JS implementation of P5's forward and gradient formulas. */
function p5Reference(X: number[][], y: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], lambda: number) {
  const N = X.length, D = W1.length, H = b1.length, C = b2.length;
  const mm = (A: number[][], B: number[][]) => A.map((r) => B[0].map((_, j) => r.reduce((s, v, k) => s + v * B[k][j], 0)));
  const T = (A: number[][]) => A[0].map((_, j) => A.map((r) => r[j]));
  const Z1 = mm(X, W1).map((r) => r.map((v, j) => v + b1[j]));
  const H1 = Z1.map((r) => r.map((v) => Math.max(v, 0)));
  const S = mm(H1, W2).map((r) => r.map((v, j) => v + b2[j]));
  const P = S.map((r) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
  let loss = 0;
  for (let n = 0; n < N; n++) loss -= Math.log(P[n][y[n]]) / N;
  const sq = (W: number[][]) => W.flat().reduce((s, v) => s + v * v, 0);
  loss += (lambda / 2) * (sq(W1) + sq(W2));
  const dS = P.map((r, n) => r.map((v, c) => (v - (c === y[n] ? 1 : 0)) / N)); // (P − Y)/N  [N×C]
  const dW2 = mm(T(H1), dS).map((r, i) => r.map((v, j) => v + lambda * W2[i][j])); // H1ᵀ·dS + λW2  [H×C]
  const db2 = dS[0].map((_, c) => dS.reduce((s, r) => s + r[c], 0)); // Σₙ dS  [C]
  const dH1 = mm(dS, T(W2)); // dS·W2ᵀ  [N×H]
  const dZ1 = dH1.map((r, n) => r.map((v, j) => (Z1[n][j] > 0 ? v : 0))); // ⊙ 1[Z1 > 0]
  const dW1 = mm(T(X), dZ1).map((r, i) => r.map((v, j) => v + lambda * W1[i][j])); // Xᵀ·dZ1 + λW1  [D×H]
  const db1 = dZ1[0].map((_, j) => dZ1.reduce((s, r) => s + r[j], 0));
  void D; void H; void C;
  return { loss, dW1, db1, dW2, db2 };
}

describe("P5: the two-layer classifier's four gradients match the matrix formulas", () => {
  it("to 1e-10 in float64", () => {
    const g = new Generator(5);
    const N = 6, D = 5, H = 7, C = 4, lambda = 0.1;
    const X = randn([N, D], { generator: g, dtype: "float64" });
    const labels = tensor([0, 3, 1, 2, 3, 0], { dtype: "int32" });
    const W1 = randn([D, H], { ...o, generator: g }), b1 = randn([H], { ...o, generator: g });
    const W2 = randn([H, C], { ...o, generator: g }), b2 = randn([C], { ...o, generator: g });
    const scores = matmul(matmul(X, W1).add(b1).relu(), W2).add(b2);
    const Y = oneHot(labels, C, { dtype: "float64" });
    const data = scores.logSoftmax().mul(Y).sum().neg().div(N);
    const L = data.add(W1.square().sum().add(W2.square().sum()).mul(lambda / 2));
    const grads = gradients(L, [W1, b1, W2, b2]);
    const ref = p5Reference(X.toArray(), Array.from(labels.data), W1.toArray(), Array.from(b1.data), W2.toArray(), Array.from(b2.data), lambda);
    expect(Math.abs(L.item() - ref.loss)).toBeLessThan(1e-10);
    const close = (t: Tensor, r: number[] | number[][]) =>
      Array.from(t.data).forEach((v, i) => expect(Math.abs(v - (r.flat() as number[])[i])).toBeLessThan(1e-10));
    close(grads[0], ref.dW1);
    close(grads[1], ref.db1);
    close(grads[2], ref.dW2);
    close(grads[3], ref.db2);
  });
});
