// Core suite: autograd overhead on a long scalar chain, per-op overhead of small ops (against
// @tensorflow/tfjs on its pure-JS cpu backend), and a small matmul throughput figure.
import * as cr from "../../dist/index.js";
import tf from "@tensorflow/tfjs";

export const description = "scalar-chain autograd, small-op overhead and 256×256 matmul; chainrule vs @tensorflow/tfjs (cpu backend)";

const CR = "chainrule";
const TF = "tfjs-cpu";

// ---------------------------------------------------------------------------------------------
// (a) A chain of exactly `nodes` recorded scalar ops: y ← y·A, y ← y + B, alternating.
// ---------------------------------------------------------------------------------------------

const CHAIN_NODES = 1_000_000;
const A = 0.9999999;
const B = 1e-7;
const X0 = 1.0001;

/** Builds the chain from a fresh leaf; returns the leaf and the output. Exactly `nodes` ops are recorded. */
function buildChain(nodes) {
  const x = cr.scalar(X0, { requiresGrad: true, dtype: "float64" });
  let y = x;
  for (let i = 0; i < nodes; i++) y = i % 2 === 0 ? y.mul(A) : y.add(B);
  return { x, y };
}

/**
 * The number of recorded op nodes behind `y` (each tensor with a producing op counted once). Reads
 * the internal `_node.inputs` edge list: used only for this check, outside every timed region.
 */
function countNodes(y) {
  const seen = new Set();
  const stack = [y];
  let count = 0;
  while (stack.length > 0) {
    const t = stack.pop();
    if (t._node === null || seen.has(t)) continue;
    seen.add(t);
    count++;
    for (const inp of t._node.inputs) stack.push(inp);
  }
  return count;
}

/** Closed forms for the chain: after p = nodes/2 (mul, add) pairs, y = c + Aᵖ(x − c) with c = B/(1 − A), dy/dx = Aᵖ. */
function chainClosedForm(nodes) {
  const p = Math.floor(nodes / 2);
  const extraMul = nodes % 2 === 1; // an odd count ends with one more mul
  const c = B / (1 - A);
  let y = c + A ** p * (X0 - c);
  let g = A ** p;
  if (extraMul) {
    y *= A;
    g *= A;
  }
  return { y, g };
}

const relErr = (got, want) => Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);

async function scalarChain(ctx) {
  const reps = ctx.quick ? 1 : 3;
  const samples = await ctx.sample(
    {
      chain: ({ warmup, rep }) => {
        // Warm-up on a 100k-node chain: JIT the path without paying for a second full-size run.
        const nodes = warmup ? 100_000 : CHAIN_NODES;
        const t0 = ctx.now();
        const { x, y } = buildChain(nodes);
        const t1 = ctx.now();
        if (rep === 0) {
          const n = countNodes(y);
          ctx.check(`scalar chain: recorded node count is ${CHAIN_NODES.toLocaleString("en-US")}`, n === CHAIN_NODES, { nodes: n });
        }
        ctx.gc(); // not timed: backward starts from a collected heap in every repetition
        const t2 = ctx.now();
        y.backward();
        const t3 = ctx.now();
        const want = chainClosedForm(nodes);
        const gotY = y.item();
        const gotG = x.grad.item();
        if (rep === 0) {
          const ey = relErr(gotY, want.y);
          const eg = relErr(gotG, want.g);
          ctx.check("scalar chain: forward value matches closed form c + Aᵖ(x−c)", ey < 1e-9, { got: gotY, want: want.y, relErr: ey });
          ctx.check("scalar chain: dy/dx matches closed form Aᵖ", eg < 1e-9, { got: gotG, want: want.g, relErr: eg });
        } else if (relErr(gotG, want.g) >= 1e-9) {
          ctx.check(`scalar chain: dy/dx matches closed form (repetition ${rep + 1})`, false, { got: gotG, want: want.g });
        }
        return { forward: t1 - t0, backward: t3 - t2 };
      },
    },
    { reps, warmup: 1, label: "scalar chain 1M" },
  );
  const s = samples.chain;
  const total = s.forward.map((f, i) => f + s.backward[i]);
  const nsPerNode = total.map((t) => (t * 1e6) / CHAIN_NODES);
  const name = "scalar chain 1M nodes (float64)";
  return [
    ctx.metric({ name: `${name}: forward`, library: CR, unit: "ms", samples: s.forward }),
    ctx.metric({ name: `${name}: backward`, library: CR, unit: "ms", samples: s.backward }),
    ctx.metric({ name: `${name}: total`, library: CR, unit: "ms", samples: total }),
    ctx.metric({ name: `${name}: per node`, library: CR, unit: "ns/node", samples: nsPerNode }),
  ];
}

