import { ValueError } from "../errors.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { Module } from "../nn/module.js";
import { softmax } from "../ops/functions.js";
import { multinomial, topK as topKOf } from "../ops/sampling.js";
import { noGrad } from "../autograd/mode.js";
import { Optimizer } from "../optim/optimizer.js";
import { checkOptions } from "../options.js";
import { tensor } from "../tensor/create.js";
import { defaultGenerator, type Generator as Rng } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { BOUNDARY, CharVocab, IGNORE, type TokenWindows } from "../data/text.js";
import { describeValue } from "../tensor/format.js";

const positiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;

/** The arguments every language-model function shares, checked: a Module and windows as the window builders make them. */
function checkArgs(fn: string, model: unknown, w?: unknown): void {
  if (!(model instanceof Module)) throw new ValueError(`${fn}: expected a Module, found ${describeValue(model)}`);
  if (w === undefined && arguments.length < 3) return;
  const o = w as TokenWindows;
  const ok = o !== null && typeof o === "object" && o.x instanceof Int32Array && o.y instanceof Int32Array &&
    [o.block, o.targets].every(positiveInt) && Number.isInteger(o.n) && o.n >= 0 && o.x.length === o.n * o.block && o.y.length === o.n * o.targets;
  if (!ok) throw new ValueError(`${fn}: expected token windows (from nextTokenWindows or sequenceWindows), found ${describeValue(w)}`);
}

/** The model's mean cross-entropy (nats per predicted token) on windows `rows` of a set; ignored targets do not count. */
function lossOn(model: Module, w: TokenWindows, rows: ArrayLike<number>): Tensor {
  const b = rows.length, x = new Int32Array(b * w.block), y = new Int32Array(b * w.targets);
  for (let i = 0; i < b; i++) {
    x.set(w.x.subarray(rows[i] * w.block, (rows[i] + 1) * w.block), i * w.block);
    y.set(w.y.subarray(rows[i] * w.targets, (rows[i] + 1) * w.targets), i * w.targets);
  }
  const logits = model.call(tensor(x, { shape: [b, w.block], dtype: "int32" }));
  const v = logits.shape[logits.ndim - 1];
  return crossEntropy(logits.reshape([-1, v]), tensor(y, { shape: [b * w.targets], dtype: "int32" }), { ignoreIndex: IGNORE });
}

function counted(w: TokenWindows, from: number, to: number): number {
  let n = 0;
  for (let i = from * w.targets; i < to * w.targets; i++) if (w.y[i] !== IGNORE) n++;
  return n;
}

/** The mean loss per predicted token over a whole set (eval mode, no graph), in nats. */
export function evaluateLanguageModel(model: Module, w: TokenWindows, batchSize = 512): number {
  checkArgs("evaluateLanguageModel", model, w);
  if (!positiveInt(batchSize)) throw new ValueError(`evaluateLanguageModel: batchSize must be a positive integer, found ${describeValue(batchSize)}`);
  const was = model.training;
  model.eval();
  let sum = 0, n = 0;
  noGrad(() => {
    for (let s = 0; s < w.n; s += batchSize) {
      const e = Math.min(w.n, s + batchSize), k = counted(w, s, e);
      if (k === 0) continue;
      sum += lossOn(model, w, Array.from({ length: e - s }, (_, i) => s + i)).item() * k;
      n += k;
    }
  });
  model.train(was);
  return n === 0 ? NaN : sum / n;
}

export interface LanguageEpoch {
  epoch: number;
  loss: number;
  valLoss?: number;
  seconds: number;
  tokensPerSecond: number;
}

/**
 * Trains a next-token model on windows: each epoch a seeded shuffle into batches of `batchSize`, then
 * the validation loss. Yields after every step (`{ epoch, step, steps, loss }`) so a caller can report
 * progress or stop; returns the history. A loss that turns NaN or ±∞ stops with a ValueError naming the step.
 * To resume, pass the epochs done as `startEpoch` and `history`, and a generator in the state it had then.
 */
