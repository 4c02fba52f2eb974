// The training worker: loads the digits, builds the model, trains it with the library's fitSteps a
// few steps at a time and hands control back to its event loop between chunks, so pause, stop,
// predictions and downloads are answered while it trains. The page's main thread only draws.
// Here (a worker) the WASM GEMM may block on its own worker threads: with cross-origin isolation it
// spawns them from a blob URL (src/kernels/wasm/pool.ts); without, it runs on one thread.
import {
  ValueError, Adam, AdamW, SGD, argmax, buildModel, crossEntropy, encodeCheckpoint, fitSteps, fromRaw, getNumThreads, mlpSpec, predict, ready, softmax, tensor,
  type EpochLog, type ModelSpec, type Module, type Optimizer, type Tensor, type TensorDataset,
} from "chainrule";
import { PIXELS, decodeDigits, normalised, type Digits } from "./digits.js";
import type { FromWorker, ToWorker, TrainConfig } from "./protocol.js";

/** The CNN of the CLI's benchmark (README's cnn.json). */
export const CNN: ModelSpec = {
  layers: [
    { type: "Conv2d", in: 1, out: 8, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Conv2d", in: 8, out: 16, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Flatten" }, { type: "Linear", in: 784, out: 64 }, { type: "ReLU" }, { type: "Linear", in: 64, out: 10 },
  ],
};

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);
/** Back to the event loop (faster than setTimeout's 4 ms clamp). */
const tick = (): Promise<void> => new Promise((ok) => { const c = new MessageChannel(); c.port1.onmessage = () => ok(); c.port2.postMessage(0); });

interface Run {
  cfg: TrainConfig; spec: ModelSpec; shape: number[]; model: Module; optimizer: Optimizer;
  train: TensorDataset; testX: Tensor; testY: Int32Array; history: EpochLog[]; step: number;
  test?: { accuracy: number; loss: number };
}
let digits: Promise<Digits> | null = null;
let run: Run | null = null;
let paused = false, stopping = false, wake: (() => void) | null = null;

class FieldError extends Error {
  constructor(readonly field: string, e: unknown) {
    super(e instanceof Error ? e.message : String(e));
    this.name = e instanceof Error ? e.name : "Error";
  }
}
const field = <T>(name: string, f: () => T): T => {
  try { return f(); } catch (e) { throw new FieldError(name, e); }
};

function build(cfg: TrainConfig, d: Digits): Run {
  const spec = cfg.model === "cnn" ? CNN : field("spec", () => mlpSpec(cfg.spec));
  const shape = cfg.model === "cnn" ? [1, 28, 28] : [PIXELS];
  const model = field("spec", () => {
    const m = buildModel(spec, { maxParameters: 2e7 });
    const out = m.call(tensor(new Float32Array(PIXELS), { shape: [1, ...shape] })).shape.at(-1)!;
    if (out < 10) throw new ValueError(`the model has ${out} outputs; the digits need 10`);
    return m;
  });
  const optimizer = field("lr", () => cfg.optimizer === "sgd" ? new SGD(model.parameters(), { lr: cfg.lr, momentum: 0.9 })
    : cfg.optimizer === "adam" ? new Adam(model.parameters(), { lr: cfg.lr }) : new AdamW(model.parameters(), { lr: cfg.lr }));
  const y = Int32Array.from(d.labels);
  const train = fromRaw({ x: normalised(d, 0, d.nTrain), y: y.subarray(0, d.nTrain), n: d.nTrain, sampleShape: shape, classes: 10 });
  const testX = tensor(normalised(d, d.nTrain, d.nTrain + d.nTest), { shape: [d.nTest, ...shape] });
  return { cfg, spec, shape, model, optimizer, train, testX, testY: y.subarray(d.nTrain), history: [], step: 0 };
}

/** Test accuracy and loss, and the first misclassified digits with their pixels. */
function testNow(r: Run, d: Digits, epoch: number, epochEnd: boolean): void {
  const logits = predict(r.model, r.testX, { batchSize: 500 });
  const loss = crossEntropy(logits, tensor(r.testY, { shape: [r.testY.length] })).item();
  const pred = argmax(logits, 1).data;
  const wrong: { index: number; label: number; pred: number; pixels: Uint8Array }[] = [];
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] === r.testY[i]) correct++;
    else if (wrong.length < 24) wrong.push({ index: i, label: r.testY[i]!, pred: pred[i]!, pixels: d.pixels.slice((d.nTrain + i) * PIXELS, (d.nTrain + i + 1) * PIXELS) });
  }
  r.test = { accuracy: correct / pred.length, loss };
  post({ type: "test", step: r.step, epoch, epochEnd, accuracy: r.test.accuracy, loss, n: pred.length, wrong });
}

