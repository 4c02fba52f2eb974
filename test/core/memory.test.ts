import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { Generator, matmul, noGrad, oneHot, randint, randn } from "../../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("memory", () => {
  it("stays flat over 10,000 training steps of the P5 network (no dispose, no tidy)", () => {
    const g = new Generator(0);
    const N = 16, D = 20, H = 32, C = 4, lambda = 1e-4, lr = 0.05;
    const X = randn([N, D], { generator: g });
    const Y = oneHot(randint(0, C, [N], { generator: g }), C);
    const params = [randn([D, H], { generator: g }).mul(0.1), randn([H], { generator: g }).mul(0), randn([H, C], { generator: g }).mul(0.1), randn([C], { generator: g }).mul(0)];
    params.forEach((p) => (p.requiresGrad = true));
    const [W1, b1, W2, b2] = params;
    const samples: number[] = [];
    let first = 0, last = 0;
    for (let step = 1; step <= 10_000; step++) {
      const scores = matmul(matmul(X, W1).add(b1).relu(), W2).add(b2);
      const L = scores.logSoftmax().mul(Y).sum().neg().div(N).add(W1.square().sum().add(W2.square().sum()).mul(lambda / 2));
      L.backward();
      noGrad(() => {
        for (const p of params) {
          const d = p.data, gd = p.grad!.data;
          for (let i = 0; i < d.length; i++) d[i] -= lr * gd[i];
          p.zeroGrad();
        }
      });
      if (step === 1) first = L.item();
      last = L.item();
      if (step % 1000 === 0) {
        gc();
        samples.push(process.memoryUsage().heapUsed);
      }
    }
    expect(last).toBeLessThan(first);
    const growth = samples[samples.length - 1] - samples[1];
    expect(growth, `heapUsed samples (MB): ${samples.map((s) => (s / 2 ** 20).toFixed(2)).join(", ")}`).toBeLessThan(2 * 2 ** 20);
  }, 120_000);
});
