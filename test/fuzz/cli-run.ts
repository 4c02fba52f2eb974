// Running the built CLI for the fuzz tests and judging a run; the fixtures a command line may name
// live in one temporary directory, written "$DIR" in stored regression cases.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Generator, encodeCheckpoint, mlp, mlpSpec } from "../../src/index.js";

export const MAIN = resolve("dist/cli/main.js");

/** A fresh directory with a small CSV, a checkpoint, a corrupt one, JSON models and samples. */
export function makeFixtures() {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-fuzz-cli-"));
  const csv = join(dir, "points.csv");
  writeFileSync(csv, "x,y,kind\n" + Array.from({ length: 40 }, (_, i) => `${(i % 2) * 3 + Math.cos(i)},${Math.sin(i)},${i % 2 ? "right" : "left"}`).join("\n") + "\n");
  const ckpt = join(dir, "model.safetensors");
  writeFileSync(ckpt, encodeCheckpoint(mlp("2-4-2", { generator: new Generator(0) }), { architecture: mlpSpec("2-4-2"), input: { shape: [2] } }));
  const corrupt = join(dir, "corrupt.safetensors");
  writeFileSync(corrupt, new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22]));
  const modelJson = join(dir, "model.json");
  writeFileSync(modelJson, JSON.stringify({ layers: [{ type: "Linear", in: 2, out: 2 }] }));
  const badJson = join(dir, "bad.json");
  writeFileSync(badJson, "{ layers: ");
  const samples = join(dir, "samples.json");
  writeFileSync(samples, "[[1, 2], [3, 4]]");
  return { dir, csv, ckpt, corrupt, modelJson, badJson, samples };
}

export function runCli(dir: string, argv: string[], limitMs: number): Promise<{ code: number | null; err: string; killed: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MAIN, "--debug", ...argv], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    let killed = false;
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => ((killed = true), child.kill("SIGKILL")), limitMs);
    child.on("close", (code) => (clearTimeout(timer), done({ code, err, killed })));
  });
}

/** Why a run broke the rules, or null. */
export function cliVerdict(r: { code: number | null; err: string; killed: boolean }): string | null {
  if (r.killed) return /chainrule train: /.test(r.err) ? null : "did not finish in time";
  if (![0, 1, 2].includes(r.code ?? -1)) return `exit code ${r.code}`;
  const raw = r.err.match(/^(?:Uncaught )?(TypeError|RangeError|ReferenceError|SyntaxError|Error|AssertionError)\b.*$/m);
  if (raw) return `uncaught ${raw[0].slice(0, 300)}`;
  if (/Maximum call stack|FATAL ERROR|heap out of memory/.test(r.err)) return "crashed";
  return null;
}
