// CNN training suite: samples/s of training steps of the README's cnn.json
// (conv8-pool-conv16-pool-fc64-fc10) at batch 64 on a fixed batch, chainrule vs PyTorch 1 and 2
// threads, interleaved round by round (same loop and checks as the mlp suite).
import { describePeers } from "../lib/peers.mjs";
import { uniform, labels } from "../lib/data.mjs";
import { trainVariants } from "./mlp.mjs";

export const description =
  "training samples/s of the README's cnn.json (conv8-pool-conv16-pool-fc64-fc10) at batch 64, SGD lr 0.05 momentum 0.9; chainrule vs PyTorch 1/2 threads";

/** The README's cnn.json. */
export const CNN_SPEC = {
  layers: [
    { type: "Conv2d", in: 1, out: 8, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Conv2d", in: 8, out: 16, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
    { type: "Flatten" }, { type: "Linear", in: 784, out: 64 }, { type: "ReLU" }, { type: "Linear", in: 64, out: 10 },
  ],
};

const BATCH = 64;

function chainruleCnnStep(cr) {
  const model = cr.buildModel(CNN_SPEC, { generator: new cr.Generator(0) });
  const opt = new cr.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const X = cr.tensor(uniform(BATCH * 784, 3), { shape: [BATCH, 1, 28, 28] });
  const Y = cr.tensor(labels(BATCH, 10), { shape: [BATCH] });
  return () => {
    const loss = cr.crossEntropy(model.call(X), Y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  };
}

export async function run(ctx) {
  const peers = await describePeers(ctx);
  const spec = { id: "cnn", sizes: [784, 10], loss: "ce", chainrule: chainruleCnnStep, tfjs: false, jax: false };
  const name = "CNN cnn.json training, batch 64";
  const { variants, log } = await trainVariants(ctx, peers, spec, { torchModel: "cnn" });
  ctx.progress(`${name}: ${Object.keys(variants).join(", ")}`);
  const samples = await ctx.sample(variants, { reps: ctx.reps, warmup: ctx.warmup, label: name });
  const rows = Object.entries(samples).map(([lib, s]) => ctx.metric({ name, library: lib, unit: "samples/s", samples: s.value, better: "higher" }));
  log.check(ctx, name);
  ctx.note("CNN: the same fixed batch of 64 deterministic 1×28×28 inputs every step; tfjs and jax-js are not run on the CNN.");
  return rows;
}
