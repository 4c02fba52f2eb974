import { describe, expect, it } from "vitest";
import { CosineAnnealingLR, DataLoader, Generator, SGD, TensorDataset, decodeCheckpoint, encodeCheckpoint, evaluate, fit, fromRaw, mlp, predict, spiral } from "../../src/index.js";
import { loadDigits } from "../../src/node/digits.js";

const quiet = { progress: "none" as const };

function spiralRun(seed: number) {
  const data = fromRaw(spiral({ n: 60, classes: 3, seed: 1 }));
  const model = mlp("2-16-3", { generator: new Generator(seed) });
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  return { model, optimizer, history: fit(model, data, { epochs: 4, batchSize: 16, optimizer, seed, ...quiet }) };
}

describe("fit", () => {
  it("repeats exactly with the same seed", () => {
    const a = spiralRun(3).history.map((h) => h.loss);
    const b = spiralRun(3).history.map((h) => h.loss);
    expect(a).toEqual(b);
    expect(spiralRun(4).history.map((h) => h.loss)).not.toEqual(a);
  });

  it("resumes exactly from a checkpoint (model, optimizer state, epoch)", () => {
    const data = fromRaw(spiral({ n: 60, classes: 3, seed: 1 }));
    const straight = (() => {
      const model = mlp("2-16-3", { generator: new Generator(1) });
      const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      return { model, history: fit(model, data, { epochs: 4, batchSize: 16, optimizer, seed: 2, ...quiet }) };
    })();
    const first = mlp("2-16-3", { generator: new Generator(1) });
    const opt1 = new SGD(first.parameters(), { lr: 0.1, momentum: 0.9 });
    const h1 = fit(first, data, { epochs: 2, batchSize: 16, optimizer: opt1, seed: 2, ...quiet });
    const ckpt = decodeCheckpoint(encodeCheckpoint(first, { optimizer: opt1, training: { history: h1 } }));
    const second = mlp("2-16-3", { generator: new Generator(99) });
    second.loadStateDict(ckpt.state);
    const opt2 = new SGD(second.parameters(), { lr: 0.1, momentum: 0.9 });
    opt2.loadStateDict(ckpt.optimizer!);
    const h2 = fit(second, data, { epochs: 4, batchSize: 16, optimizer: opt2, seed: 2, startEpoch: 2, history: h1, ...quiet });
    expect(h2.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(second.parameters().map((p) => Array.from(p.data))).toEqual(straight.model.parameters().map((p) => Array.from(p.data)));
  });

  it("trains 784-128-10 on the digits to at least 94% test accuracy in 3 epochs", () => {
    const train = fromRaw(loadDigits("train")), test = fromRaw(loadDigits("test"));
    const model = mlp("784-128-10", { generator: new Generator(0) });
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
    const schedule = new CosineAnnealingLR(optimizer, { tMax: 3 });
    const history = fit(model, train, { epochs: 3, batchSize: 64, optimizer, schedule, seed: 0, metrics: ["accuracy"], validation: test, ...quiet });
    const r = evaluate(model, test);
    expect(r.n).toBe(1996);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.94);
    expect(history[2].valAccuracy).toBe(r.accuracy);
    expect(history[2].loss).toBeLessThan(history[0].loss);
    const p = predict(model, new DataLoader(test, { batchSize: 5 })[Symbol.iterator]().next().value![0]);
    expect(p.shape).toEqual([5, 10]);
  }, 120_000);

  it("prints one plain line per epoch without a terminal", () => {
    const lines: string[] = [];
    const data = new TensorDataset(...fromRaw(spiral({ n: 20, seed: 0 })).tensors);
    const model = mlp("2-4-3");
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      fit(model, data, { epochs: 2, optimizer: new SGD(model.parameters(), { lr: 0.1 }), metrics: ["accuracy"] });
    } finally {
      console.log = log;
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}loss \d+\.\d{4} {2}acc \d+\.\d+% {2}lr 0\.100 {2}\d+ samples\/s/);
  });
});
