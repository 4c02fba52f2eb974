// Measurement helpers shared by the suites: forced GC between samples, interleaved sampling of
// several variants, and the statistics every metric carries (median, min, max, repetitions).
import v8 from "node:v8";
import vm from "node:vm";

let gcFn = typeof globalThis.gc === "function" ? globalThis.gc : null;
if (gcFn === null) {
  try {
    // Same as running node with --expose-gc, without asking `npm run bench` to pass node flags.
    v8.setFlagsFromString("--expose-gc");
    gcFn = vm.runInNewContext("gc");
  } catch {
    gcFn = null;
  }
}

/** True when a full collection can be forced between samples. */
export const canGc = gcFn !== null;

/** Forces a full garbage collection (no-op when the runtime does not allow it). */
export function gc() {
  if (gcFn !== null) gcFn();
}

/** Milliseconds, sub-microsecond resolution. */
export const now = () => performance.now();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs every variant `warmup` times (results dropped), then `reps` rounds in which each variant
 * runs once, in turn, so that drift in the load of a shared machine hits all variants alike. A
 * full GC is forced before every run (not timed). A variant is a function (sync or async) that
 * does its own timing and returns a number or an object of numbers (e.g. `{ forward, backward }`).
 *
 * @returns for each variant name, an object mapping each returned key to its list of samples
 *   (a plain number is stored under the key `value`).
 */
export async function sampleInterleaved(variants, { reps, warmup = 1, onRound } = {}) {
  const names = Object.keys(variants);
  for (let w = 0; w < warmup; w++) {
    for (const name of names) {
      gc();
      await variants[name]({ warmup: true, rep: -1 });
    }
  }
  const out = Object.fromEntries(names.map((n) => [n, {}]));
  for (let r = 0; r < reps; r++) {
    for (const name of names) {
      gc();
      const v = await variants[name]({ warmup: false, rep: r });
      const obj = typeof v === "number" ? { value: v } : v;
      for (const [k, x] of Object.entries(obj)) {
        if (typeof x !== "number") continue;
        (out[name][k] ??= []).push(x);
      }
    }
    onRound?.(r + 1, reps);
  }
  return out;
}

/**
 * One metric: a name, the library it measures, a unit, and the statistics of its samples.
 * `better` says which direction is an improvement ("lower" for times, "higher" for throughput).
 */
export function metric({ name, library, unit, samples, better = "lower", note }) {
  if (!samples || samples.length === 0) throw new Error(`metric ${name} (${library}): no samples`);
  const row = {
    name,
    library,
    unit,
    better,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    repetitions: samples.length,
    samples,
  };
  if (note !== undefined) row.note = note;
  return row;
}

/**
 * Marks `row` (chainrule) as compared with `peer`: ratio = row.median / peer.median in the metric's
 * unit. For a "lower is better" unit (µs/op) a ratio below 1 means chainrule is faster; for a
 * "higher is better" unit (GFLOPS) a ratio above 1 does.
 */
export function compare(row, peer) {
  row.ratio = row.median / peer.median;
  row.ratioTo = peer.library;
  return row;
}
