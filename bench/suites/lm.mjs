// Language-model suite: training tokens/s of the GPT recipe (`chainrule train --data names --model gpt`:
// 4 pre-norm causal transformer blocks, 4 heads, 64 dimensions, context 16, batch 32, float32) on one
// fixed batch of name windows, chainrule (nn.GPT, AdamW) vs the same model written in TensorFlow.js
// (cpu and wasm backends) and jax-js (the whole step jitted), interleaved round by round. Each library
// keeps its model across the rounds; its losses (warm-up included) must stay finite and fall.
import { describePeers } from "../lib/peers.mjs";
import { initUniform } from "../lib/data.mjs";
import { timedSteps, LossLog } from "../lib/train-loop.mjs";

export const description =
  "GPT recipe training tokens/s (4 layers, 4 heads, 64 dims, context 16, batch 32, Adam(W) lr 3e-3, float32) on names; chainrule vs tfjs-cpu, tfjs-wasm, jax-js (jit step)";

const B = 32, T = 16, E = 64, H = 4, D = E / H, LAYERS = 4, LR = 3e-3, WD = 1e-2;

/** One batch of 32 windows of 16 characters of the names data, targets −100 past each word's end (ignored), as the CLI trains. */
async function batchData() {
  const cr = await import("../../dist/index.js");
  const { loadNames } = await import("../../dist/node/index.js");
  const names = loadNames();
  const vocab = cr.CharVocab.fromWords(names);
  const w = cr.sequenceWindows(names.filter((_, i) => i % 7 === 0), vocab, T);
  const x = w.x.slice(0, B * T), y = w.y.slice(0, B * T), V = vocab.size;
  const oneHot = new Float32Array(B * T * V);
  let count = 0;
  y.forEach((t, i) => {
    if (t >= 0) (oneHot[i * V + t] = 1), count++;
  });
  return { x, y, V, oneHot, count };
}

/** The parameters of the same GPT for the peers (uniform ±1/√fanIn, embeddings too; LayerNorm 1 and 0), built by `make(data, shape)`. */
function peerParams(V, make) {
  let seed = 100;
  const u = (shape, fanIn) => make(initUniform(shape.reduce((a, b) => a * b, 1), fanIn, seed++), shape);
  const one = (n) => make(new Float32Array(n).fill(1), [n]), zero = (n) => make(new Float32Array(n), [n]);
  const layers = Array.from({ length: LAYERS }, () => ({
    g1: one(E), b1: zero(E), wq: u([E, E], E), wk: u([E, E], E), wv: u([E, E], E), bq: zero(E), bk: zero(E), bv: zero(E),
    wo: u([E, E], E), bo: zero(E), g2: one(E), b2: zero(E), w1: u([E, 4 * E], E), c1: zero(4 * E), w2: u([4 * E, E], 4 * E), c2: zero(E),
  }));
  return { tok: u([V, E], 1), pos: u([T, E], 1), layers, gF: one(E), bF: zero(E), head: u([E, V], E), bh: zero(V) };
}

