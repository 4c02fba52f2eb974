// Runs a job in the computing worker (compute-worker.ts). One worker at a time; cancelling a job
// (or its time running out) terminates the worker and the next job starts a fresh one.

/** An error from the worker, keeping the library's error class name (ParseError, ShapeError, …). */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface Job<T> { promise: Promise<T>; cancel(): void }

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL("./compute-worker.ts", import.meta.url), { type: "module" });
  w.onmessage = (ev: MessageEvent<{ id: number; ok: boolean; value?: unknown; error?: { name: string; message: string } }>) => {
    const p = pending.get(ev.data.id);
    if (!p) return;
    pending.delete(ev.data.id);
    if (ev.data.ok) p.resolve(ev.data.value);
    else p.reject(new WorkerError(ev.data.error!.name, ev.data.error!.message));
  };
  w.onerror = (ev) => {
    ev.preventDefault();
    restart(new WorkerError("Error", `the page's worker failed: ${ev.message || "it could not start"}`));
  };
  return (worker = w);
}

function restart(reason: Error): void {
  worker?.terminate();
  worker = null;
  for (const p of pending.values()) p.reject(reason);
  pending.clear();
}

/**
 * Runs `kind` (a handler in a tab's handlers.ts) on `args` in the worker. The job fails with a
 * WorkerError after `timeoutMs` (default 20 s), or when cancelled, and the worker is replaced.
 */
export function compute<T>(kind: string, args: unknown, opts: { timeoutMs?: number } = {}): Job<T> {
  const id = nextId++;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<T>((resolve, reject) => {
    pending.set(id, {
      resolve: (v) => { clearTimeout(timer); resolve(v as T); },
      reject: (e) => { clearTimeout(timer); reject(e); },
    });
    const ms = opts.timeoutMs ?? 20_000;
    timer = setTimeout(() => restart(new WorkerError("TimeoutError", `stopped after ${ms / 1000} s: the input is too large to work out here`)), ms);
    theWorker().postMessage({ id, kind, args });
  });
  return { promise, cancel: () => { if (pending.has(id)) restart(new WorkerError("CancelledError", "cancelled")); } };
}
