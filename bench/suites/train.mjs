// Train suite: wall time and test accuracy of the CLI's recipes, each run once as a user runs it:
// the default `chainrule train` (784-1024-512-10 MLP, 10 epochs of the 8,004 training digits) and
// the README's CNN recipe (`--model cnn.json --lr 0.05 --schedule cosine --val-split 0.1`). With
// --quick, 1 epoch each. The accuracy and the training time are read from the CLI's --json summary.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CNN_SPEC } from "./cnn.mjs";

export const description = "wall time and test accuracy of `chainrule train` (default MLP recipe) and of the README's cnn.json recipe, each run once through the CLI";

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(rootDir, "dist", "cli", "main.js");

function runCli(args, ctx) {
  ctx.progress(`node dist/cli/main.js ${args.join(" ")}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args, "--json", "--progress", "lines"], {
    cwd: rootDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) return { ok: false, error: r.error?.message ?? `exit code ${r.status}`, wall };
  try {
    const j = JSON.parse(r.stdout.trim().split("\n").pop());
    return { ok: true, wall, accuracy: j.testAccuracy, trainSeconds: j.trainSeconds, samplesPerSecond: j.samplesPerSecond, epochs: j.epochs };
  } catch (e) {
    return { ok: false, error: `could not read the --json summary: ${e.message}`, wall };
  }
}

export async function run(ctx) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "chainrule-bench-train-"));
  const epochs = ctx.quick ? ["--epochs", "1"] : [];
  const nEpochs = ctx.quick ? 1 : 10;
  const rows = [];
  try {
    const cnnFile = path.join(tmp, "cnn.json");
    writeFileSync(cnnFile, JSON.stringify(CNN_SPEC));
    const recipes = [
      { title: `default \`chainrule train\` (784-1024-512-10, ${nEpochs} epoch${nEpochs > 1 ? "s" : ""})`, args: ["train", ...epochs, "--out", path.join(tmp, "mlp")], min: ctx.quick ? 0.8 : 0.965 },
      {
        title: `CNN recipe (cnn.json, ${nEpochs} epoch${nEpochs > 1 ? "s" : ""})`,
        args: ["train", "--model", cnnFile, "--lr", "0.05", "--schedule", "cosine", "--val-split", "0.1", ...epochs, "--out", path.join(tmp, "cnn")],
        min: ctx.quick ? 0.5 : 0.975,
      },
    ];
    for (const rc of recipes) {
      const r = runCli(rc.args, ctx);
      ctx.check(`${rc.title}: the CLI ran`, r.ok, r.ok ? {} : { error: r.error });
      if (!r.ok) continue;
      rows.push(
        ctx.metric({ name: `${rc.title}: test accuracy`, library: "chainrule", unit: "%", samples: [r.accuracy * 100], better: "higher" }),
        ctx.metric({ name: `${rc.title}: wall time`, library: "chainrule", unit: "s", samples: [r.wall] }),
        ctx.metric({ name: `${rc.title}: training time`, library: "chainrule", unit: "s", samples: [r.trainSeconds] }),
        ctx.metric({ name: `${rc.title}: training samples/s`, library: "chainrule", unit: "samples/s", samples: [r.samplesPerSecond], better: "higher" }),
      );
      ctx.check(`${rc.title}: test accuracy ${(r.accuracy * 100).toFixed(2)}% ≥ ${(rc.min * 100).toFixed(1)}%`, r.accuracy >= rc.min, { accuracy: r.accuracy });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  ctx.note("train: each recipe once, `node dist/cli/main.js train` and `node dist/cli/main.js train --model cnn.json --lr 0.05 --schedule cosine --val-split 0.1` (with `--epochs 1` under --quick); wall time = the whole CLI process (start, data loading, training, test evaluation, checkpoint writing); training time as the CLI reports it.");
  return rows;
}