function chainruleStep(cr, data) {
  const model = new cr.nn.GPT(data.V, { block: T, embedDim: E, numHeads: H, numLayers: LAYERS, generator: new cr.Generator(0) });
  const opt = new cr.AdamW(model.parameters(), { lr: LR, weightDecay: WD });
  const X = cr.tensor(data.x, { shape: [B, T], dtype: "int32" }), Y = cr.tensor(data.y, { shape: [B * T], dtype: "int32" });
  return () => {
    const loss = cr.crossEntropy(model.call(X).reshape([-1, data.V]), Y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  };
}

/** TensorFlow.js: the same model from tf ops (gather, or a one-hot product on wasm; batched matMul over heads with transposeB, bandPart mask, erf GELU); tf.train.adam (tfjs has no AdamW). */
async function tfjsStep(t, backend, data) {
  const tf = t.tf;
  await t.use(backend);
  const P = peerParams(data.V, (d, shape) => tf.variable(tf.tensor(d, shape)));
  const X = tf.tensor2d(data.x, [B, T], "int32"), Y = tf.tensor2d(data.oneHot, [B * T, data.V]);
  // NOTE: tfjs-wasm has no kernel for gather's gradient (UnsortedSegmentSum): there the lookup is oneHot(x)·W, the same numbers
  const Xh = backend === "wasm" ? tf.oneHot(X.reshape([B * T]), data.V).toFloat() : null;
  const embed = () => (Xh ? Xh.matMul(P.tok).reshape([B, T, E]) : tf.gather(P.tok, X));
  const maskAdd = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);
  const ln = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b);
  };
  const gelu = (x) => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
  const heads = (x2, w, b) => x2.matMul(w).add(b).reshape([B, T, H, D]).transpose([0, 2, 1, 3]);
  const lossFn = () => {
    let x = embed().add(P.pos);
    for (const L of P.layers) {
      const h = ln(x, L.g1, L.b1).reshape([B * T, E]);
      const s = tf.matMul(heads(h, L.wq, L.bq), heads(h, L.wk, L.bk), false, true).mul(1 / Math.sqrt(D)).add(maskAdd);
      const o = tf.matMul(tf.softmax(s), heads(h, L.wv, L.bv)).transpose([0, 2, 1, 3]).reshape([B * T, E]);
      x = x.add(o.matMul(L.wo).add(L.bo).reshape([B, T, E]));
      const m = gelu(ln(x, L.g2, L.b2).reshape([B * T, E]).matMul(L.w1).add(L.c1)).matMul(L.w2).add(L.c2);
      x = x.add(m.reshape([B, T, E]));
    }
    const logits = ln(x, P.gF, P.bF).reshape([B * T, E]).matMul(P.head).add(P.bh);
    return tf.logSoftmax(logits).mul(Y).sum().neg().div(data.count);
  };
  const opt = tf.train.adam(LR);
  return async () => {
    await t.use(backend);
    const l = opt.minimize(lossFn, true);
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
}

/** jax-js: the same model as a function of a parameter tree; one jit of value-and-grad plus AdamW (decoupled decay, bias-corrected). */
function jaxStep(jax, data) {
  const { numpy: np, nn, tree } = jax;
  let params = peerParams(data.V, (d, shape) => np.array(d).reshape(shape));
  let mom = tree.map((p) => np.zerosLike(p.ref), params), vel = tree.map((p) => np.zerosLike(p.ref), params);
  const X = np.array(data.x, { dtype: np.int32 }).reshape([B, T]), Y = np.array(data.oneHot).reshape([B * T, data.V]);
  const maskAdd = np.array(Float32Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 0 : -1e9))).reshape([T, T]);
  const ln = (x, g, b) => nn.standardize(x, -1).mul(g).add(b);
  const heads = (x2, w, b) => np.matmul(x2, w).add(b).reshape([B, T, H, D]).transpose([0, 2, 1, 3]);
  const lossFn = (p, xb, yb, mask) => {
    let x = np.take(p.tok, xb, 0).add(p.pos);
    for (const L of p.layers) {
      const h = ln(x.ref, L.g1, L.b1).reshape([B * T, E]);
      const s = np.matmul(heads(h.ref, L.wq, L.bq), np.swapaxes(heads(h.ref, L.wk, L.bk), -1, -2)).mul(1 / Math.sqrt(D)).add(mask.ref);
      const o = np.matmul(nn.softmax(s, -1), heads(h, L.wv, L.bv)).transpose([0, 2, 1, 3]).reshape([B * T, E]);
      x = x.add(np.matmul(o, L.wo).add(L.bo).reshape([B, T, E]));
      const m = np.matmul(nn.gelu(np.matmul(ln(x.ref, L.g2, L.b2).reshape([B * T, E]), L.w1).add(L.c1), { approximate: false }), L.w2).add(L.c2);
      x = x.add(m.reshape([B, T, E]));
    }
    mask.dispose();
    const logits = np.matmul(ln(x, p.gF, p.bF).reshape([B * T, E]), p.head).add(p.bh);
    return nn.logSoftmax(logits, -1).mul(yb).sum().neg().div(data.count);
  };
  const step = jax.jit((p, m, v, xb, yb, mask, c1, c2) => {
    const [loss, g] = jax.valueAndGrad(lossFn)(tree.ref(p), xb, yb, mask);
    const m2 = tree.map((mi, gi) => mi.mul(0.9).add(gi.mul(0.1)), m, tree.ref(g));
    const v2 = tree.map((vi, gi) => vi.mul(0.999).add(gi.ref.mul(gi).mul(0.001)), v, g);
    const p2 = tree.map((pi, mi, vi) => pi.ref.sub(pi.mul(LR * WD)).sub(mi.mul(c1.ref).div(np.sqrt(vi.mul(c2.ref)).add(1e-8)).mul(LR)), p, tree.ref(m2), tree.ref(v2));
    c1.dispose();
    c2.dispose();
    return [p2, m2, v2, loss];
  });
  let t = 0;
  return async () => {
    t++;
    const [p2, m2, v2, l] = step(params, mom, vel, X.ref, Y.ref, maskAdd.ref, np.array(1 / (1 - 0.9 ** t)), np.array(1 / (1 - 0.999 ** t)));
    [params, mom, vel] = [p2, m2, v2];
    return (await l.data())[0];
  };
}

