// The libraries the suites compare: chainrule from dist/, and the peers of bench/package.json
// (@tensorflow/tfjs on its cpu and wasm backends, @jax-js/jax on wasm) plus PyTorch through
// bench/py/peers.py when /usr/bin/python3 imports torch. Each loader runs once and caches; a peer
// that fails to load is reported (with the error) and its cases are skipped, not failed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const once = (f) => {
  let p = null;
  return () => (p ??= f());
};

// ---------------------------------------------------------------------------------- chainrule

export const chainrule = once(async () => {
  const cr = await import("../../dist/index.js");
  // Internal op(a)·op(b) with the transposes folded into the kernel (no copy); the public
  // matmul(a, transpose(b)) is the fallback when a build does not have it.
  let matmulT = null;
  try {
    const F = await import("../../dist/ops/functions.js");
    if (typeof F.matmulT === "function") matmulT = F.matmulT;
  } catch {
    matmulT = null;
  }
  const backend = () => cr.getBackend();
  const setThreadsFn = () => {
    if (typeof cr.setNumThreads === "function") return (n) => cr.setNumThreads(n);
    const b = backend();
    if (typeof b.setNumThreads === "function") return (n) => b.setNumThreads(n);
    return null;
  };
  const describe = () => {
    const b = backend();
    let info = null;
    try {
      info = typeof b.info === "function" ? b.info() : (b.info ?? null);
    } catch {
      info = null;
    }
    // getBackend() is the backend object in older builds, { name, kernels: { kernel: { dtype: backend } } } in newer ones.
    const served = b.kernels && typeof b.kernels === "object" ? b.kernels : null;
    let registered = null;
    try {
      registered = typeof cr.registeredBackends === "function" ? cr.registeredBackends().map((x) => x.name) : null;
    } catch {
      registered = null;
    }
    return {
      backend: b.name ?? "unknown",
      description: typeof b.description === "string" ? b.description : null,
      info: typeof info === "function" ? null : info,
      matmulFloat32ServedBy: served?.matmul?.float32 ?? b.name ?? null,
      registeredBackends: registered,
      threads: setThreadsFn() ? "settable (1 and 2 measured)" : "not settable (one configuration)",
      matmulTransposed: matmulT ? "internal matmulT (dist/ops/functions.js): transposes folded into the kernel, no copy" : "public matmul(a, transpose(b)): an explicit transpose (a copy)",
    };
  };
  /** The chainrule variants of a comparison: one per thread count when threads can be set. */
  const variants = () => {
    const set = setThreadsFn();
    if (!set) return [{ id: "chainrule", threads: null, apply: () => {} }];
    return [
      { id: "chainrule", threads: 1, apply: () => set(1) },
      { id: "chainrule 2t", threads: 2, apply: () => set(2) },
    ];
  };
  return { cr, matmulT, describe, variants };
});

// ---------------------------------------------------------------------------------- tfjs

export const tfjs = once(async () => {
  const tf = await import("@tensorflow/tfjs");
  tf.enableProdMode(); // in tfjs 4.22 this only silences console warnings (e.g. the tfjs-node banner)
  const version = JSON.parse(readFileSync(require.resolve("@tensorflow/tfjs/package.json"), "utf8")).version;
  const cpuOk = await tf.setBackend("cpu");
  await tf.ready();
  let wasm = { ok: false, error: null, version: null };
  try {
    const w = await import("@tensorflow/tfjs-backend-wasm");
    const pkgFile = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
    wasm.version = JSON.parse(readFileSync(pkgFile, "utf8")).version;
    // In Node the .wasm files are read from the package's dist/ directory; its threaded build
    // needs Web Workers, which Node does not have: one thread (SIMD on).
    w.setWasmPaths(path.join(path.dirname(pkgFile), "dist") + path.sep);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    const ok = await tf.setBackend("wasm");
    await tf.ready();
    if (!ok || tf.getBackend() !== "wasm") throw new Error("tf.setBackend('wasm') returned false");
    wasm = {
      ok: true,
      error: null,
      version: wasm.version,
      simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
      threads: typeof w.getThreadsCount === "function" ? w.getThreadsCount() : 1,
    };
  } catch (e) {
    wasm = { ok: false, error: String(e?.message ?? e), version: wasm.version };
  }
  await tf.setBackend("cpu");
  await tf.ready();
  const use = async (name) => {
    if (tf.getBackend() !== name) {
      await tf.setBackend(name);
      await tf.ready();
    }
  };
  return { tf, version, cpu: { ok: !!cpuOk }, wasm, use };
});

