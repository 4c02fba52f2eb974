// Crash safety of `chainrule train`: the run is killed with SIGKILL at random moments (some of them
// while a checkpoint is being written, caught by watching for its temporary file), at least 10
// times; after each kill the newest checkpoint on disk must load and hold a prefix of the
// uninterrupted run's history, and `--resume` must finish the run with the same losses and weights,
// bit for bit. A full disk (simulated with a file size limit, RLIMIT_FSIZE, so writes fail with
// EFBIG) and an unwritable --out are one clear error each and leave the previous checkpoint as it was.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint } from "../../src/io/checkpoint.js";

const MAIN = resolve("dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "chainrule-crash-"));
const csv = join(dir, "blobs.csv");
{
  // three Gaussian-ish blobs in 8 dimensions, generated deterministically
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const rows = [Array.from({ length: 8 }, (_, j) => `f${j}`).join(",") + ",label"];
  for (let i = 0; i < 1000; i++) rows.push([...Array.from({ length: 8 }, (_, j) => (((i % 3) === j % 3 ? 1.5 : 0) + rnd()).toFixed(5)), i % 3].join(","));
  writeFileSync(csv, rows.join("\n") + "\n");
}
const EPOCHS = 8;
const RECIPE = ["--data", `csv:${csv}`, "--model", "8-32-3", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--val-split", "0.1", "--seed", "7", "--progress", "none"];

interface Log { epoch: number; loss: number; accuracy?: number; valLoss?: number; valAccuracy?: number }
const ckptOf = (out: string) => join(out, "checkpoint.safetensors");
const load = (out: string) => decodeCheckpoint(new Uint8Array(readFileSync(ckptOf(out))), ckptOf(out));
const numbers = (h: Log[]) => h.map((e) => [e.epoch, e.loss, e.accuracy, e.valLoss, e.valAccuracy]);
const weights = (out: string) => Object.fromEntries(Object.entries(load(out).state).map(([k, t]) => [k, Array.from(t.data as Float32Array)]));

function cli(args: string[], opts: { shell?: string } = {}) {
  const r = opts.shell
    ? spawnSync("bash", ["-c", `${opts.shell}; exec "$0" "$@"`, process.execPath, MAIN, ...args], { encoding: "utf8", timeout: 120_000 })
    : spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A seeded PRNG for the kill moments, so a failure replays. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Starts a run (or resumes the one in `out`) and kills it after `ms`, or as soon as a checkpoint's temporary file appears. */
function runAndKill(out: string, mode: { afterMs: number } | { onCheckpointWrite: true }): Promise<{ killed: boolean; code: number | null }> {
  const resume = existsSync(ckptOf(out));
  const args = resume ? ["train", "--resume", ckptOf(out), "--epochs", String(EPOCHS), "--out", out, "--progress", "none"] : ["train", ...RECIPE, "--epochs", String(EPOCHS), "--out", out];
  return new Promise((done) => {
    const child: ChildProcess = spawn(process.execPath, [MAIN, ...args], { stdio: "ignore" });
    const kill = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
    let watcher: ReturnType<typeof watch> | undefined;
    let timer: NodeJS.Timeout | undefined;
    if ("afterMs" in mode) timer = setTimeout(kill, mode.afterMs);
    else watcher = watch(out, (_, name) => name && /^\.checkpoint\.safetensors\..*\.tmp$/.test(String(name)) && kill());
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      done({ killed: signal === "SIGKILL", code });
    });
  });
}

describe("chainrule train survives SIGKILL", () => {
  it("after each of at least 10 kills the newest checkpoint loads, and --resume finishes with the uninterrupted run's losses and weights", async () => {
    const ref = join(dir, "reference");
    const t0 = performance.now();
    const r = cli(["train", ...RECIPE, "--epochs", String(EPOCHS), "--out", ref]);
    const runMs = performance.now() - t0;
    expect(r.code, r.err).toBe(0);
    const refMetrics = JSON.parse(readFileSync(join(ref, "metrics.json"), "utf8"));
    const refHistory = refMetrics.history as Log[];
    expect(refHistory).toHaveLength(EPOCHS);

    const random = prng(2026);
    let kills = 0, duringWrite = 0, attempts = 0;
    const seen: number[] = [];
    for (let seq = 0; kills < 12 && attempts < 60; seq++) {
      const out = join(dir, `killed-${seq}`);
      mkdirSync(out, { recursive: true });
      // each sequence: kill, check, resume-and-kill again, ..., then finish without a kill
      for (let k = 0; k < 4 && attempts < 60; k++, attempts++) {
        const mode = attempts % 3 === 2 ? ({ onCheckpointWrite: true } as const) : { afterMs: 150 + random() * runMs };
        const res = await runAndKill(out, mode);
        if (!res.killed) {
          expect(res.code).toBe(0); // the run finished before the kill: fine, nothing to check but that
          break;
        }
        kills++;
        if ("onCheckpointWrite" in mode) duringWrite++;
        if (existsSync(ckptOf(out))) {
          const h = load(out).training!.history as Log[];
          seen.push(h.length);
          expect(numbers(h)).toEqual(numbers(refHistory.slice(0, h.length)));
        } else seen.push(0);
      }
      const fin = existsSync(ckptOf(out))
        ? cli(["train", "--resume", ckptOf(out), "--epochs", String(EPOCHS), "--out", out, "--progress", "none"])
        : cli(["train", ...RECIPE, "--epochs", String(EPOCHS), "--out", out]);
      expect(fin.code, fin.err).toBe(0);
      expect(numbers(load(out).training!.history as Log[])).toEqual(numbers(refHistory));
      expect(weights(out)).toEqual(weights(ref));
      // the finished run wrote the uninterrupted run's results, even after a kill between its last checkpoint and its final evaluation
      const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
      expect(numbers(metrics.history)).toEqual(numbers(refHistory));
      expect([metrics.testAccuracy, metrics.testLoss]).toEqual([refMetrics.testAccuracy, refMetrics.testLoss]);
      // a kill during a write may leave a temporary file; the next run in the directory removes it
      expect(readdirSync(out).sort()).toEqual(["checkpoint.safetensors", "curves.svg", "metrics.json"]);
    }
    console.log(`[crash] ${kills} SIGKILLs (${duringWrite} while a checkpoint was being written), epochs on disk after each: ${seen.join(",")}; an uninterrupted run takes ${runMs.toFixed(0)} ms`);
    expect(kills).toBeGreaterThanOrEqual(10);
  }, 300_000);
});

describe("a write that fails is one clear error and keeps the previous checkpoint", () => {
  const out = join(dir, "disk");
  const setup = () => {
    if (!existsSync(ckptOf(out))) expect(cli(["train", ...RECIPE, "--epochs", "1", "--out", out]).code).toBe(0);
    return readFileSync(ckptOf(out));
  };

  it("a full disk (writes fail with EFBIG under a 2 KiB file size limit)", () => {
    const before = setup();
    const r = cli(["train", "--resume", ckptOf(out), "--epochs", "3", "--out", out, "--progress", "none"], { shell: `trap "" XFSZ; ulimit -f 2` });
    expect(r.code, r.err).toBe(2);
    const lines = r.err.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^chainrule: cannot write .*checkpoint\.safetensors \(EFBIG: the disk is full or the file is over a size limit\); the file there was left as it was; the last checkpoint is .*checkpoint\.safetensors \(1 of 3 epochs\)$/);
    expect(readFileSync(ckptOf(out)).equals(before)).toBe(true);
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(load(out).training!.history).toHaveLength(1);
  });

  it("an --out that cannot be created or written", () => {
    const before = setup();
    const blocked = [join(ckptOf(out), "sub"), "/proc/chainrule-out", "/dev/full/out"];
    for (const o of blocked) {
      const r = cli(["train", "--resume", ckptOf(out), "--epochs", "3", "--out", o, "--progress", "none"]);
      expect(r.code, o).toBe(2);
      expect(r.err.trim().split("\n"), o).toHaveLength(1);
      expect(r.err).toMatch(/^chainrule: --out: /);
    }
    if (process.getuid?.() !== 0) {
      // a read-only directory (root ignores the mode, so this runs only as another user)
      const ro = join(dir, "read-only");
      mkdirSync(ro, { mode: 0o555 });
      const r = cli(["train", "--resume", ckptOf(out), "--epochs", "3", "--out", ro, "--progress", "none"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("--out: cannot write to");
    }
    expect(readFileSync(ckptOf(out)).equals(before)).toBe(true);
  });
});
