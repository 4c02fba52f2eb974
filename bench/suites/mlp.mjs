// MLP training suite: samples/s of full training steps (forward, loss, backward, SGD with
// momentum) at batch 64, float32, on a fixed batch of deterministic data, for chainrule and its
// peers interleaved round by round: (a) 784-1024-512-10 ReLU with softmax cross-entropy, (b)
// 80-1024-512-1 ReLU with sigmoid BCE-with-logits. Each library keeps its model across the rounds;
// its losses (warm-up included) must stay finite and fall.
import { describePeers } from "../lib/peers.mjs";
import { uniform, labels, initUniform } from "../lib/data.mjs";
import { timedSteps, LossLog } from "../lib/train-loop.mjs";

export const description =
  "training samples/s at batch 64 (SGD lr 0.05, momentum 0.9, float32): MLP 784-1024-512-10 softmax CE and 80-1024-512-1 BCE-with-logits; chainrule vs tfjs-cpu, tfjs-wasm, jax-js (jit step), PyTorch 1/2 threads";

const BATCH = 64, LR = 0.05, MOMENTUM = 0.9;

export const MODELS = [
  { id: "784-1024-512-10", sizes: [784, 1024, 512, 10], loss: "ce", title: "MLP 784-1024-512-10 softmax CE" },
  { id: "80-1024-512-1", sizes: [80, 1024, 512, 1], loss: "bce", title: "MLP 80-1024-512-1 BCE-with-logits" },
];

/** The batch: x uniform in [0, 1] [64, in]; y = i mod 10 (CE) or i mod 2 as float [64, 1] (BCE). */
function batchData(spec) {
  const inF = spec.sizes[0], out = spec.sizes.at(-1);
  const x = uniform(BATCH * inF, 3);
  const yInt = labels(BATCH, spec.loss === "ce" ? out : 2);
  return { x, yInt, yFloat: Float32Array.from(yInt) };
}