// ---------------------------------------------------------------------------------- jax-js

export const jaxjs = once(async () => {
  try {
    const jax = await import("@jax-js/jax");
    const version = JSON.parse(readFileSync(path.join(benchDir, "node_modules", "@jax-js", "jax", "package.json"), "utf8")).version;
    // A bare init() probes WebGPU through `navigator`, which Node 20 lacks: ask for wasm only.
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`init("wasm") returned ${JSON.stringify(devices)}`);
    jax.defaultDevice("wasm");
    // jax-js starts Web Workers for threads; Node 20 has no global Worker, so it runs one thread.
    const threads = typeof globalThis.Worker === "function" ? "worker pool" : 1;
    return { ok: true, jax, version, threads };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
});

// ---------------------------------------------------------------------------------- PyTorch

const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

function cpuFlags() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("flags"));
    return new Set((line ?? "").split(":")[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * The OpenBLAS core for this CPU, named as Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) accepts it
 * (it does not know SAPPHIRERAPIDS or COOPERLAKE by that name and would fall back to detection):
 * SKYLAKEX kernels on AVX-512, HASWELL on AVX2. BENCH_OPENBLAS_CORETYPE overrides.
 */
function openblasCoretype() {
  if (process.env.BENCH_OPENBLAS_CORETYPE) return process.env.BENCH_OPENBLAS_CORETYPE;
  const f = cpuFlags();
  if (f.has("avx512f") && f.has("avx512bw") && f.has("avx512vl")) return "SKYLAKEX";
  if (f.has("avx2") && f.has("fma")) return "HASWELL";
  return null;
}

/**
 * An OpenBLAS for the PyTorch child. Debian's python3-torch calls whatever libblas.so.3 the system
 * alternatives give; with only the reference BLAS installed (libblas3) torch's GEMM runs at a few
 * GFLOPS, which is no fair peer. In order: BENCH_TORCH_BLAS_DIR, the installed
 * libopenblas0-pthread, a copy extracted (dpkg -x, nothing installed) from a libopenblas0-pthread
 * .deb in apt's cache into bench/node_modules/.cache/openblas. BENCH_TORCH_BLAS=system: none.
 */
function openblasDir() {
  if (process.env.BENCH_TORCH_BLAS === "system") return { dir: null, from: "system default (BENCH_TORCH_BLAS=system)" };
  if (process.env.BENCH_TORCH_BLAS_DIR) return { dir: process.env.BENCH_TORCH_BLAS_DIR, from: "BENCH_TORCH_BLAS_DIR" };
  const sub = "usr/lib/x86_64-linux-gnu/openblas-pthread";
  if (existsSync(path.join("/", sub, "libblas.so.3"))) return { dir: path.join("/", sub), from: "installed libopenblas0-pthread" };
  const cacheRoot = path.join(benchDir, "node_modules", ".cache", "openblas");
  if (existsSync(path.join(cacheRoot, sub, "libblas.so.3"))) return { dir: path.join(cacheRoot, sub), from: "libopenblas0-pthread extracted into bench/node_modules/.cache/openblas" };
  const archives = "/var/cache/apt/archives";
  let deb = null;
  try {
    deb = readdirSync(archives).find((f) => /^libopenblas0-pthread_.*_amd64\.deb$/.test(f)) ?? null;
  } catch {
    deb = null;
  }
  if (deb) {
    mkdirSync(cacheRoot, { recursive: true });
    const r = spawnSync("dpkg", ["-x", path.join(archives, deb), cacheRoot], { encoding: "utf8" });
    if (r.status === 0 && existsSync(path.join(cacheRoot, sub, "libblas.so.3")))
      return { dir: path.join(cacheRoot, sub), from: `${deb} from apt's cache, extracted into bench/node_modules/.cache/openblas` };
  }
  return { dir: null, from: "system default (no OpenBLAS found: `apt-get install libopenblas0-pthread` for a fair PyTorch)" };
}

export const torch = once(async () => {
  const probe = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0)
    return { ok: false, error: `${PYTHON} -c "import torch" failed: ${(probe.error?.message ?? probe.stderr ?? "").trim().split("\n").pop()}` };
  const blas = openblasDir();
  const coretype = openblasCoretype();
  const env = { ...process.env };
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  // OpenMP's workers busy-wait after each parallel region; with 2 threads on 2 cores they take the
  // cores from OpenBLAS's own pthreads, and a 2-thread training step ran ~10× slower than 1 thread.
  env.OMP_WAIT_POLICY = process.env.OMP_WAIT_POLICY || "PASSIVE";
  if (blas.dir) env.LD_LIBRARY_PATH = [blas.dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  const child = spawn(PYTHON, [path.join(benchDir, "py", "peers.py")], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const pending = [];
  let dead = null;
  const rl = readline.createInterface({ input: child.stdout });
  rl.on("line", (line) => {
    const p = pending.shift();
    if (!p) return;
    try {
      p.resolve(JSON.parse(line));
    } catch (e) {
      p.reject(new Error(`peers.py: bad reply ${line.slice(0, 200)}`));
    }
  });
  child.on("exit", (code, sig) => {
    dead = `peers.py exited (${code ?? sig}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`;
    while (pending.length) pending.shift().reject(new Error(dead));
  });
  child.on("error", (e) => {
    dead = `peers.py: ${e.message}`;
  });
  const request = (obj) =>
    new Promise((resolve, reject) => {
      if (dead) return reject(new Error(dead));
      pending.push({
        resolve: (r) => (r.ok ? resolve(r) : reject(new Error(`peers.py ${obj.cmd}: ${r.error}`))),
        reject,
      });
      child.stdin.write(JSON.stringify(obj) + "\n");
    });
  child.unref();
  child.stdin.on("error", () => {});
  process.once("exit", () => child.kill());
  try {
    const info = await request({ cmd: "info" });
    return {
      ok: true,
      request,
      info: { ...info, blasSource: blas.from },
      close: () => {
        try {
          child.stdin.end(JSON.stringify({ cmd: "quit" }) + "\n");
        } catch {
          /* already gone */
        }
      },
    };
  } catch (e) {
    child.kill();
    return { ok: false, error: String(e.message ?? e) };
  }
});

/** Records what each library is (versions, backends, threads) in results.peers, once per run. */
export async function describePeers(ctx) {
  const c = await chainrule();
  ctx.peer("chainrule", c.describe());
  const t = await tfjs();
  ctx.peer("tfjs-cpu", { version: t.version, backend: "cpu (pure JS)", ok: t.cpu.ok });
  ctx.peer("tfjs-wasm", t.wasm.ok ? { version: t.wasm.version, backend: "wasm (XNNPACK)", simd: t.wasm.simd, threads: t.wasm.threads } : { version: t.wasm.version, error: t.wasm.error });
  const j = await jaxjs();
  ctx.peer("jax-js", j.ok ? { version: j.version, device: "wasm", threads: j.threads, jit: "whole function / training step" } : { error: j.error });
  const p = await torch();
  ctx.peer("torch", p.ok ? p.info : { error: p.error });
  const skip = (what, error) => {
    ctx.progress(`${what} unavailable, skipped: ${error}`);
    ctx.note?.(`${what} skipped: ${error}`);
  };
  if (!t.wasm.ok) skip("tfjs-wasm", t.wasm.error);
  if (!j.ok) skip("jax-js", j.error);
  if (!p.ok) skip("PyTorch", p.error);
  else ctx.progress(`PyTorch ${p.info.torch}, BLAS ${p.info.blas ?? "?"} (${p.info.blasSource}), ${p.info.openblas ?? ""}`);
  return { c, t, j, p };
}
