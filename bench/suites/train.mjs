// Training suite: the default `chainrule train` recipe on the digits split (test accuracy, time,
// samples/s), a small CNN on the same split, and training throughput of the same MLP against
// @tensorflow/tfjs (cpu backend) measured in the same run.
import * as cr from "../../dist/index.js";
import { loadDigits } from "../../dist/node/index.js";
import tf from "@tensorflow/tfjs";

export const description = "default MLP recipe and a small CNN on the digits split; MLP training throughput vs @tensorflow/tfjs (cpu backend)";

const BATCH = 64;

function trainOnce(spec, shape, { epochs, lr, optimizer = "sgd", cosine = false }, train, test) {
  const model = cr.buildModel(spec, { generator: new cr.Generator(0) });
  const opt = optimizer === "sgd"
    ? new cr.SGD(model.parameters(), { lr, momentum: 0.9, weightDecay: 1e-4 })
    : new cr.Adam(model.parameters(), { lr });
  const reshape = (raw) => cr.fromRaw({ ...raw, sampleShape: shape });
  const t0 = performance.now();
  const history = cr.fit(model, reshape(train), {
    epochs, optimizer: opt, batchSize: BATCH, seed: 0, metrics: ["accuracy"], progress: "lines",
    schedule: cosine ? new cr.CosineAnnealingLR(opt, { tMax: epochs }) : undefined,
  });
  const seconds = (performance.now() - t0) / 1000;
  const r = cr.evaluate(model, reshape(test), { batchSize: 500 });
  return { accuracy: r.accuracy, seconds, samplesPerSecond: (train.n * epochs) / seconds, history };
}

/** Steps of SGD on the 784-1024-512-10 MLP in tfjs, timed after a warm-up. */
async function tfjsThroughput(train, steps) {
  await tf.setBackend("cpu");
  await tf.ready();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 1024, activation: "relu" }),
      tf.layers.dense({ units: 512, activation: "relu" }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const opt = tf.train.momentum(0.1, 0.9);
  const x = tf.tensor2d(train.x.subarray(0, BATCH * 784), [BATCH, 784]);
  const y = tf.oneHot(tf.tensor1d(train.y.subarray(0, BATCH), "int32"), 10);
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), false);
  step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  return (steps * BATCH) / seconds;
}

function chainruleThroughput(train, steps) {
  const model = cr.mlp("784-1024-512-10", { generator: new cr.Generator(0) });
  const opt = new cr.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = cr.tensor(train.x.subarray(0, BATCH * 784), { shape: [BATCH, 784] });
  const y = cr.tensor(train.y.subarray(0, BATCH), { shape: [BATCH] });
  const step = () => {
    const loss = cr.crossEntropy(model.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (steps * BATCH) / ((performance.now() - t0) / 1000);
}

export async function run(ctx) {
  const train = loadDigits("train"), test = loadDigits("test");
  const rows = [];
  const epochs = ctx.quick ? 1 : 10;

  ctx.progress(`default recipe: 784-1024-512-10, SGD momentum 0.9, lr 0.1, weight decay 1e-4, batch 64, ${epochs} epochs, seed 0`);
  const mlp = trainOnce(cr.mlpSpec("784-1024-512-10"), [784], { epochs, lr: 0.1 }, train, test);
  rows.push(
    ctx.metric({ name: `MLP 784-1024-512-10, ${epochs} epochs: test accuracy`, library: "chainrule", unit: "%", samples: [mlp.accuracy * 100], better: "higher" }),
    ctx.metric({ name: `MLP 784-1024-512-10, ${epochs} epochs: training time`, library: "chainrule", unit: "s", samples: [mlp.seconds] }),
    ctx.metric({ name: "MLP 784-1024-512-10: training samples/s", library: "chainrule", unit: "samples/s", samples: [mlp.samplesPerSecond], better: "higher" }),
  );
  if (!ctx.quick) ctx.check("default recipe reaches ≥ 96.5% test accuracy", mlp.accuracy >= 0.965, { accuracy: mlp.accuracy });

  const cnn = {
    layers: [
      { type: "Conv2d", in: 1, out: 8, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
      { type: "Conv2d", in: 8, out: 16, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 },
      { type: "Flatten" }, { type: "Linear", in: 16 * 7 * 7, out: 64 }, { type: "ReLU" }, { type: "Linear", in: 64, out: 10 },
    ],
  };
  ctx.progress(`CNN conv8-pool-conv16-pool-linear64-linear, SGD momentum 0.9, lr 0.05 with cosine decay, batch 64, ${epochs} epochs`);
  const c = trainOnce(cnn, [1, 28, 28], { epochs, lr: 0.05, cosine: true }, train, test);
  rows.push(
    ctx.metric({ name: `CNN conv8-pool-conv16-pool-linear64-linear, ${epochs} epochs: test accuracy`, library: "chainrule", unit: "%", samples: [c.accuracy * 100], better: "higher" }),
    ctx.metric({ name: `CNN, ${epochs} epochs: training time`, library: "chainrule", unit: "s", samples: [c.seconds] }),
  );
  if (!ctx.quick) ctx.check("the small CNN reaches ≥ 98% test accuracy", c.accuracy >= 0.98, { accuracy: c.accuracy });

  ctx.progress("MLP training throughput (batch 64, SGD): chainrule vs tfjs cpu");
  const steps = ctx.quick ? 5 : 20;
  const ours = [], theirs = [];
  for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
    ours.push(chainruleThroughput(train, steps));
    theirs.push(await tfjsThroughput(train, steps));
  }
  const peer = ctx.metric({ name: "MLP 784-1024-512-10 training step throughput", library: "tfjs-cpu", unit: "samples/s", samples: theirs, better: "higher" });
  rows.push(ctx.compare(ctx.metric({ name: "MLP 784-1024-512-10 training step throughput", library: "chainrule", unit: "samples/s", samples: ours, better: "higher" }), peer), peer);
  return rows;
}
