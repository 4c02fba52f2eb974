// makemore's MLP over character embeddings (Bengio et al. 2003): 3 characters of context, each embedded in
// 10 dimensions, concatenated, 200 tanh units, the next character's logits. `--batchnorm` (or
// examples/mlp-batchnorm.mjs) puts BatchNorm1d before the tanh.
// Run after `npm run build`: node examples/mlp.mjs  (CHAINRULE_EXAMPLE_TINY=1: a few seconds on 1/20 of the names)
import { AdamW, CharVocab, Generator, fitLanguageModel, nextTokenWindows, nn, sampleWords, splitWords } from "chainrule";
import { loadNames } from "chainrule/node";

export function run(batchNorm) {
  const tiny = process.env.CHAINRULE_EXAMPLE_TINY === "1";
  const names = loadNames().filter((_, i) => !tiny || i % 20 === 0);
  const g = new Generator(0), vocab = CharVocab.fromWords(names), block = 3;
  const { train, val } = splitWords(names, 0.1, g);
  const model = new nn.CharMLP(vocab.size, { block, embedDim: 10, hidden: 200, batchNorm, generator: g });
  console.log(`${batchNorm ? "MLP with BatchNorm" : "MLP"}: ${model.numParameters()} parameters`);
  const optimizer = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  const fit = fitLanguageModel(model, nextTokenWindows(train, vocab, block), {
    optimizer, epochs: tiny ? 1 : 10, batchSize: 64, val: nextTokenWindows(val, vocab, block), generator: g,
    onEpochEnd: (e) => console.log(`epoch ${e.epoch + 1}  loss ${e.loss.toFixed(4)}  val_loss ${e.valLoss.toFixed(4)} nats/character`),
  });
  for (const _ of fit);
  console.log(`samples: ${sampleWords(model, vocab, { n: 10, block, temperature: 0.8, generator: new Generator(1) }).join(", ")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) run(process.argv.includes("--batchnorm"));
