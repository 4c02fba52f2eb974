import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadDigits } from "../../src/node/digits.js";

/** Runs the built CLI (dist/) to completion, in `cwd` (default: the repository). */
export const cliIn = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [resolve("dist/cli/main.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
export const cli = (...args: string[]) => cliIn(process.cwd(), ...args);

/** Starts the built CLI; `done` resolves with its exit code and output. */
export function start(...args: string[]) {
  const child = spawn(process.execPath, ["dist/cli/main.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, done, stderr: () => err };
}

function idx(type: number, shape: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(head.buffer);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => view.setInt32(4 + 4 * i, d));
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** A small MNIST-style IDX directory (`n` train and `n / 4` test digits), so that idx: runs are fast. */
export function writeIdxDigits(dir: string, n = 600): void {
  mkdirSync(dir, { recursive: true });
  const all = loadDigits("all");
  const pick = (offset: number, count: number) => {
    const at = Array.from({ length: count }, (_, k) => ((offset + k) * 37) % all.n);
    const x = new Uint8Array(count * 784);
    at.forEach((i, k) => x.set(Array.from(all.x.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)), k * 784));
    return { x, y: Uint8Array.from(at, (i) => all.y[i]) };
  };
  for (const [prefix, part] of [["train", pick(0, n)], ["t10k", pick(n, n / 4)]] as const) {
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx(0x08, [part.y.length, 28, 28], part.x));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx(0x08, [part.y.length], part.y));
  }
}

/** Two clusters of 2-D points with string labels "left" and "right" in column `kind`. */
export function writePointsCsv(file: string, n = 200): void {
  const rows = ["x,y,kind"];
  for (let i = 0; i < n; i++) {
    const c = i % 2, a = (i * 2.39996) % (2 * Math.PI);
    rows.push(`${(c * 3 + Math.cos(a)).toFixed(4)},${Math.sin(a).toFixed(4)},${c ? "right" : "left"}`);
  }
  writeFileSync(file, rows.join("\n") + "\n");
}
