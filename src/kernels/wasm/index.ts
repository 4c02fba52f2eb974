// The WASM SIMD fp32 GEMM: loader (feature probe, module choice), arena and thread split. The kernel
// itself is wasm/gemm.ts (AssemblyScript), compiled by scripts/build-wasm.mjs into .wasm files that
// load by URL (./binary.ts).
import { type Variant, canReadSync, compileAsync, readSync, urlOf } from "./binary.js";
import { CONTROL_BYTES, Pool, now, workerSpawner } from "./pool.js";

export type WasmSimd = "relaxed" | "simd";
/** Operands: float32 (float64 ones are rounded to float32 on the way in). */
export type GemmArray = Float32Array | Float64Array;
export interface WasmGemmInfo { simd: WasmSimd; threads: number; shared: boolean }
export interface WasmGemmOptions {
  /** Force plain SIMD even where relaxed SIMD validates. */
  simd?: WasmSimd;
  /** Threads to use (default: the available cores; 1 where workers cannot be used). */
  threads?: number;
  /** Block sizes, for tuning (mc is rounded up to a multiple of 4, nc of 8). */
  blocks?: { mc: number; kc: number; nc: number };
  /** Multiply-adds each thread gets at least (default 2²¹): smaller products stay on the calling thread. */
  minWorkPerThread?: number;
  /** Time products on one thread and on several, and take the faster (default true; a busy machine can make threads a loss). */
  adaptive?: boolean;
}
export interface WasmGemm {
  /** out (m×n) = op(A)·op(B) (+ bias, n values added to every row); A is m×k (k×m when transA), B is k×n (n×k when transB); overwrites out. */
  matmul(a: GemmArray, aOffset: number, b: GemmArray, bOffset: number, out: GemmArray, outOffset: number,
    m: number, n: number, k: number, transA: boolean, transB: boolean, bias?: GemmArray | null): void;
  /** Threads for later products, clamped to [1, 64] (to 1 where workers cannot be used). */
  setNumThreads(n: number): void;
  info(): WasmGemmInfo;
  /**
   * A zeroed float32 array of n elements inside the shared WASM memory, which the kernels read and
   * write in place (no copy); freed when it is collected. Null without shared memory or room.
   */
  resident(n: number): Float32Array | null;
  /** The SGD step of the Kernels interface over float32 arrays, bit for bit as the reference. */
  sgd(p: Float32Array, g: Float32Array, buf: Float32Array, lr: number, mu: number, dampening: number, nesterov: boolean, wd: number, fresh: boolean): void;
  /** Stops the workers (they never keep a Node process alive anyway); later products run on one thread. */
  close(): void;
}

const probe = (op: number[]): boolean => WebAssembly.validate(new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 10 + op.length, 1, 8 + op.length, 0, 32, 0, 32, 1, 32, 2, ...op, 11,
]));

/** What this engine runs: relaxed SIMD, plain SIMD, or null without WASM SIMD. */
export function wasmSimdSupport(): WasmSimd | null {
  if (typeof WebAssembly !== "object") return null;
  if (probe([0xfd, 0x85, 0x02])) return "relaxed"; // f32x4.relaxed_madd
  return probe([0x1a, 0xfd, 0xe4, 0x01]) ? "simd" : null; // drop; f32x4.add
}

const MR = 4, NR = 8, PAGE = 65536, MAX_PAGES = 32768, CHUNKS_PER_THREAD = 4, EXPLORE_EVERY = 16;
const cores = (): number => {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const os = g.process?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return Math.max(1, os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1);
};
const sharedMemory = (): WebAssembly.Memory | null => {
  try {
    return new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
  } catch {
    return null;
  }
};

/** The build of the kernels that this engine and these options take, and the memory it runs over. */
type Plan = { simd: WasmSimd; variant: Variant; spawn: ReturnType<typeof workerSpawner>; shared: WebAssembly.Memory | null };
function plan(options: WasmGemmOptions): Plan | null {
  const support = wasmSimdSupport();
  if (!support) return null;
  const simd: WasmSimd = options.simd === "simd" ? "simd" : support, spawn = workerSpawner(), shared = spawn ? sharedMemory() : null;
  return { simd, spawn, shared, variant: `${simd}${shared ? "-shared" : ""}` as Variant };
}

/** How the kernels' files load here: "file" at once (Node, a file: URL), "url" fetched, null when this module has no URL. */
export function wasmSource(): "file" | "url" | null {
  const url = urlOf("simd");
  return canReadSync(url) ? "file" : url ? "url" : null;
}

/**
 * Loads the GEMM at once from the .wasm file beside this module (Node). Null where WASM SIMD is
 * missing or a policy forbids compiling WASM; throws saying why where the file cannot be read.
 */
export function loadWasmGemm(options: WasmGemmOptions = {}): WasmGemm | null {
  const p = plan(options), url = p && urlOf(p.variant);
  if (!p) return null;
  if (!url || !canReadSync(url)) throw new Error(`the WASM kernels load asynchronously here: ${url ? url.href : "this module has no URL"}`);
  const bytes = readSync(url);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch {
    return null; // e.g. a content security policy without 'wasm-unsafe-eval'
  }
  return instantiate(p, module, options);
}

