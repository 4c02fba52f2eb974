// A small GPT on first names: token and position embeddings, 4 pre-norm causal transformer blocks with
// 4 heads in 64 dimensions, context 16, trained to predict the next character at every position.
// Run after `npm run build`: node examples/gpt.mjs  (CHAINRULE_EXAMPLE_TINY=1: a short run, 1 layer, 1/20 of the names)
import { AdamW, CharVocab, Generator, fitLanguageModel, nn, sampleWords, sequenceWindows, splitWords } from "chainrule";
import { loadNames } from "chainrule/node";

const tiny = process.env.CHAINRULE_EXAMPLE_TINY === "1";
const names = loadNames().filter((_, i) => !tiny || i % 20 === 0);
const g = new Generator(0), vocab = CharVocab.fromWords(names), block = 16;
const { train, val } = splitWords(names, 0.1, g);
const model = new nn.GPT(vocab.size, { block, embedDim: tiny ? 32 : 64, numHeads: 4, numLayers: tiny ? 1 : 4, generator: g });
console.log(`GPT: ${model.numParameters()} parameters`);
const optimizer = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-2 });
const fit = fitLanguageModel(model, sequenceWindows(train, vocab, block), {
  optimizer, epochs: tiny ? 2 : 4, batchSize: 32, val: sequenceWindows(val, vocab, block), generator: g,
  onEpochEnd: (e) => console.log(`epoch ${e.epoch + 1}  loss ${e.loss.toFixed(4)}  val_loss ${e.valLoss.toFixed(4)} nats/character  ${Math.round(e.tokensPerSecond)} tokens/s`),
});
for (const _ of fit);
// a transformer reads a word from position 0 (`positional`), not from a window of boundary characters
console.log(`samples: ${sampleWords(model, vocab, { n: 10, block, temperature: 0.8, generator: new Generator(1), positional: true }).join(", ")}`);