async function train(cfg: TrainConfig): Promise<void> {
  const d = await (digits ??= fetch(cfg.dataUrl).then((res) => {
    if (!res.ok) throw new Error(`${cfg.dataUrl}: HTTP ${res.status}`);
    return res.arrayBuffer();
  }).then(decodeDigits));
  const r = (run = build(cfg, d));
  post({ type: "started", nTrain: d.nTrain, nTest: d.nTest, parameters: r.model.parameters().reduce((a, p) => a + p.size, 0) });
  const steps = fitSteps(r.model, r.train, {
    optimizer: r.optimizer, epochs: cfg.epochs, batchSize: cfg.batchSize, metrics: ["accuracy"], progress: "none", seed: cfg.seed,
    callbacks: { onEpochEnd: (log) => { r.history.push(log); testNow(r, d, log.epoch, true); } },
  });
  // Periodic tests take at most a sixth of the time (a CNN's test pass is seconds on one core).
  let lastTest = performance.now(), testCost = 0;
  paused = stopping = false;
  for (let done = false; !done;) {
    if (stopping) { steps.return([]); break; }
    if (paused) { await new Promise<void>((ok) => (wake = ok)); continue; }
    const t0 = performance.now();
    do {
      const s = steps.next();
      if (s.done) { done = true; break; }
      r.step++;
      if (r.step % cfg.reportEvery === 0 || s.value.step === s.value.steps)
        post({ type: "progress", step: r.step, epoch: s.value.epoch, epochStep: s.value.step, steps: s.value.steps, loss: s.value.loss, accuracy: s.value.accuracy ?? NaN, samplesPerSecond: s.value.samplesPerSecond });
    } while (performance.now() - t0 < 40);
    if (!done && performance.now() - lastTest > Math.max(cfg.testEverySeconds * 1000, 5 * testCost)) {
      const t = performance.now();
      testNow(r, d, r.history.length, false);
      lastTest = performance.now();
      testCost = lastTest - t;
    }
    await tick();
  }
  if (stopping) testNow(r, d, r.history.length, false); // the model a download now saves, tested
  post({ type: "finished", step: r.step, stopped: stopping });
}

function checkpoint(r: Run): Uint8Array {
  const { cfg } = r;
  const epochs = Math.max(1, r.history.length);
  // The settings as chainrule train records them, so `chainrule eval` (and `train --resume`) read this file.
  const settings = {
    data: "digits", header: true, modelName: cfg.model === "cnn" ? "cnn.json" : cfg.spec, model: r.spec, optimizer: cfg.optimizer, lr: cfg.lr,
    momentum: cfg.optimizer === "sgd" ? 0.9 : 0, weightDecay: cfg.optimizer === "adamw" ? 1e-2 : 0, schedule: "none",
    scheduleOptions: { stepSize: 1, gamma: 0.1, tMax: epochs, patience: 2 }, batchSize: cfg.batchSize, seed: cfg.seed, valSplit: 0, epochs,
  };
  return encodeCheckpoint(r.model, {
    architecture: r.spec, input: { shape: r.shape }, optimizer: r.optimizer,
    training: { epoch: r.history.length - 1, history: r.history, settings, steps: r.step, source: "chainrule web page", ...(r.test && { test: r.test }) },
  });
}

// The WASM kernels are fetched by URL (Vite emits them as assets): nothing trains before they are in.
const kernels = ready();

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    await kernels;
    if (m.type === "start") await train(m.config);
    else if (m.type === "pause" || m.type === "resume") {
      paused = m.type === "pause";
      if (!paused) { wake?.(); wake = null; }
      post({ type: m.type === "pause" ? "paused" : "resumed", step: run?.step ?? 0 });
    } else if (m.type === "stop") {
      stopping = true;
      paused = false;
      wake?.();
      wake = null;
    } else if (m.type === "predict") {
      if (!run) throw new Error("start training first: there is no model yet");
      const x = tensor(m.pixels, { shape: [1, ...run.shape] });
      const p = softmax(predict(run.model, x), 1).data;
      post({ type: "prediction", id: m.id, probs: Array.from(p) });
    } else if (m.type === "checkpoint") {
      if (!run) throw new Error("start training first: there is no model yet");
      const bytes = checkpoint(run);
      post({ type: "checkpoint", id: m.id, bytes, step: run.step }, [bytes.buffer]);
    }
  } catch (e) {
    post({ type: "error", during: m.type, field: e instanceof FieldError ? e.field : undefined, name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) });
  }
};

void kernels.then((b) => post({ type: "backend", name: b.name, detail: b.detail, threads: getNumThreads(), isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