/**
 * Loads the GEMM by URL, `gemm-<variant>.wasm` from the folder `base` or from beside this module,
 * without blocking. Null where WASM SIMD is missing; rejects naming the URL and the reason when it
 * cannot be fetched or compiled.
 */
export async function loadWasmGemmAsync(options: WasmGemmOptions = {}, base?: string | URL): Promise<WasmGemm | null> {
  const p = plan(options), url = p && urlOf(p.variant, base);
  if (!p) return null;
  if (!url) throw new Error(base === undefined ? "this module has no URL of its own (a classic script or an IIFE bundle): pass the URL of the folder that holds the .wasm files" : `${JSON.stringify(String(base))} is not a URL`);
  return instantiate(p, await compileAsync(url), options);
}

function instantiate({ simd, spawn, shared, variant }: Plan, module: WebAssembly.Module, options: WasmGemmOptions): WasmGemm {
  const memory = shared ?? new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES });
  const { gemm, sgd, addBias } = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
  if (!gemm || !sgd || !addBias) throw new Error(`the module is not the kernels' ${variant} build: it lacks gemm, sgd or addBias`);
  let pool = spawn && shared ? new Pool(spawn, module, memory) : null;
  let maxThreads = pool ? 64 : 1; // a worker that cannot start only leaves its share to the others
  const blocks = options.blocks ?? { mc: 64, kc: 256, nc: 512 };
  const mc = Math.ceil(blocks.mc / MR) * MR || MR, kc = Math.max(1, blocks.kc), nc = Math.ceil(blocks.nc / NR) * NR || NR;
  const minWork = Math.max(1, options.minWorkPerThread ?? 1 << 21);
  const wsBytes = (mc * kc + kc * nc + MR * NR) * 4 + 64;
  // Multiply-adds per ms of the products that could use threads, on one thread and on several (EWMA).
  let threads = 1, rate1 = 0, rateN = 0, eligible = 0;
  const setNumThreads = (t: number): void => {
    threads = Math.max(1, Math.min(maxThreads, Math.floor(t) || 1));
    rateN = 0;
  };
  setNumThreads(options.threads ?? cores());
  let f32 = new Float32Array(memory.buffer);
  // NOTE: views into a shared memory stay valid when it grows (a private one detaches them), so only
  // a shared memory holds resident arrays; `ours` holds every buffer object it has handed out.
  const ours = new WeakSet<ArrayBufferLike>([memory.buffer]);
  const reserve = (byteLength: number): void => {
    const have = memory.buffer.byteLength;
    if (byteLength > have) {
      const pages = Math.ceil((byteLength - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`wasm gemm: ${byteLength} bytes exceed the WASM memory limit`);
      memory.grow(pages);
    }
    if (f32.buffer !== memory.buffer) ours.add((f32 = new Float32Array(memory.buffer)).buffer);
  };
  const align = (x: number): number => Math.ceil(x / 64) * 64;
  // The memory above the control block: free ranges [start, end) by start, and everything from top up.
  const free: [number, number][] = [];
  let top = CONTROL_BYTES, scratch = 0, scratchBytes = 0;
  const take = (bytes: number): number => {
    const i = free.findIndex(([s, e]) => e - s >= bytes);
    if (i < 0) return reserve(top + bytes), (top += bytes) - bytes;
    const s = free[i]![0];
    if ((free[i]![0] += bytes) === free[i]![1]) free.splice(i, 1);
    return s;
  };
  const give = (s: number, bytes: number): void => {
    let i = free.findIndex(([fs]) => fs > s), e = s + bytes;
    if (i < 0) i = free.length;
    if (i < free.length && free[i]![0] === e) e = free.splice(i, 1)[0]![1];
    if (i > 0 && free[i - 1]![1] === s) free[i - 1]![1] = e;
    else free.splice(i, 0, [s, e]);
    if (free.at(-1)![1] === top) top = free.pop()![0];
  };
  /** The scratch for one call (its operands' copies and workspaces), at least `bytes` long. */
  const scratchOf = (bytes: number): number => {
    if (bytes > scratchBytes) {
      if (scratchBytes) give(scratch, scratchBytes);
      scratch = take((scratchBytes = align(Math.max(bytes, scratchBytes * 1.25))));
    }
    return scratch;
  };
  // NOTE: a range is given back when its array is collected; a view made from it (subarray, or a new
  // typed array over its buffer and offset) does not keep it, so such a view must not outlive the tensor.
  const freed = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<[number, number]>(([s, b]) => give(s, b)) : null;
  const resident = (n: number): Float32Array | null => {
    if (!shared || !freed || !(n > 0)) return null;
    let s: number;
    try {
      s = take(align(n * 4));
    } catch {
      return null;
    }
    const a = new Float32Array(memory.buffer, s, n).fill(0);
    ours.add(a.buffer);
    freed.register(a, [s, align(n * 4)]);
    return a;
  };
  /** The byte address of x[off] when x lies in this memory, else -1. */
  const addr = (x: GemmArray, off: number): number => (x instanceof Float32Array && ours.has(x.buffer) ? x.byteOffset + off * 4 : -1);

  const matmul: WasmGemm["matmul"] = (a, aOffset, b, bOffset, out, outOffset, m, n, k, transA, transB, bias = null) => {
    if (m === 0 || n === 0) return;
    const macs = m * n * k;
    // Split the larger dimension of C into per-thread strips of whole tiles.
    const byCols = n >= m, unit = byCols ? NR : MR, units = Math.ceil((byCols ? n : m) / unit);
    let t = Math.max(1, Math.min(threads, units, Math.floor(macs / minWork)));
    const start = now(), timed = t > 1 && options.adaptive !== false;
    // Time both once, then take the faster, and now and then the other, to notice when the machine changes.
    if (timed && (rateN > 0 && (rate1 === 0 || rateN < rate1) !== (++eligible % EXPLORE_EVERY === 0))) t = 1;
    // Operands in this memory are read (and out written) in place; the others go through the scratch.
    let aPtr = addr(a, aOffset), bPtr = addr(b, bOffset), cPtr = addr(out, outOffset);
    const aBytes = aPtr < 0 ? align(m * k * 4) : 0, bBytes = bPtr < 0 ? align(k * n * 4) : 0;
    let biasPtr = bias === null ? 0 : addr(bias, 0);
    const cBytes = cPtr < 0 ? align(m * n * 4) : 0;
    const ws = scratchOf(t * wsBytes + aBytes + bBytes + cBytes + (biasPtr < 0 ? n * 4 : 0));
    if (biasPtr < 0) f32.set(bias!.subarray(0, n), (biasPtr = ws + t * wsBytes + aBytes + bBytes + cBytes) >> 2);
    if (aPtr < 0) f32.set(a.subarray(aOffset, aOffset + m * k), (aPtr = ws + t * wsBytes) >> 2);
    if (bPtr < 0) f32.set(b.subarray(bOffset, bOffset + k * n), (bPtr = ws + t * wsBytes + aBytes) >> 2);
    const cOut = cPtr < 0;
    if (cOut) cPtr = ws + t * wsBytes + aBytes + bBytes;
    if (t === 1 || !pool) gemm(aPtr, bPtr, cPtr, m, n, k, +transA, +transB, 0, m, 0, n, ws, mc, kc, nc);
    else {
      // A few strips per thread, taken off a shared counter: a thread the OS deschedules holds up no one.
      const chunks = Math.min(units, CHUNKS_PER_THREAD * t, Math.max(t, Math.floor(macs / minWork)));
      const job = [aPtr, bPtr, cPtr, m, n, k, +transA, +transB, +byCols, unit, units, chunks, mc, kc, nc, ws, wsBytes];
      pool.run(job, t, gemm);
    }
    if (bias !== null) addBias(cPtr, biasPtr, m, n);
    if (cOut) out.set(f32.subarray(cPtr >> 2, (cPtr >> 2) + m * n), outOffset);
    if (timed) {
      const rate = macs / Math.max(now() - start, 1e-3), old = t > 1 ? rateN : rate1;
      if (t > 1) rateN = old ? 0.7 * old + 0.3 * rate : rate;
      else rate1 = old ? 0.7 * old + 0.3 * rate : rate;
    }
  };

  const sgdStep: WasmGemm["sgd"] = (p, g, buf, lr, mu, dampening, nesterov, wd, fresh) => {
    const n = p.length, bytes = align(n * 4);
    let pp = addr(p, 0), gp = addr(g, 0), bp = mu === 0 ? 0 : addr(buf, 0);
    const ws = scratchOf((pp < 0 ? bytes : 0) + (gp < 0 ? bytes : 0) + (bp < 0 ? bytes : 0));
    let at = ws;
    const copyIn = (x: Float32Array): number => (f32.set(x, at >> 2), (at += bytes) - bytes);
    const pIn = pp < 0, bIn = bp < 0;
    if (pIn) pp = copyIn(p);
    if (gp < 0) gp = copyIn(g);
    if (bIn) bp = copyIn(buf);
    sgd(pp, gp, bp, 0, n, lr, mu, 1 - dampening, wd, (mu !== 0 ? 1 : 0) | (nesterov ? 2 : 0) | (wd !== 0 ? 4 : 0) | (fresh ? 8 : 0));
    if (pIn) p.set(f32.subarray(pp >> 2, (pp >> 2) + n));
    if (bIn) buf.set(f32.subarray(bp >> 2, (bp >> 2) + n));
  };

  return {
    matmul,
    resident,
    sgd: sgdStep,
    setNumThreads,
    info: () => ({ simd, threads, shared: !!shared }),
    close: () => {
      pool?.close();
      pool = null;
      maxThreads = threads = 1;
    },
  };
}
