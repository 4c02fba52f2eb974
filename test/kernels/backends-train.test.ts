import { afterAll, describe, expect, it } from "vitest";
import { Generator, SGD, crossEntropy, getBackend, mlp, randint, randn, setBackend, setNumThreads } from "../../src/index.js";
import { registeredBackends } from "../../src/kernels/index.js";

/** Losses of 30 SGD steps of a 256-512-256-10 MLP from seed 0 (products big enough to split across threads). */
function losses(backend: string): number[] {
  setBackend(backend);
  const g = new Generator(0);
  const model = mlp("256-512-256-10", { generator: g });
  const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
  const x = randn([64, 256], { generator: g }), y = randint(0, 10, [64], { generator: g });
  const out: number[] = [];
  for (let i = 0; i < 30; i++) {
    opt.zeroGrad();
    const l = crossEntropy(model.call(x), y);
    l.backward();
    opt.step();
    out.push(l.item());
  }
  return out;
}

const initial = getBackend().name;
afterAll(() => setBackend(initial));

describe.runIf(registeredBackends().some((b) => b.name === "wasm"))("training on the WASM backend", () => {
  it("is the default where the engine has WASM SIMD, and says what it runs on", () => {
    expect(initial).toBe("wasm");
    expect(getBackend().detail).toMatch(/^(relaxed )?SIMD, \d+ threads?$/);
    expect(getBackend().kernels.matmul).toEqual({ float32: "wasm", float64: "ts", int32: "ts" });
  });

  it("gives the reference backend's losses within float32 rounding, on 1 and 2 threads, and the same ones run twice", () => {
    const ref = losses("ts");
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      const w = losses("wasm");
      expect(losses("wasm")).toEqual(w);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(w[i] - ref[i]), `step ${i}: ${w[i]} vs ${ref[i]}`).toBeLessThan(1e-4 * Math.max(1, ref[i]));
    }
    expect(ref.at(-1)!).toBeLessThan(ref[0] * 0.5);
  });
});