export function* fitLanguageModel(
  model: Module, train: TokenWindows,
  opts: { optimizer: Optimizer; epochs: number; batchSize: number; val?: TokenWindows; generator?: Rng; startEpoch?: number; history?: LanguageEpoch[]; onEpochEnd?: (e: LanguageEpoch, h: LanguageEpoch[]) => void },
): Generator<{ epoch: number; step: number; steps: number; loss: number }, LanguageEpoch[]> {
  const { optimizer, epochs, batchSize, val, generator = defaultGenerator, startEpoch = 0, history: done = [], onEpochEnd } =
    checkOptions("fitLanguageModel", opts, ["optimizer", "epochs", "batchSize", "val", "generator", "startEpoch", "history", "onEpochEnd"]);
  if (!(Number.isInteger(startEpoch) && startEpoch >= 0 && Array.isArray(done) && done.length === startEpoch))
    throw new ValueError(`fitLanguageModel: startEpoch must be the number of epochs in history, found ${describeValue(startEpoch)} and ${Array.isArray(done) ? `${done.length} epochs` : describeValue(done)}`);
  checkArgs("fitLanguageModel", model, train);
  if (val !== undefined) checkArgs("fitLanguageModel", model, val);
  if (!(optimizer instanceof Optimizer)) throw new ValueError(`fitLanguageModel: expected an optimizer, found ${describeValue(optimizer)}`);
  if (!positiveInt(epochs) || !positiveInt(batchSize)) throw new ValueError(`fitLanguageModel: epochs and batchSize must be positive integers, found ${describeValue(epochs)} and ${describeValue(batchSize)}`);
  if (train.n === 0) throw new ValueError("fitLanguageModel: the training set has no windows");
  const history: LanguageEpoch[] = [...done];
  const steps = Math.ceil(train.n / batchSize);
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    model.train();
    const order = generator.permutation(train.n), t0 = performance.now();
    let sum = 0, tokens = 0;
    for (let step = 0; step < steps; step++) {
      const rows = order.subarray(step * batchSize, Math.min(train.n, (step + 1) * batchSize));
      optimizer.zeroGrad();
      const loss = lossOn(model, train, rows);
      const v = loss.item();
      if (!Number.isFinite(v)) throw new ValueError(`fitLanguageModel: the loss became ${v} at epoch ${epoch + 1}, step ${step + 1}; lower the learning rate`);
      loss.backward();
      optimizer.step();
      sum += v * rows.length;
      tokens += rows.length * train.targets;
      yield { epoch, step, steps, loss: v };
    }
    const seconds = (performance.now() - t0) / 1000;
    const e: LanguageEpoch = { epoch, loss: sum / train.n, seconds, tokensPerSecond: tokens / seconds };
    if (val && val.n > 0) e.valLoss = evaluateLanguageModel(model, val);
    history.push(e);
    onEpochEnd?.(e, history);
  }
  return history;
}

/**
 * Words sampled from a next-token model: from a boundary-only context, a token at a time drawn from
 * softmax(logits / temperature) (only the `topK` most likely when given) until a boundary or `maxLength`.
 */
export function sampleWords(model: Module, vocab: CharVocab, opts: { n?: number; block: number; temperature?: number; topK?: number; maxLength?: number; generator?: Rng; positional?: boolean }): string[] {
  const { n = 10, block, temperature = 1, topK, maxLength = 40, generator = defaultGenerator, positional = false } =
    checkOptions("sampleWords", opts, ["n", "block", "temperature", "topK", "maxLength", "generator", "positional"]);
  checkArgs("sampleWords", model);
  if (!(vocab instanceof CharVocab)) throw new ValueError(`sampleWords: expected a CharVocab, found ${describeValue(vocab)}`);
  if (!positiveInt(n) || !positiveInt(block) || !positiveInt(maxLength)) throw new ValueError(`sampleWords: n, block and maxLength must be positive integers, found ${describeValue(n)}, ${describeValue(block)}, ${describeValue(maxLength)}`);
  if (!(temperature > 0)) throw new ValueError(`sampleWords: the temperature must be positive, found ${temperature}`);
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1 && topK <= vocab.size)) throw new ValueError(`sampleWords: topK must be an integer in 1..${vocab.size}, found ${topK}`);
  const was = model.training;
  model.eval();
  const out: string[] = [];
  noGrad(() => {
    for (let s = 0; s < n; s++) {
      // a transformer reads the word from position 0; a fixed-context model reads the last `block` tokens
      const ctx: number[] = positional ? [0] : new Array<number>(block).fill(0);
      let word = "";
      while (word.length < maxLength) {
        const win = ctx.slice(-block);
        const logits = model.call(tensor(Int32Array.from(win), { shape: [1, win.length], dtype: "int32" }));
        const v = logits.shape[logits.ndim - 1];
        const rows = logits.size / v;
        let last = logits.reshape([rows, v]).slice(0, rows - 1, rows).reshape([v]).div(temperature);
        if (topK !== undefined) {
          const { values } = topKOf(last, topK);
          const cut = values.data[topK - 1];
          last = last.where(last.ge(cut), -Infinity);
        }
        const t = multinomial(softmax(last, -1), 1, { generator }).data[0];
        if (vocab.chars[t] === BOUNDARY) break;
        word += vocab.chars[t];
        ctx.push(t);
      }
      out.push(word);
    }
  });
  model.train(was);
  return out;
}
