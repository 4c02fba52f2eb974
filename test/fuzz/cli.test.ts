// Fuzzing the CLI's flags: the built CLI (dist/cli/main.js) is started with random subcommands,
// flags and values (a bounded number: each start costs ~0.3 s). Each run exits 0, 1 (a diverged
// run) or 2 with one clear line, or is a legitimate training run that the test stops; never an
// uncaught TypeError/RangeError or a raw Node error (the runs pass --debug, which prints the class).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cliVerdict, makeFixtures, runCli } from "./cli-run.js";
import { SEED, enabled, progress, runs, saveRegression } from "./harness.js";

const { dir, csv, ckpt, corrupt, modelJson, badJson, samples } = makeFixtures();

const VALUES = [
  "0", "1", "-1", "2", "0.5", "1e309", "NaN", "-0", "abc", "", " ", "1e-400", "3.5", "99999999999999999999",
  `csv:${csv}`, `csv:${dir}`, "csv:/nonexistent.csv", `idx:${dir}`, "idx:/nonexistent", "digits", "mnist",
  "2-4-2", "2-0-2", "784-10", "x-y", modelJson, badJson, ckpt, corrupt, dir, "/dev/null", "/proc/self/mem",
  "sgd", "adam", "rmsprop", "cosine", "plateau", "none", "lines", "bar", "json", "latex", "svg", "1,28,28", "0,0", "kind", "x",
  "x1 = relu(x0*w0 + b0); z = x1*w1", "z = x*y", "x=1,y=2", "z=2", "softmax-cross-entropy", "cross-entropy", "mse",
  "--", "-h", "é∂", "a".repeat(5000), samples, "/proc/x.onnx", `${csv}/sub`,
];
const FLAGS: Record<string, string[]> = {
  train: ["--model", "--epochs", "--batch-size", "--lr", "--optimizer", "--momentum", "--weight-decay", "--schedule", "--seed", "--data", "--label", "--no-header", "--val-split", "--out", "--json", "--resume", "--progress"],
  eval: ["--data", "--label", "--no-header", "--json"],
  predict: ["--json"],
  summary: ["--batch", "--layout", "--input", "--json"],
  explain: ["--file", "--set", "--values", "--wrt", "--of", "--check", "--tol", "--quiet", "--precision", "--model", "--loss", "--l2", "--batch", "--format", "--derive", "--seed", "--out"],
  export: ["--onnx", "--opset", "--input"],
  import: ["--out"],
  nope: ["--x"],
};
const POSITIONALS: Record<string, number> = { eval: 1, predict: 2, summary: 1, explain: 1, export: 1, import: 1, train: 0, nope: 0 };
const BOOLEAN = new Set(["--no-header", "--json", "--quiet"]);

const argvs = fc
  .tuple(
    fc.constantFrom(...Object.keys(FLAGS)),
    fc.array(fc.constantFrom(...VALUES), { maxLength: 2 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...VALUES), fc.boolean()), { maxLength: 6 }),
  )
  .map(([cmd, pos, flags]) => {
    const argv = [cmd, ...pos.slice(0, POSITIONALS[cmd])];
    for (const [k, v, withValue] of flags) {
      const flag = FLAGS[cmd][k % FLAGS[cmd].length];
      argv.push(flag);
      if (withValue && !BOOLEAN.has(flag)) argv.push(v);
    }
    // NOTE: a train run without a small data set or model would train the default recipe for minutes
    if (cmd === "train" && !argv.includes("--epochs")) argv.push("--epochs", "1");
    if (cmd === "train" && !argv.includes("--data")) argv.push("--data", `csv:${csv}`);
    if (cmd === "train" && !argv.includes("--model")) argv.push("--model", "2-4-2");
    if (cmd === "train" && !argv.includes("--out")) argv.push("--out", join(dir, "run"));
    return argv;
  });

describe.runIf(enabled("cli"))("fuzz: the CLI's flags", () => {
  it("every command line exits 0, 1 or 2 with one of the library's errors, never a raw one", async () => {
    let n = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(argvs, async (argv) => {
        const r = await runCli(dir, argv, 20_000);
        if (++n % 25 === 0) progress("cli", n);
        const key = r.killed ? "stopped" : `exit ${r.code}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        const why = cliVerdict(r);
        if (why) {
          if (process.env.FUZZ_SAVE !== "0") saveRegression("cli", argv.map((a) => a.split(dir).join("$DIR")), why);
          expect.fail(`chainrule ${argv.join(" ")}: ${why}\n${r.err.slice(0, 1000)}`);
        }
      }),
      { seed: SEED, numRuns: runs(12), endOnFailure: true },
    );
    console.log(`[fuzz] cli: ${n} command lines, ${[...codes].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }, 600_000);
});

describe.runIf(enabled("cli"))("fuzz: train --resume of a checkpoint with damaged run settings", () => {
  it("is a UsageError naming the field, or a run; never a TypeError", async () => {
    const { decodeSafetensors, encodeSafetensors } = await import("../../src/index.js");
    const run = join(dir, "resume-base");
    const base = await runCli(dir, ["train", "--data", `csv:${csv}`, "--model", "2-4-2", "--epochs", "1", "--progress", "none", "--out", run], 60_000);
    expect(base.code, base.err).toBe(0);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(join(run, "checkpoint.safetensors"))));
    const training = JSON.parse(metadata["chainrule.training"]);
    const FIELDS = ["data", "label", "header", "modelName", "model", "optimizer", "lr", "momentum", "weightDecay", "schedule", "scheduleOptions", "batchSize", "seed", "valSplit", "epochs"];
    const GARBAGE = [null, 0, -1, 0.5, 1e309, "x", "", true, [], {}, { layers: "x" }, { layers: [{ type: "Nope" }] }, "NaN", "csv:/nonexistent", "sgd", "cosine"];
    const edits = fc.oneof(
      fc.record({ where: fc.constant("settings" as const), field: fc.constantFrom(...FIELDS), value: fc.constantFrom(...GARBAGE) }),
      fc.record({ where: fc.constant("history" as const), field: fc.constantFrom("epoch", "loss", "lr", "all"), value: fc.constantFrom(...GARBAGE) }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(edits, async (e) => {
        const t = structuredClone(training);
        if (e.where === "settings") t.settings[e.field] = e.value;
        else if (e.field === "all") t.history = e.value;
        else t.history[0][e.field] = e.value;
        const file = join(dir, `damaged-${n++}.safetensors`);
        writeFileSync(file, encodeSafetensors(tensors as never, { ...metadata, "chainrule.training": JSON.stringify(t) }));
        const r = await runCli(dir, ["train", "--resume", file, "--epochs", "2", "--progress", "none", "--out", join(dir, "resumed")], 20_000);
        const why = cliVerdict(r);
        if (why) expect.fail(`resume of ${JSON.stringify(e)}: ${why}\n${r.err.slice(0, 800)}`);
      }),
      {
        seed: SEED, numRuns: runs(6), endOnFailure: true,
        // regressions: before the settings were checked, these crashed (TypeError: data.startsWith is not a function) or trained on
        examples: [[{ where: "settings", field: "data", value: 42 }], [{ where: "history", field: "all", value: "x" }], [{ where: "settings", field: "scheduleOptions", value: null }]],
      },
    );
    console.log(`[fuzz] cli/resume: ${n} damaged checkpoints`);
  }, 600_000);
});