// ---------------------------------------------------------------------------------------------
// (b) Per-op overhead: add of two 10-element float32 tensors.
// ---------------------------------------------------------------------------------------------

const ADD_N = 100_000;
const ADD_LEN = 10;

function addData(seed) {
  const d = new Float32Array(ADD_LEN);
  for (let i = 0; i < ADD_LEN; i++) d[i] = Math.sin(seed + i);
  return d;
}

async function smallOps(ctx) {
  const reps = ctx.reps;
  const da = addData(1), db = addData(2);
  const a = cr.tensor(da, { requiresGrad: true, dtype: "float32" });
  const b = cr.tensor(db, { requiresGrad: true, dtype: "float32" });
  const va = tf.variable(tf.tensor1d(da, "float32"));
  const vb = tf.variable(tf.tensor1d(db, "float32"));
  const baseTensors = tf.memory().numTensors;
  let sink = 0;

  const samples = await ctx.sample(
    {
      // chainrule, nothing recorded: ADD_N independent a + b under noGrad.
      crPlain: () => {
        const t0 = ctx.now();
        const c = cr.noGrad(() => {
          let c = a;
          for (let i = 0; i < ADD_N; i++) c = a.add(b);
          return c;
        });
        const t1 = ctx.now();
        sink += c.data[0];
        return { plain: t1 - t0 };
      },
      // tfjs, nothing recorded: ADD_N independent tf.add(va, vb) in one tf.tidy (its disposal of the
      // ADD_N results at the end of the tidy is timed: it is tfjs's cost of freeing them).
      tfPlain: () => {
        const t0 = ctx.now();
        tf.tidy(() => {
          for (let i = 0; i < ADD_N; i++) tf.add(va, vb);
        });
        const t1 = ctx.now();
        return { plain: t1 - t0 };
      },
      // chainrule, recorded as in training: acc ← acc + b, ADD_N times from acc = a (both require
      // grad, so every add records a node and the whole graph stays alive until backward); then
      // loss = acc.sum() and loss.backward().
      crTaped: () => {
        a.grad = null;
        b.grad = null;
        const t0 = ctx.now();
        let acc = a;
        for (let i = 0; i < ADD_N; i++) acc = acc.add(b);
        const t1 = ctx.now();
        acc.sum().backward();
        const t2 = ctx.now();
        checkAddGrads(ctx, "chainrule", a.grad.data, b.grad.data);
        return { forward: t1 - t0, backward: t2 - t1, total: t2 - t0 };
      },
      // tfjs, the same computation taped by tf.grads: the function passed to tf.grads builds the
      // same chain with tf.add and returns tf.sum(acc); forward = the loop inside that function,
      // backward = from the end of that loop until tf.grads returns (sum, backprop over the tape,
      // disposal of the intermediates), total = the whole tf.grads call.
      tfTaped: () => {
        let f0 = 0, f1 = 0;
        const g = tf.grads((x, y) => {
          f0 = ctx.now();
          let acc = x;
          for (let i = 0; i < ADD_N; i++) acc = tf.add(acc, y);
          f1 = ctx.now();
          return tf.sum(acc);
        });
        const t0 = ctx.now();
        const [ga, gb] = g([va, vb]);
        const t2 = ctx.now();
        checkAddGrads(ctx, "tfjs", ga.dataSync(), gb.dataSync());
        ga.dispose();
        gb.dispose();
        return { forward: f1 - f0, backward: t2 - f1, total: t2 - t0 };
      },
    },
    { reps, warmup: ctx.warmup, label: "small ops" },
  );
  const leaked = tf.memory().numTensors - baseTensors;
  ctx.check("tfjs: no tensors leaked by the small-op loops", leaked === 0, { leaked });
  va.dispose();
  vb.dispose();
  if (!Number.isFinite(sink)) throw new Error("unreachable");

  const perOp = (ms) => ms.map((t) => (t * 1000) / ADD_N);
  const rows = [];
  const pair = (name, crS, tfS, note) => {
    const c = ctx.metric({ name, library: CR, unit: "µs/op", samples: perOp(crS), note: note?.cr });
    const t = ctx.metric({ name, library: TF, unit: "µs/op", samples: perOp(tfS), note: note?.tf });
    rows.push(ctx.compare(c, t), t);
  };
  const n = "add 10×f32";
  pair(`${n}, not recorded`, samples.crPlain.plain, samples.tfPlain.plain, {
    cr: "a.add(b) under noGrad",
    tf: "tf.add(va, vb) of two tf.variables in one tf.tidy (final disposal timed)",
  });
  pair(`${n}, recorded: forward`, samples.crTaped.forward, samples.tfTaped.forward, {
    cr: "acc = acc.add(b) chain, graph kept for backward",
    tf: "tf.add chain inside the function passed to tf.grads (on the tape)",
  });
  pair(`${n}, recorded: backward`, samples.crTaped.backward, samples.tfTaped.backward, {
    cr: "acc.sum().backward(), per add in the chain",
    tf: "rest of tf.grads after the forward loop, per add in the chain",
  });
  pair(`${n}, recorded: forward+backward`, samples.crTaped.total, samples.tfTaped.total);
  return rows;
}

