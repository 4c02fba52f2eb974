// A bigram model of first names: a [27, 27] table of next-character logits, read by the previous character.
// Run after `npm run build`: node examples/bigram.mjs  (CHAINRULE_EXAMPLE_TINY=1: a few seconds on 1/20 of the names)
import { AdamW, CharVocab, Generator, fitLanguageModel, nextTokenWindows, nn, sampleWords, splitWords } from "chainrule";
import { loadNames } from "chainrule/node";

const tiny = process.env.CHAINRULE_EXAMPLE_TINY === "1";
const names = loadNames().filter((_, i) => !tiny || i % 20 === 0);
const g = new Generator(0), vocab = CharVocab.fromWords(names), block = 1;
const { train, val } = splitWords(names, 0.1, g);
const model = new nn.Bigram(vocab.size, { generator: g });
const optimizer = new AdamW(model.parameters(), { lr: 0.05, weightDecay: 0 });
const fit = fitLanguageModel(model, nextTokenWindows(train, vocab, block), {
  optimizer, epochs: tiny ? 1 : 5, batchSize: 64, val: nextTokenWindows(val, vocab, block), generator: g,
  onEpochEnd: (e) => console.log(`epoch ${e.epoch + 1}  loss ${e.loss.toFixed(4)}  val_loss ${e.valLoss.toFixed(4)} nats/character`),
});
for (const _ of fit);
console.log(`samples: ${sampleWords(model, vocab, { n: 10, block, temperature: 0.8, generator: new Generator(1) }).join(", ")}`);