export async function run(ctx) {
  const peers = await describePeers(ctx);
  const { c, t, j } = peers;
  const data = await batchData();
  const name = `GPT (${LAYERS} layers, ${H} heads, ${E} dims, context ${T}) training, batch ${B}`;
  const log = new LossLog();
  const minMs = ctx.quick ? 300 : 1500, minSteps = ctx.quick ? 2 : 3;
  const timed = (lib, step) => async () => {
    const r = await timedSteps(step, { batch: B * T, minMs, minSteps, now: ctx.now });
    log.add(lib, r.losses);
    return r.samplesPerSecond;
  };
  const variants = {};
  for (const cv of c.variants()) {
    const step = chainruleStep(c.cr, data);
    variants[cv.id] = async (a) => {
      cv.apply();
      return timed(cv.id, step)(a);
    };
  }
  const tryPeer = async (lib, make) => {
    try {
      const step = await make();
      await step(); // one step up front: a model a peer cannot express (a missing kernel or gradient) fails here, not mid-measurement
      variants[lib] = timed(lib, step);
    } catch (e) {
      ctx.progress(`${lib} cannot run the GPT step, skipped: ${e?.message ?? e}`);
      ctx.note(`${lib}: cannot run the GPT step (${String(e?.message ?? e).split("\n")[0]}); no number for it`);
    }
  };
  if (t.wasm.ok) await tryPeer("tfjs-wasm", () => tfjsStep(t, "wasm", data));
  if (t.cpu.ok) await tryPeer("tfjs-cpu", () => tfjsStep(t, "cpu", data));
  await t.use("cpu");
  if (j.ok) await tryPeer("jax-js", () => jaxStep(j.jax, data));
  ctx.progress(`${name}: ${Object.keys(variants).join(", ")}`);
  const samples = await ctx.sample(variants, { reps: ctx.reps, warmup: ctx.warmup, label: name });
  const rows = Object.entries(samples).map(([lib, s]) => ctx.metric({ name, library: lib, unit: "tokens/s", samples: s.value, better: "higher" }));
  log.check(ctx, name);
  await t.use("cpu");
  ctx.note(
    `GPT: one fixed batch of ${B} windows of ${T} characters of the names (${data.count} counted targets, the rest ignored), forward + cross-entropy + backward + optimizer step, the loss read back each step. ` +
      "chainrule: nn.GPT and AdamW; tfjs: the same model from tf ops with tf.train.adam (no decoupled weight decay in tfjs), the embedding lookup a one-hot product on wasm (no gather gradient kernel there); jax-js: the same model, AdamW written out, the whole step jitted. tfjs and jax-js start from one weight init (their first losses agree), chainrule from its own. tfjs-wasm and jax-js run one thread in Node. PyTorch is not run on this suite.",
  );
  return rows;
}