/** After loss = sum(a + b + … + b) with ADD_N b's: ∂a = 1, ∂b = ADD_N (exact in float32). Reported once per library, or on any failure. */
const addGradsReported = new Set();
function checkAddGrads(ctx, lib, ga, gb) {
  let ok = ga.length === ADD_LEN && gb.length === ADD_LEN;
  for (let i = 0; ok && i < ADD_LEN; i++) ok = ga[i] === 1 && gb[i] === ADD_N;
  if (ok && addGradsReported.has(lib)) return;
  addGradsReported.add(lib);
  ctx.check(`add chain: ${lib} gradients are ∂a = 1, ∂b = ${ADD_N}`, ok, { ga: Array.from(ga.slice(0, 3)), gb: Array.from(gb.slice(0, 3)) });
}

// ---------------------------------------------------------------------------------------------
// (c) 256×256 float32 matmul throughput.
// ---------------------------------------------------------------------------------------------

const MM = 256;

async function matmul(ctx) {
  const k = ctx.quick ? 2 : 4; // matmuls per sample
  const flops = 2 * MM ** 3 * k;
  const gen = new cr.Generator(7);
  const A = cr.randn([MM, MM], { generator: gen });
  const Bm = cr.randn([MM, MM], { generator: gen });
  const tA = tf.tensor2d(A.data, [MM, MM], "float32");
  const tB = tf.tensor2d(Bm.data, [MM, MM], "float32");
  let crOut = null, tfOut = null;

  const samples = await ctx.sample(
    {
      cr: () => {
        const t0 = ctx.now();
        let c;
        cr.noGrad(() => {
          for (let i = 0; i < k; i++) c = A.matmul(Bm);
        });
        const t1 = ctx.now();
        crOut = c.data;
        return (flops / ((t1 - t0) / 1000)) / 1e9;
      },
      tf: () => {
        const t0 = ctx.now();
        let v;
        tf.tidy(() => {
          for (let i = 0; i < k; i++) v = tf.matMul(tA, tB).dataSync();
        });
        const t1 = ctx.now();
        tfOut = v;
        return (flops / ((t1 - t0) / 1000)) / 1e9;
      },
    },
    { reps: ctx.reps, warmup: ctx.warmup, label: "matmul 256" },
  );
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < crOut.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(crOut[i] - tfOut[i]));
    maxAbs = Math.max(maxAbs, Math.abs(tfOut[i]));
  }
  ctx.check("matmul 256: chainrule and tfjs agree (max |Δ| ≤ 1e-5·max|C|)", maxDiff <= 1e-5 * maxAbs, { maxDiff, maxAbs });
  tA.dispose();
  tB.dispose();
  const name = `matmul ${MM}×${MM} f32`;
  const c = ctx.metric({ name, library: CR, unit: "GFLOPS", better: "higher", samples: samples.cr.value, note: `A.matmul(B) under noGrad, ${k} per sample` });
  const t = ctx.metric({ name, library: TF, unit: "GFLOPS", better: "higher", samples: samples.tf.value, note: `tf.matMul(A, B).dataSync() in tf.tidy, ${k} per sample` });
  return [ctx.compare(c, t), t];
}

// ---------------------------------------------------------------------------------------------

export async function run(ctx) {
  tf.enableProdMode(); // in tfjs 4.22 this only silences console warnings (e.g. the tfjs-node banner)
  await tf.setBackend("cpu");
  await tf.ready();
  if (tf.getBackend() !== "cpu") throw new Error(`tfjs: expected the cpu backend, found ${tf.getBackend()}`);
  ctx.peer(TF, { package: "@tensorflow/tfjs", version: tf.version.tfjs, backend: tf.getBackend() });

  const rows = [];
  ctx.progress("scalar chain (1,000,000 recorded float64 scalar ops + backward)");
  rows.push(...(await scalarChain(ctx)));
  ctx.progress(`small ops (${ADD_N.toLocaleString("en-US")} adds of ${ADD_LEN}-element float32 tensors)`);
  rows.push(...(await smallOps(ctx)));
  ctx.progress(`matmul ${MM}×${MM} float32`);
  rows.push(...(await matmul(ctx)));
  return rows;
}
