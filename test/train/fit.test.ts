import { describe, expect, it } from "vitest";
import { CosineAnnealingLR, DataLoader, Generator, SGD, TensorDataset, ValueError, crossEntropy, decodeCheckpoint, encodeCheckpoint, evaluate, fit, fromRaw, mlp, predict, spiral } from "../../src/index.js";
import { DivergenceError, fitSteps, type EpochLog } from "../../src/train/fit.js";
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

describe("fit stops on a loss that becomes NaN or ∞", () => {
  it("names the epoch and step, suggests a smaller learning rate, and never reaches onEpochEnd with bad weights", () => {
    const data = fromRaw(spiral({ n: 20, classes: 3, seed: 0 }));
    const model = mlp("2-8-3", { generator: new Generator(0) });
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    let calls = 0;
    const epochsSaved: number[] = [];
    // 60 samples in batches of 16: 4 steps per epoch; the 7th loss (epoch 2, step 3) is NaN.
    const loss = (o: Parameters<typeof crossEntropy>[0], t: Parameters<typeof crossEntropy>[1]) => (++calls === 7 ? crossEntropy(o, t).sub(1e6).log() : crossEntropy(o, t));
    let err: unknown;
    try {
      fit(model, data, { epochs: 3, batchSize: 16, optimizer, loss, progress: "none", callbacks: { onEpochEnd: (l) => void epochsSaved.push(l.epoch) } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toBe("fit: the loss became NaN at epoch 2/3, step 3/4 (lr 0.1); training stopped before the weights were updated with it: try a smaller learning rate");
    expect(epochsSaved).toEqual([0]);
    expect(model.parameters().every((p) => Array.from(p.data).every(Number.isFinite))).toBe(true);
  });

  it("stops a learning rate that overflows the weights (lr 1e30) instead of training on NaN", () => {
    const data = fromRaw(spiral({ n: 30, classes: 3, seed: 0 }));
    const model = mlp("2-16-3", { generator: new Generator(0) });
    const saved: EpochLog[] = [];
    expect(() => fit(model, data, { epochs: 5, batchSize: 8, optimizer: new SGD(model.parameters(), { lr: 1e30 }), progress: "none", callbacks: { onEpochEnd: (l) => void saved.push(l) } }))
      .toThrow(/^fit: the (loss|weights) became (NaN|Infinity|-Infinity|non-finite) at epoch \d\/5, step \d+\/12 \(lr 1e\+30\).*try a smaller learning rate$/);
    expect(saved.every((l) => Number.isFinite(l.loss))).toBe(true);
  });

  it("refuses empty training data and unknown options", () => {
    const model = mlp("2-3");
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const empty = fromRaw({ x: new Float32Array(0), y: new Int32Array(0), n: 0, sampleShape: [2], classes: 0 });
    expect(() => fit(model, empty, { optimizer, progress: "none" })).toThrow("fit: the training data has no samples");
    expect(() => evaluate(model, empty)).toThrow("evaluate: the data has no samples");
    expect(() => fit(model, empty, { optimizer, validationSplitt: 0.1 } as never)).toThrow('fit: unknown option "validationSplitt" (did you mean "validationSplit"?)');
    expect(() => evaluate(model, empty, { batchsize: 2 } as never)).toThrow('evaluate: unknown option "batchsize" (did you mean "batchSize"?)');
    expect(() => predict(model, empty.tensors[0], { batch: 2 } as never)).toThrow('predict: unknown option "batch"');
  });
});

describe("fit({ validationSplit })", () => {
  it("validates on a seeded random part of the data, as PyTorch's random_split", () => {
    const raw = spiral({ n: 20, classes: 3, seed: 0 }); // sorted by class: a tail split would hold one class
    const data = fromRaw(raw);
    const run = (seed: number) => {
      const model = mlp("2-8-3", { generator: new Generator(0) });
      const history = fit(model, data, { epochs: 2, batchSize: 8, optimizer: new SGD(model.parameters(), { lr: 0.1 }), metrics: ["accuracy"], validationSplit: 0.25, seed, progress: "none" });
      return { model, history };
    };
    const { model, history } = run(3);
    // 60 samples: 15 drawn by a permutation from the seed validate, the other 45 train, each in data order.
    const perm = new Generator(3).permutation(60);
    const valIdx = [...perm.slice(0, 15)].sort((a, b) => a - b);
    const trainIdx = [...perm.slice(15)].sort((a, b) => a - b);
    expect(new Set(valIdx.map((i) => raw.y[i])).size).toBe(3);
    const [x, y] = data.tensors;
    const pick = (idx: number[]) => new TensorDataset(x.indexSelect(0, idx), y.indexSelect(0, idx));
    const v = evaluate(model, pick(valIdx), { batchSize: 8 });
    expect(history[1].valLoss).toBeCloseTo(v.loss, 6);
    expect(history[1].valAccuracy).toBe(v.accuracy);
    const first = mlp("2-8-3", { generator: new Generator(0) });
    const straight = fit(first, pick(trainIdx), { epochs: 2, batchSize: 8, optimizer: new SGD(first.parameters(), { lr: 0.1 }), seed: 3, progress: "none" });
    expect(history.map((h) => h.loss)).toEqual(straight.map((h) => h.loss));
    expect(run(3).history).toEqual(history.map((h) => ({ ...h, seconds: expect.any(Number), samplesPerSecond: expect.any(Number) })));
    expect(run(4).history[1].valLoss).not.toBe(history[1].valLoss);
  });

  it("refuses a bad fraction, a DataLoader, and validation given twice", () => {
    const data = fromRaw(spiral({ n: 10, seed: 0 }));
    const model = mlp("2-3");
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    expect(() => fit(model, data, { optimizer, validationSplit: 1 })).toThrow("fit: validationSplit must be a number in (0, 1), found 1");
    expect(() => fit(model, data, { optimizer, validationSplit: -0.1 })).toThrow("fit: validationSplit must be a number in (0, 1), found -0.1");
    expect(fit(model, data, { optimizer, validationSplit: 0, progress: "none" })[0].valLoss).toBeUndefined();
    expect(() => fit(model, data, { optimizer, validationSplit: 0.99 })).toThrow("fit: validationSplit 0.99 of 30 samples leaves no training samples");
    expect(() => fit(model, new DataLoader(data), { optimizer, validationSplit: 0.1 })).toThrow("validationSplit needs a Dataset, not a DataLoader");
    expect(() => fit(model, data, { optimizer, validationSplit: 0.1, validation: data })).toThrow("give validation or validationSplit, not both");
  });
});

describe("fitSteps", () => {
  it("is fit one batch at a time, and stopping early ends the reporter", () => {
    const data = fromRaw(spiral({ n: 20, seed: 0 }));
    const a = mlp("2-8-3", { generator: new Generator(0) });
    const whole = fit(a, data, { epochs: 2, batchSize: 16, optimizer: new SGD(a.parameters(), { lr: 0.1 }), progress: "none" });
    const b = mlp("2-8-3", { generator: new Generator(0) });
    const it = fitSteps(b, data, { epochs: 2, batchSize: 16, optimizer: new SGD(b.parameters(), { lr: 0.1 }), progress: "none" });
    const steps: number[] = [];
    let r = it.next();
    for (; !r.done; r = it.next()) steps.push(r.value.step);
    expect(steps).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(r.value.map((h) => h.loss)).toEqual(whole.map((h) => h.loss));
    let ended = 0;
    const c = mlp("2-8-3");
    const early = fitSteps(c, data, { epochs: 2, batchSize: 16, optimizer: new SGD(c.parameters(), { lr: 0.1 }), progress: { end: () => void ended++ } });
    early.next();
    early.return([]);
    expect(ended).toBe(1);
  });
});
