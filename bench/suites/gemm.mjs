// GEMM suite: fp32 GFLOPS of op(A)·op(B) for square sizes and the shapes of the 784-1024-512-10
// MLP's training step at batch 64 (forward A·B, weight gradient Aᵀ·B, input gradient A·Bᵀ), in
// chainrule and its peers, interleaved round by round; every library's output is checked against
// a float64 reference on 32 sampled entries.
import { chainrule, tfjs, jaxjs, torch, describePeers } from "../lib/peers.mjs";
import { pattern, sampleIndices, referenceSample, sampleError } from "../lib/data.mjs";

export const description =
  "fp32 GEMM GFLOPS (NN, NT, TN) at 128³, 512³, 1024³ and the MLP 784-1024-512-10 batch-64 shapes; chainrule vs tfjs-cpu, tfjs-wasm, jax-js, PyTorch";

const TOL = 1e-3;

/** The cases: [label, m, n, k, transA, transB]. */
function cases(quick) {
  const out = [];
  const sq = quick ? [128, 512] : [128, 512, 1024];
  for (const s of sq)
    for (const [ta, tb] of [[false, false], [false, true], [true, false]]) out.push({ group: "square", m: s, n: s, k: s, ta, tb });
  // Forward X·W (batch 64), input gradient dY·Wᵀ, weight gradient Xᵀ·dY, for 784→1024→512→10.
  const layers = [[784, 1024], [1024, 512], [512, 10]];
  for (const [i, o] of layers) out.push({ group: "mlp fwd", m: 64, n: o, k: i, ta: false, tb: false });
  for (const [i, o] of layers) out.push({ group: "mlp dX", m: 64, n: i, k: o, ta: false, tb: true });
  for (const [i, o] of layers) out.push({ group: "mlp dW", m: i, n: o, k: 64, ta: true, tb: false });
  return out;
}

const variantName = (c) => (c.ta ? "TN" : c.tb ? "NT" : "NN");

function caseName(c) {
  const v = variantName(c);
  if (c.group === "square") return `${c.m}³ ${v}`;
  const a = c.ta ? `(${c.k}×${c.m})ᵀ` : `${c.m}×${c.k}`;
  const b = c.tb ? `(${c.n}×${c.k})ᵀ` : `${c.k}×${c.n}`;
  return `${c.group} ${a}·${b}`;
}

/** Runs `op` (which returns when its product is complete) until minMs has passed; GFLOPS. */
async function timeLoop(op, flops, minMs, now) {
  let iters = 0;
  const t0 = now();
  let el = 0;
  do {
    await op();
    iters++;
    el = now() - t0;
  } while (el < minMs);
  return (flops * iters) / (el * 1e6);
}

export async function run(ctx) {
  const { c, t, j, p } = await describePeers(ctx);
  const { cr, matmulT } = c;
  const tf = t.tf;
  const jax = j.ok ? j.jax : null;
  const minMs = ctx.quick ? 60 : 200;
  const rows = [];
  const jits = new Map();
  const jaxMatmul = (ta, tb) => {
    const key = `${ta}${tb}`;
    if (!jits.has(key)) {
      const np = jax.numpy;
      jits.set(key, jax.jit((a, b) => np.matmul(ta ? np.transpose(a) : a, tb ? np.transpose(b) : b)));
    }
    return jits.get(key);
  };

  for (const cs of cases(ctx.quick)) {
    const { m, n, k, ta, tb } = cs;
    const name = `GEMM ${caseName(cs)}`;
    const flops = 2 * m * n * k;
    const a = pattern(m * k, 1), b = pattern(k * n, 2);
    const aShape = ta ? [k, m] : [m, k], bShape = tb ? [n, k] : [k, n];
    const idx = sampleIndices(m, n);
    const ref = referenceSample(a, b, m, n, k, ta, tb, idx);
    const pick = (data) => idx.map((i) => data[i]);
    const outputs = {}; // library -> sampled output of its last product
    const variants = {};

    // chainrule: op(a)·op(b) under noGrad, through the internal matmulT when the build has it.
    const A = cr.tensor(a, { shape: aShape }), B = cr.tensor(b, { shape: bShape });
    const crOp = matmulT
      ? () => matmulT(A, B, ta, tb)
      : () => cr.matmul(ta ? cr.transpose(A, 0, 1) : A, tb ? cr.transpose(B, 0, 1) : B);
    for (const v of c.variants()) {
      variants[v.id] = async () => {
        v.apply();
        let out;
        const g = await timeLoop(() => cr.noGrad(() => { out = crOp(); }), flops, minMs, ctx.now);
        outputs[v.id] = pick(out.data);
        return g;
      };
    }

    // tfjs on its cpu backend (pure JS; skipped at 1024³, where one product takes seconds) and wasm.
    const tfBackends = [];
    if (t.cpu.ok && m * n * k <= 512 ** 3) tfBackends.push("cpu");
    if (t.wasm.ok) tfBackends.push("wasm");
    const tfTensors = {};
    for (const be of tfBackends) {
      await t.use(be);
      tfTensors[be] = [tf.tensor(a, aShape, "float32"), tf.tensor(b, bShape, "float32")];
      variants[`tfjs-${be}`] = async () => {
        await t.use(be);
        const [x, y] = tfTensors[be];
        let last = null;
        const g = await timeLoop(() => {
          const z = tf.matMul(x, y, ta, tb);
          const d = z.dataSync();
          z.dispose();
          last = d;
        }, flops, minMs, ctx.now);
        outputs[`tfjs-${be}`] = pick(last);
        return g;
      };
    }

    // jax-js on wasm: jit((a, b) => matmul(op(a), op(b))), the transposes inside the jit.
    let jA = null, jB = null;
    if (jax) {
      const np = jax.numpy;
      jA = np.array(a).reshape(aShape);
      jB = np.array(b).reshape(bShape);
      const f = jaxMatmul(ta, tb);
      variants["jax-js"] = async () => {
        let last = null;
        const g = await timeLoop(async () => {
          last = await f(jA.ref, jB.ref).data();
        }, flops, minMs, ctx.now);
        outputs["jax-js"] = pick(last);
        return g;
      };
    }

    // PyTorch in its child process (torch.matmul on .t() views: the BLAS takes the transposes).
    if (p.ok) {
      for (const th of [1, 2]) {
        variants[`torch ${th}t`] = async () => {
          const r = await p.request({ cmd: "gemm", m, n, k, ta, tb, threads: th, min_ms: minMs, sample: idx });
          outputs[`torch ${th}t`] = r.sample;
          return r.gflops;
        };
      }
    }

    ctx.progress(`${name}: ${Object.keys(variants).join(", ")}`);
    const samples = await ctx.sample(variants, { reps: ctx.reps, warmup: ctx.warmup, label: name });
    for (const [lib, s] of Object.entries(samples))
      rows.push(ctx.metric({ name, library: lib, unit: "GFLOPS", samples: s.value, better: "higher" }));
    for (const [lib, got] of Object.entries(outputs)) {
      const err = sampleError(got, ref);
      ctx.check(`${name}: ${lib} matches the float64 reference (rel. error ${err.toExponential(1)} ≤ ${TOL})`, err <= TOL, { lib, err });
    }
    for (const be of tfBackends) {
      await t.use(be);
      tf.dispose(tfTensors[be]);
    }
    if (jA) {
      jA.dispose();
      jB.dispose();
    }
  }
  await t.use("cpu");
  return rows;
}