function chainruleStep(cr, spec) {
  const { x, yInt, yFloat } = batchData(spec);
  const g = new cr.Generator(0);
  const layers = [];
  for (let i = 0; i + 1 < spec.sizes.length; i++) {
    layers.push(new cr.nn.Linear(spec.sizes[i], spec.sizes[i + 1], { generator: g }));
    if (i + 2 < spec.sizes.length) layers.push(new cr.nn.ReLU());
  }
  const model = new cr.nn.Sequential(...layers);
  const opt = new cr.optim.SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
  const X = cr.tensor(x, { shape: [BATCH, spec.sizes[0]] });
  const Y = spec.loss === "ce" ? cr.tensor(yInt, { shape: [BATCH] }) : cr.tensor(yFloat, { shape: [BATCH, 1] });
  const lossFn = spec.loss === "ce" ? cr.crossEntropy : cr.binaryCrossEntropyWithLogits;
  return () => {
    const loss = lossFn(model.call(X), Y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  };
}

async function tfjsStep(t, backend, spec) {
  const tf = t.tf;
  await t.use(backend);
  const { x, yInt, yFloat } = batchData(spec);
  const layers = [];
  for (let i = 1; i < spec.sizes.length; i++)
    layers.push(tf.layers.dense({ ...(i === 1 ? { inputShape: [spec.sizes[0]] } : {}), units: spec.sizes[i], activation: i + 1 < spec.sizes.length ? "relu" : "linear" }));
  const model = tf.sequential({ layers });
  const opt = tf.train.momentum(LR, MOMENTUM);
  const X = tf.tensor2d(x, [BATCH, spec.sizes[0]]);
  const Y = spec.loss === "ce" ? tf.oneHot(tf.tensor1d(yInt, "int32"), spec.sizes.at(-1)).toFloat() : tf.tensor2d(yFloat, [BATCH, 1]);
  const lossFn = spec.loss === "ce" ? () => tf.losses.softmaxCrossEntropy(Y, model.apply(X)) : () => tf.losses.sigmoidCrossEntropy(Y, model.apply(X));
  return async () => {
    await t.use(backend);
    const l = opt.minimize(lossFn, true);
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
}

/** jax-js: params [{w [in, out], b [out]}], one jit of the whole step (value, grad, SGD momentum). */
function jaxStep(jax, spec) {
  const { numpy: np, nn, tree } = jax;
  const { x, yInt, yFloat } = batchData(spec);
  const n = spec.sizes.length - 1;
  let params = [];
  for (let i = 0; i < n; i++)
    params.push({ w: np.array(initUniform(spec.sizes[i] * spec.sizes[i + 1], spec.sizes[i], 11 + i)).reshape([spec.sizes[i], spec.sizes[i + 1]]), b: np.zeros([spec.sizes[i + 1]]) });
  let vel = tree.map((p) => np.zerosLike(p.ref), params);
  const X = np.array(x).reshape([BATCH, spec.sizes[0]]);
  const Y = spec.loss === "ce" ? nn.oneHot(np.array(yInt, { dtype: np.int32 }), spec.sizes.at(-1)) : np.array(yFloat).reshape([BATCH, 1]);
  const lossFn = (p, xb, yb) => {
    let h = xb;
    for (let i = 0; i < n; i++) {
      h = np.matmul(h, p[i].w).add(p[i].b);
      if (i + 1 < n) h = nn.relu(h);
    }
    if (spec.loss === "ce") return nn.logSoftmax(h).mul(yb).sum().neg().div(BATCH);
    // mean(softplus(z) − y·z): BCE with logits
    return nn.softplus(h.ref).sub(h.mul(yb)).mean();
  };
  const step = jax.jit((p, v, xb, yb) => {
    const [loss, g] = jax.valueAndGrad(lossFn)(tree.ref(p), xb, yb);
    const nv = tree.map((vi, gi) => vi.mul(MOMENTUM).add(gi), v, g);
    const np2 = tree.map((pi, vi) => pi.sub(vi.mul(LR)), p, tree.ref(nv));
    return [np2, nv, loss];
  });
  return async () => {
    const [p2, v2, l] = step(params, vel, X.ref, Y.ref);
    params = p2;
    vel = v2;
    return (await l.data())[0];
  };
}

export async function trainVariants(ctx, peers, spec, { torchModel = "mlp", extra = {} } = {}) {
  const { c, t, j, p } = peers;
  const v = {};
  const log = new LossLog();
  const minMs = ctx.quick ? 300 : 1500, minSteps = ctx.quick ? 2 : 3;
  const timed = (lib, step) => async () => {
    const r = await timedSteps(step, { batch: BATCH, minMs, minSteps, now: ctx.now });
    log.add(lib, r.losses);
    return r.samplesPerSecond;
  };
  for (const cv of c.variants()) {
    const step = (spec.chainrule ?? chainruleStep)(c.cr, spec);
    v[cv.id] = async (a) => {
      cv.apply();
      return timed(cv.id, step)(a);
    };
  }
  if (spec.tfjs !== false) {
    if (t.wasm.ok) v["tfjs-wasm"] = timed("tfjs-wasm", await tfjsStep(t, "wasm", spec));
    if (t.cpu.ok) v["tfjs-cpu"] = timed("tfjs-cpu", await tfjsStep(t, "cpu", spec));
    await t.use("cpu");
  }
  if (j.ok && spec.jax !== false) v["jax-js"] = timed("jax-js", jaxStep(j.jax, spec));
  if (p.ok) {
    for (const th of [1, 2]) {
      const lib = `torch ${th}t`;
      v[lib] = async () => {
        const r = await p.request({
          cmd: "train", key: `${spec.id}/${th}`, model: torchModel, sizes: spec.sizes, loss: spec.loss,
          batch: BATCH, lr: LR, momentum: MOMENTUM, threads: th, min_ms: minMs, min_steps: minSteps, ...extra,
        });
        log.add(lib, r.losses);
        return r.samples_per_s;
      };
    }
  }
  return { variants: v, log };
}

export async function run(ctx) {
  const peers = await describePeers(ctx);
  const rows = [];
  for (const spec of MODELS) {
    const name = `${spec.title} training, batch 64`;
    const { variants, log } = await trainVariants(ctx, peers, spec);
    ctx.progress(`${name}: ${Object.keys(variants).join(", ")}`);
    const samples = await ctx.sample(variants, { reps: ctx.reps, warmup: ctx.warmup, label: name });
    for (const [lib, s] of Object.entries(samples))
      rows.push(ctx.metric({ name, library: lib, unit: "samples/s", samples: s.value, better: "higher" }));
    log.check(ctx, name);
  }
  await peers.t.use("cpu");
  ctx.note("Training steps: the same fixed batch of 64 deterministic samples every step, forward + loss + backward + SGD (lr 0.05, momentum 0.9), the loss read back each step; jax-js jits the whole step; each library its own weight init.");
  return rows;
}
