// Memory suite: long runs do not grow. (a) 20 epochs of a small MLP on 2,000 digits in one process,
// RSS sampled after every epoch (after a forced GC): from epoch 2 on, RSS stays within 10% of its
// epoch-2 value. (b) 10,000 explain calls (the P1 program with values and gradients) in one
// process: the heap after the last call is within 10% (and 8 MiB) of the heap after the first 1,000.
import * as cr from "../../dist/index.js";
import { loadDigits } from "../../dist/node/index.js";

export const description = "RSS over 20 training epochs and heap over 10,000 explain calls, in one process (no growth after warm-up)";

const MiB = 2 ** 20;
const mib = (b) => +(b / MiB).toFixed(1);

export async function run(ctx) {
  const rows = [];
  ctx.gc();

  // (a) 20 epochs
  const raw = loadDigits("train");
  const n = 2000;
  const data = cr.fromRaw({ ...raw, n, x: raw.x.subarray(0, n * 784), y: raw.y.subarray(0, n) });
  const model = cr.mlp("784-128-64-10", { generator: new cr.Generator(0) });
  const optimizer = new cr.Adam(model.parameters(), { lr: 1e-3 });
  const rss = [];
  const t0 = ctx.now();
  cr.fit(model, data, {
    epochs: 20, batchSize: 64, optimizer, seed: 0, metrics: ["accuracy"], progress: {},
    callbacks: {
      onEpochEnd: () => {
        ctx.gc();
        rss.push(process.memoryUsage().rss);
        ctx.progress(`epoch ${rss.length}: RSS ${mib(rss.at(-1))} MiB`);
      },
    },
  });
  const seconds = (ctx.now() - t0) / 1000;
  const base = rss[1];
  const after = rss.slice(1);
  const maxGrowth = Math.max(...after.map((r) => r / base - 1));
  rows.push(
    ctx.metric({ name: "20 epochs (784-128-64-10, 2,000 digits): RSS after epoch 2", library: "chainrule", unit: "MiB", samples: [mib(base)] }),
    ctx.metric({ name: "20 epochs: RSS after epoch 20", library: "chainrule", unit: "MiB", samples: [mib(rss.at(-1))] }),
    ctx.metric({ name: "20 epochs: largest RSS after epoch 2, over epoch 2's", library: "chainrule", unit: "%", samples: [+(maxGrowth * 100).toFixed(2)] }),
    ctx.metric({ name: "20 epochs: wall time", library: "chainrule", unit: "s", samples: [+seconds.toFixed(2)] }),
  );
  ctx.note(`RSS per epoch (MiB): ${rss.map(mib).join(", ")}`);
  ctx.check("RSS stays within 10% of epoch 2's from epoch 2 to 20", maxGrowth <= 0.1, { rssMiB: rss.map(mib) });

  // (b) 10,000 explain calls
  const program = "x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)";
  const values = { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 };
  const heap = [], rssExplain = [];
  const calls = 10_000;
  const t1 = ctx.now();
  let checksum = 0;
  for (let i = 1; i <= calls; i++) {
    const d = cr.explain(program, values, { wrt: ["w0", "w1", "b0", "b1", "x0"] });
    checksum += d.gradients?.length ?? 1;
    if (i % 1000 === 0) {
      ctx.gc();
      const m = process.memoryUsage();
      heap.push(m.heapUsed);
      rssExplain.push(m.rss);
    }
  }
  const perCall = (ctx.now() - t1) / calls;
  const growth = heap.at(-1) / heap[0] - 1;
  rows.push(
    ctx.metric({ name: "10,000 explain calls: heap after 1,000", library: "chainrule", unit: "MiB", samples: [mib(heap[0])] }),
    ctx.metric({ name: "10,000 explain calls: heap after 10,000", library: "chainrule", unit: "MiB", samples: [mib(heap.at(-1))] }),
    ctx.metric({ name: "10,000 explain calls: RSS after 1,000", library: "chainrule", unit: "MiB", samples: [mib(rssExplain[0])] }),
    ctx.metric({ name: "10,000 explain calls: RSS after 10,000", library: "chainrule", unit: "MiB", samples: [mib(rssExplain.at(-1))] }),
    ctx.metric({ name: "10,000 explain calls: time per call", library: "chainrule", unit: "ms", samples: [+perCall.toFixed(3)] }),
  );
  ctx.note(`heap every 1,000 explain calls (MiB): ${heap.map(mib).join(", ")}; RSS: ${rssExplain.map(mib).join(", ")} (checksum ${checksum})`);
  ctx.check("the heap after 10,000 explain calls is within 10% (or 8 MiB) of the heap after 1,000", growth <= 0.1 || heap.at(-1) - heap[0] < 8 * MiB, { heapMiB: heap.map(mib) });
  return rows;
}
