// A pool of workers over one shared WebAssembly.Memory, for the WASM GEMM. Each worker instantiates
// the same compiled module over the shared memory and sleeps in Atomics.wait on its own slot of a
// control block at address 0. The caller writes the product into the control block, opens it, wakes
// the workers it needs and works too; every thread takes strips of C off a shared counter until none
// is left. A worker joins (ACTIVE + 1) only while the product is open, and the caller closes it once
// every strip is taken, then waits for the joined ones alone: a worker the OS has not scheduled yet
// (a busy machine) holds up no one, it finds the product closed when it wakes. Node's
// worker_threads (unref'd: an idle pool never keeps a process alive) or Web Workers from a blob URL
// (cross-origin isolated pages); the caller must be allowed to block (Node's main thread, any worker;
// not a browser page).

/** The control block: the first CONTROL_BYTES of memory, as int32 fields. */
export const CONTROL_BYTES = 65536;
const ACTIVE = 0, FAILED = 1, OPEN = 2, NEXT = 3, SLOTS = 64;
/**
 * A product from JOB on: gemm's first 8 arguments (a, b, c, m, n, k, transA, transB), then byCols,
 * unit, units, chunks, mc, kc, nc, workspace base, workspace bytes per thread.
 */
export const JOB = 8, JOB_INTS = 17;

export interface WorkerInit { module: WebAssembly.Module; memory: WebAssembly.Memory; id: number }
interface WorkerLike { postMessage(message: unknown): void; terminate(): unknown }
type Spawn = (init: WorkerInit) => WorkerLike;
type Gemm = (...args: number[]) => void;
export const now = (): number => globalThis.performance?.now() ?? Date.now();

/** Takes strips of C off the counter until none is left; the worker stringifies it (globals only). */
function runChunks(ctl: Int32Array, gemm: Gemm, id: number): void {
  const j = ctl.subarray(8, 8 + 17);
  const [a, b, c, m, n, k, ta, tb, byCols, unit, units, chunks, mc, kc, nc, ws, wsBytes] = Array.from(j) as number[];
  for (let i: number; (i = Atomics.add(ctl, 3, 1)) < chunks!;) {
    const lo = Math.floor((units! * i) / chunks!) * unit!, hi = Math.min(Math.floor((units! * (i + 1)) / chunks!) * unit!, byCols ? n! : m!);
    if (byCols) gemm(a!, b!, c!, m!, n!, k!, ta!, tb!, 0, m!, lo, hi, ws! + id * wsBytes!, mc!, kc!, nc!);
    else gemm(a!, b!, c!, m!, n!, k!, ta!, tb!, lo, hi, 0, n!, ws! + id * wsBytes!, mc!, kc!, nc!);
  }
}

/** The worker's whole program (stringified with runChunks, so globals only). */
function workerMain(init: WorkerInit, run: typeof runChunks): void {
  const ctl = new Int32Array(init.memory.buffer, 0, 65536 / 4);
  const gemm = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports.gemm as Gemm;
  const slot = 64 + init.id;
  for (let seen = 0; ;) {
    let g: number, spin = 0;
    while ((g = Atomics.load(ctl, slot)) === seen) if (++spin > 2000) Atomics.wait(ctl, slot, seen);
    if (g < 0) return;
    seen = g;
    Atomics.add(ctl, 0, 1); // ACTIVE
    if (Atomics.load(ctl, 2) === g) { // OPEN: still this product
      try {
        run(ctl, gemm, init.id);
      } catch {
        Atomics.store(ctl, 1, 1); // FAILED
      }
    }
    Atomics.sub(ctl, 0, 1);
    Atomics.notify(ctl, 0);
  }
}

interface NodeWorkers { Worker: new (src: string, o: { eval: true; workerData: unknown }) => WorkerLike & { unref(): void; on(e: "error", f: () => void): void } }
interface Globals {
  Worker?: new (url: string) => WorkerLike;
  Blob?: new (parts: string[], o: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string };
  WorkerGlobalScope?: unknown;
  crossOriginIsolated?: boolean;
  process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
}

/** How this thread starts workers, or null where it cannot start them or may not block on them. */
export function workerSpawner(): Spawn | null {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics === "undefined") return null;
  const g = globalThis as Globals;
  const main = (init: string): string => `(${workerMain.toString()})(${init}, ${runChunks.toString()});`;
  if (g.process?.versions?.node) {
    // NOTE: getBuiltinModule (Node ≥ 20.16) keeps this synchronous and invisible to browser bundlers
    // (on older Node the GEMM runs on one thread); not `require` in the worker either: eval'd workers
    // inherit --input-type=module from a `node -e` parent.
    const wt = g.process.getBuiltinModule?.("node:worker_threads") as NodeWorkers | undefined;
    if (!wt) return null;
    const src = main(`process.getBuiltinModule("node:worker_threads").workerData`);
    return (init) => {
      const w = new wt.Worker(src, { eval: true, workerData: init });
      w.on("error", () => {}); // a worker that fails to start leaves its share to the others
      w.unref();
      return w;
    };
  }
  if (!g.Worker || !g.Blob || !g.URL || g.WorkerGlobalScope === undefined || g.crossOriginIsolated === false) return null;
  const url = g.URL.createObjectURL(new g.Blob([`onmessage = (e) => ${main("e.data")}`], { type: "text/javascript" }));
  const W = g.Worker;
  return (init) => {
    const w = new W(url);
    w.postMessage(init);
    return w;
  };
}

export class Pool {
  private readonly workers: WorkerLike[] = [];
  private readonly ctl: Int32Array;
  private gen = 0;

  constructor(private readonly spawn: Spawn, private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory) {
    this.ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
  }

  /** Runs the product (JOB_INTS fields) on this thread and up to `threads - 1` workers; returns when C is done. */
  run(job: readonly number[], threads: number, gemm: Gemm): void {
    const ctl = this.ctl, need = threads - 1;
    while (this.workers.length < need) this.workers.push(this.spawn({ module: this.module, memory: this.memory, id: this.workers.length + 1 }));
    ctl.set(job, JOB);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, NEXT, 0);
    const gen = ++this.gen;
    Atomics.store(ctl, OPEN, gen);
    for (let t = 1; t <= need; t++) {
      Atomics.store(ctl, SLOTS + t, gen);
      Atomics.notify(ctl, SLOTS + t);
    }
    runChunks(ctl, gemm, 0);
    Atomics.store(ctl, OPEN, 0);
    for (let a: number, spin = 0; (a = Atomics.load(ctl, ACTIVE)) > 0;) if (++spin > 2000) Atomics.wait(ctl, ACTIVE, a, 1000);
    if (Atomics.load(ctl, FAILED)) throw new Error("wasm gemm: a worker failed");
  }

  close(): void {
    for (let t = 1; t <= this.workers.length; t++) {
      Atomics.store(this.ctl, SLOTS + t, -1);
      Atomics.notify(this.ctl, SLOTS + t);
    }
    for (const w of this.workers.splice(0)) void w.terminate();
  }
}
