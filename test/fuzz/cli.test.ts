// Fuzzing the CLI's flags with random subcommands, flags and values. Most command lines run in this
// process (`runCli` of src/cli/program.ts, its output captured: a few ms each); a few dozen start the
// built CLI (dist/cli/main.js, ~0.5 s each) so that the real entry is covered too. Each run exits 0,
// 1 (a diverged run) or 2 with one clear line, or is a legitimate training run that the test stops as
// Ctrl-C does; never an uncaught TypeError/RangeError or a raw Node error (the runs pass --debug,
// which prints the class), and never a hang.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runCli as runHere } from "../../src/cli/program.js";
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

type Run = { code: number | null; err: string; killed: boolean; ms: number };

/**
 * One command line in this process, in `dir` (its relative paths land there, as a started CLI's do):
 * stderr kept (its first 64 KB), stdout dropped; a training run still going after `stopMs` is stopped
 * as Ctrl-C stops it (`killed`; exit code 130 when it stopped cleanly).
 */
async function here(argv: string[], stopMs = 2000): Promise<Run> {
  let err = "";
  let killed = false;
  const stops = new Set<() => void>();
  const timer = setTimeout(() => ((killed = stops.size > 0), stops.forEach((f) => f())), stopMs);
  const t0 = performance.now();
  try {
    const { code } = await runHere(["--debug", ...argv], {
      out: () => {},
      err: (s) => void (err.length < 65536 && (err += s)),
      onInterrupt: (f) => (stops.add(f), () => void stops.delete(f)),
    });
    return { code, err, killed, ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

/** Why an in-process run broke the rules, or null: the started CLI's rules, a stop that says where the checkpoint is, a time bound. */
function hereVerdict(r: Run, maxMs = 20_000): string | null {
  if (r.ms > maxMs) return `did not finish in time (${(r.ms / 1000).toFixed(1)} s)`;
  if (r.killed && r.code === 130) return /^chainrule train: interrupted in epoch .*; (the last checkpoint is|no checkpoint was written)/m.test(r.err) ? null : "stopped without saying where its checkpoint is";
  return cliVerdict({ ...r, killed: false });
}

// NOTE: a long run has no time limit (scripts/fuzz.mjs passes --testTimeout=0, but a test's own timeout wins)
const LIMIT = process.env.FUZZ_RUNS !== undefined ? 0 : 600_000;
const cwd = process.cwd();
// NOTE: fuzzed command lines write where their flags say (a relative `--out 2-4-2` is then what `--model 2-4-2` reads,
// and `--out <the CSV>` overwrites it), so the tests that need working fixtures have fresh ones in a directory of their own.
const clean = makeFixtures();
afterAll(() => process.chdir(cwd));

describe.runIf(enabled("cli/flags"))("fuzz: the CLI's flags, in process", () => {
  it("every command line exits 0, 1 or 2 with one of the library's errors, never a raw one", async () => {
    let n = 0;
    const codes = new Map<string, number>();
    const t0 = performance.now();
    process.chdir(dir);
    await fc.assert(
      fc.asyncProperty(argvs, async (argv) => {
        const r = await here(argv);
        if (++n % 1000 === 0) progress("cli/flags", n);
        const key = r.killed ? "stopped" : `exit ${r.code}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        const why = hereVerdict(r);
        if (why) {
          if (process.env.FUZZ_SAVE !== "0") saveRegression("cli", argv.map((a) => a.split(dir).join("$DIR")), why);
          expect.fail(`chainrule ${argv.join(" ")}: ${why}\n${r.err.slice(0, 1000)}`);
        }
      }),
      { seed: SEED, numRuns: runs(300), endOnFailure: true },
    );
    const s = (performance.now() - t0) / 1000;
    progress("cli/flags", n);
    console.log(`[fuzz] cli/flags: ${n} command lines in ${s.toFixed(1)} s (${(n / s).toFixed(1)}/s), ${[...codes].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }, LIMIT);

  it("captures what a run prints and its exit code, and stops a long training run as Ctrl-C does", async () => {
    process.chdir(clean.dir);
    const long = await here(["train", "--data", `csv:${clean.csv}`, "--model", "2-4-2", "--epochs", "99999999999999999999", "--progress", "none", "--out", join(clean.dir, "long")], 500);
    expect(long.err).toMatch(/^chainrule train: interrupted in epoch \d+\/100000000000000000000; the last checkpoint is .*long\/checkpoint\.safetensors/m);
    expect([long.code, long.killed, hereVerdict(long)]).toEqual([130, true, null]);
    expect(await here(["summary", "--nope"])).toMatchObject({ code: 2, err: "error: unknown option '--nope'\n" });
    expect(await here(["eval", "/nonexistent.safetensors"])).toMatchObject({ code: 2, killed: false });
    let out = "";
    expect(await runHere(["summary", "2-4-2"], { out: (s) => void (out += s), err: () => {} })).toEqual({ code: 0, exit: false });
    expect(out).toMatch(/Linear[^]*\nTotal parameters: 22 = 12 \+ 10\n/);
  });
});

describe.runIf(enabled("cli/spawn"))("fuzz: the CLI's flags, through the built CLI", () => {
  it("every command line exits 0, 1 or 2 with one of the library's errors, never a raw one", async () => {
    let n = 0;
    const codes = new Map<string, number>();
    process.chdir(dir);
    await fc.assert(
      fc.asyncProperty(argvs, async (argv) => {
        const r = await runCli(dir, argv, 20_000);
        if (++n % 25 === 0) progress("cli/spawn", n);
        const key = r.killed ? "stopped" : `exit ${r.code}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        const why = cliVerdict(r);
        if (why) {
          if (process.env.FUZZ_SAVE !== "0") saveRegression("cli", argv.map((a) => a.split(dir).join("$DIR")), why);
          expect.fail(`chainrule ${argv.join(" ")}: ${why}\n${r.err.slice(0, 1000)}`);
        }
        // the same command line in process ends the same way: its exit code and its first line on stderr
        const h = await here(argv);
        if (!r.killed && !h.killed) expect([h.code, h.err.split("\n")[0]], `chainrule ${argv.join(" ")}`).toEqual([r.code, r.err.split("\n")[0]]);
      }),
      // NOTE: a long run starts at most FUZZ_SPAWN_RUNS (100) processes, ~1 s each; the in-process property takes the N
      { seed: SEED + 1, numRuns: Math.min(runs(24), Number(process.env.FUZZ_SPAWN_RUNS ?? 100)), endOnFailure: true },
    );
    console.log(`[fuzz] cli/spawn: ${n} command lines, ${[...codes].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }, LIMIT);
});

describe.runIf(enabled("cli/resume"))("fuzz: train --resume of a checkpoint with damaged run settings", () => {
  it("is a UsageError naming the field, or a run; never a TypeError", async () => {
    const { decodeSafetensors, encodeSafetensors } = await import("../../src/index.js");
    process.chdir(clean.dir);
    const run = join(clean.dir, "resume-base");
    const base = await here(["train", "--data", `csv:${clean.csv}`, "--model", "2-4-2", "--epochs", "1", "--progress", "none", "--out", run], 60_000);
    expect(base.code, base.err).toBe(0);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(join(run, "checkpoint.safetensors"))));
    const training = JSON.parse(metadata["chainrule.training"]);
    const FIELDS = ["data", "label", "header", "modelName", "model", "optimizer", "lr", "momentum", "weightDecay", "schedule", "scheduleOptions", "batchSize", "seed", "valSplit", "epochs"];
    const GARBAGE = [null, 0, -1, 0.5, 1e309, "x", "", true, [], {}, { layers: "x" }, { layers: [{ type: "Nope" }] }, "NaN", "csv:/nonexistent", "sgd", "cosine"];
    type Edit = { where: "settings" | "history"; field: string; value: unknown };
    const all: Edit[] = [
      ...FIELDS.flatMap((field) => GARBAGE.map((value) => ({ where: "settings" as const, field, value }))),
      ...["epoch", "loss", "lr", "all"].flatMap((field) => GARBAGE.map((value) => ({ where: "history" as const, field, value }))),
    ];
    let n = 0;
    const check = async (e: Edit) => {
      const t = structuredClone(training);
      if (e.where === "settings") t.settings[e.field] = e.value;
      else if (e.field === "all") t.history = e.value;
      else t.history[0][e.field] = e.value;
      const file = join(clean.dir, `damaged-${n++}.safetensors`);
      writeFileSync(file, encodeSafetensors(tensors as never, { ...metadata, "chainrule.training": JSON.stringify(t) }));
      const r = await here(["train", "--resume", file, "--epochs", "2", "--progress", "none", "--out", join(clean.dir, "resumed")]);
      const why = hereVerdict(r);
      if (why) expect.fail(`resume of ${JSON.stringify(e)}: ${why}\n${r.err.slice(0, 800)}`);
    };
    // NOTE: a long run tries every one of the 304 edits; the bounded run a few, and the cases that once failed
    // (before the settings were checked they crashed, TypeError: data.startsWith is not a function, or trained on)
    const once: Edit[] = [{ where: "settings", field: "data", value: 42 }, { where: "history", field: "all", value: "x" }, { where: "settings", field: "scheduleOptions", value: null }];
    const picked = process.env.FUZZ_RUNS !== undefined ? all : fc.sample(fc.constantFrom(...all), { seed: SEED, numRuns: runs(6) });
    for (const e of [...once, ...picked]) await check(e);
    console.log(`[fuzz] cli/resume: ${n} damaged checkpoints`);
  }, LIMIT);
});
