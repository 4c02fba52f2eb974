#!/usr/bin/env node
// Long fuzz runs: `npm run fuzz -- --runs N [--target name[,name]] [--seed S]` runs the fuzz tests
// of test/fuzz with N inputs per property (the bounded run of `npm test` uses a few hundred).
// Targets: explain, model, csv, safetensors, idx, onnx, cli (or a full name such as idx/node; cli is
// cli/flags, run in process, cli/spawn, at most FUZZ_SPAWN_RUNS (100) started CLIs, and cli/resume).
// Every input that breaks a rule is written to test/fuzz/regressions/<target>.json and replayed by
// test/fuzz/regressions.test.ts from then on.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opts = { runs: "10000", target: null, seed: null };
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split("=", 2);
  const value = () => inline ?? args[++i];
  if (flag === "--runs") opts.runs = value();
  else if (flag === "--target") opts.target = value();
  else if (flag === "--seed") opts.seed = value();
  else if (flag === "-h" || flag === "--help") {
    console.log("usage: npm run fuzz -- [--runs N] [--target explain|model|csv|safetensors|idx|onnx|cli[,...]] [--seed S]");
    process.exit(0);
  } else {
    console.error(`fuzz: unknown argument ${args[i]} (try --help)`);
    process.exit(2);
  }
}
if (!/^[1-9]\d*$/.test(opts.runs)) {
  console.error(`fuzz: --runs: expected a positive integer, found ${opts.runs}`);
  process.exit(2);
}
const env = { ...process.env, FUZZ_RUNS: opts.runs };
if (opts.target) env.FUZZ_TARGET = opts.target;
if (opts.seed) env.FUZZ_SEED = opts.seed;
const files = ["test/fuzz/text.test.ts", "test/fuzz/binary.test.ts", "test/fuzz/cli.test.ts"];
const r = spawnSync(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", ...files, "--testTimeout=0", "--hookTimeout=0"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
