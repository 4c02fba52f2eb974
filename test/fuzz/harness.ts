// Shared machinery of the fuzz tests: seeded, bounded runs under `npm test`, long runs under
// `npm run fuzz -- --runs N [--target name]` (scripts/fuzz.mjs sets FUZZ_RUNS, FUZZ_TARGET, FUZZ_SEED),
// the rule every input must follow (it returns, or throws one of the library's error classes, in
// bounded time and with output no larger than the input justifies), and the regression files: an
// input that once broke a rule is written to test/fuzz/regressions/<target>.json and replayed forever.
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { ChainruleError } from "../../src/errors.js";

export const REGRESSIONS = join(import.meta.dirname, "regressions");
/** The seed of every property (FUZZ_SEED overrides it for a long run that explores elsewhere). */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const LONG = process.env.FUZZ_RUNS !== undefined;

/** The runs of a property: `bounded` under `npm test`, FUZZ_RUNS in a long run. */
export function runs(bounded: number): number {
  return LONG ? Number(process.env.FUZZ_RUNS) : bounded;
}

/** Whether a target takes part in this run (FUZZ_TARGET is a comma-separated list; unset: all). */
export function enabled(target: string): boolean {
  const t = process.env.FUZZ_TARGET;
  return !t || t.split(",").some((x) => target === x || target.startsWith(x + "/") || x.startsWith(target + "/"));
}

/** A test-serializable input: text, bytes, or JSON data. */
export type Input = string | Uint8Array | unknown;

export interface Stored {
  target: string;
  note?: string;
  text?: string;
  base64?: string;
  json?: unknown;
}

export function toStored(target: string, input: Input, note?: string): Stored {
  if (typeof input === "string") return { target, note, text: input };
  if (input instanceof Uint8Array) return { target, note, base64: Buffer.from(input).toString("base64") };
  return { target, note, json: input };
}

export function fromStored(s: Stored): Input {
  if (s.text !== undefined) return s.text;
  if (s.base64 !== undefined) return new Uint8Array(Buffer.from(s.base64, "base64"));
  return s.json;
}

/** Every regression case on disk, from every file. */
export function loadRegressions(): Stored[] {
  if (!existsSync(REGRESSIONS)) return [];
  return readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(REGRESSIONS, f), "utf8")) as Stored[]);
}

/** Appends a failing input to its target's regression file (once). */
export function saveRegression(target: string, input: Input, note: string): void {
  const file = join(REGRESSIONS, `${target.replace(/[^\w-]+/g, "_")}.json`);
  const list: Stored[] = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];
  const entry = toStored(target, input, note);
  const key = JSON.stringify({ ...entry, note: undefined });
  if (list.some((e) => JSON.stringify({ ...e, note: undefined }) === key)) return;
  list.push(entry);
  writeFileSync(file, JSON.stringify(list, null, 1) + "\n");
}

/** What one input did. */
export interface Verdict {
  ok: boolean;
  /** "returned", "ChainruleError subclass name", or what broke the rule. */
  outcome: string;
  ms: number;
}

/** Per-target tallies of a run, printed at the end of each fuzz test. */
export const tally = new Map<string, { inputs: number; returned: number; errors: Map<string, number> }>();

function count(target: string, outcome: string): void {
  let t = tally.get(target);
  if (!t) tally.set(target, (t = { inputs: 0, returned: 0, errors: new Map() }));
  t.inputs++;
  if (outcome === "returned") t.returned++;
  else t.errors.set(outcome, (t.errors.get(outcome) ?? 0) + 1);
}

export function report(target: string): string {
  const t = tally.get(target);
  if (!t) return `[fuzz] ${target}: no inputs`;
  const errs = [...t.errors].map(([k, v]) => `${k} ${v}`).join(", ");
  return `[fuzz] ${target}: ${t.inputs} inputs, ${t.returned} returned${errs ? `, ${errs}` : ""}`;
}

/**
 * Runs `fn` on one input and judges it. `size` (optional) measures the bytes that a returned value
 * holds; it must stay within `maxOut(inputBytes)`.
 */
export function judge(
  target: string,
  fn: () => unknown,
  opts: { maxMs?: number; size?: (out: unknown) => number; maxOut?: number } = {},
): Verdict {
  const t0 = performance.now();
  let outcome = "returned";
  let ok = true;
  try {
    const out = fn();
    if (opts.size && opts.maxOut !== undefined) {
      const n = opts.size(out);
      if (n > opts.maxOut) {
        ok = false;
        outcome = `output of ${n} bytes exceeds the ${opts.maxOut} the input justifies`;
      }
    }
  } catch (e) {
    if (e instanceof ChainruleError) outcome = e.constructor.name;
    else {
      ok = false;
      outcome = `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message.split("\n")[0]}` : String(e)}`;
    }
  }
  const ms = performance.now() - t0;
  const maxMs = opts.maxMs ?? 3000;
  if (ok && ms > maxMs) {
    ok = false;
    outcome = `took ${ms.toFixed(0)} ms (limit ${maxMs} ms)`;
  }
  count(target, ok ? outcome : "FAILED");
  return { ok, outcome, ms };
}

/**
 * Checks a property `check(input) → Verdict` over `arb`, seeded; the shrunk failing input is saved as
 * a regression case (unless FUZZ_SAVE=0), and the failure names it.
 */
export async function fuzz<T extends Input>(target: string, arb: fc.Arbitrary<T>, check: (input: T) => Verdict, bounded: number): Promise<void> {
  // NOTE: a long run goes in chunks of 2,000 inputs (seeds SEED, SEED + 1, ...) with a turn of the event loop between
  // them, so that the test worker keeps answering vitest (a synchronous property of minutes times out its RPC).
  const total = runs(bounded);
  for (let done = 0, chunk = 0; done < total; done += 2000, chunk++) {
    let last: { input: T; outcome: string } | null = null;
    try {
      fc.assert(
        fc.property(arb, (input) => {
          const v = check(input);
          if (!v.ok) last = { input, outcome: v.outcome };
          return v.ok;
        }),
        { seed: SEED + chunk, numRuns: Math.min(2000, total - done) },
      );
    } catch (e) {
      if (last) {
        const { input, outcome } = last as { input: T; outcome: string };
        if (process.env.FUZZ_SAVE !== "0") saveRegression(target, input, outcome);
        throw new Error(`${target}: ${outcome}\ninput: ${JSON.stringify(toStored(target, input)).slice(0, 2000)}`, { cause: e });
      }
      throw e;
    }
    progress(target, Math.min(total, done + 2000));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const T0 = performance.now();
/** In a long run, appends "target inputs seconds" to the file FUZZ_PROGRESS (a run cut short by a time limit still has its count). */
export function progress(target: string, inputs: number): void {
  if (process.env.FUZZ_PROGRESS) appendFileSync(process.env.FUZZ_PROGRESS, `${target} ${inputs} ${((performance.now() - T0) / 1000).toFixed(1)}s\n`);
}

// ------------------------------------------------------------------------------ mutations

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x7b, 0x7d, 0x22, 0x2c, 0x5b, 0x5d, 0x30, 0x39];
const INTERESTING_32 = [0, 1, 2, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe];

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "set32"; at: number; value: number; little: boolean }
  | { kind: "truncate"; at: number }
  | { kind: "delete"; at: number; len: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "dup"; at: number; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...INTERESTING_8), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant("set32" as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...INTERESTING_32), fc.nat()), little: fc.boolean() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("dup" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
);

/** `bytes` after the mutations (positions are taken modulo the current length). */
export function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of ms) {
    const n = b.length;
    const at = n === 0 ? 0 : m.at % (n + (m.kind === "insert" ? 1 : 0));
    switch (m.kind) {
      case "flip": if (n) b[at] ^= 1 << m.bit; break;
      case "set": if (n) b[at] = m.value; break;
      case "set32": {
        if (n >= 4) new DataView(b.buffer, b.byteOffset).setUint32(Math.min(at, n - 4), m.value >>> 0, m.little);
        break;
      }
      case "truncate": b = b.slice(0, at); break;
      case "delete": b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.len)]); break;
      case "insert": b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]); break;
      case "dup": b = Uint8Array.from([...b.subarray(0, at + m.len), ...b.subarray(at)]); break;
    }
  }
  return b;
}

/** Mutants of the valid files `seeds` (one to eight mutations each), and the seeds themselves. */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 0, maxLength: 8 }))
    .map(([s, ms]) => mutate(s, ms));
}

/** Mutants of valid texts: characters replaced, removed, duplicated, or tokens of `dict` inserted. */
export function mutatedText(seeds: readonly string[], dict: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ op: fc.constant("ins" as const), at: fc.nat(), s: fc.oneof(fc.constantFrom(...dict), fc.string({ maxLength: 4 }), fc.string({ unit: "binary", maxLength: 3 })) }),
    fc.record({ op: fc.constant("del" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ op: fc.constant("rep" as const), at: fc.nat(), s: fc.constantFrom(...dict) }),
    fc.record({ op: fc.constant("dup" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 6 })).map(([s, edits]) => {
    let t = s;
    for (const e of edits) {
      const at = t.length === 0 ? 0 : e.at % (t.length + 1);
      if (e.op === "ins") t = t.slice(0, at) + e.s + t.slice(at);
      else if (e.op === "del") t = t.slice(0, at) + t.slice(at + e.len);
      else if (e.op === "rep") t = t.slice(0, at) + e.s + t.slice(at + e.s.length);
      else t = t.slice(0, at + e.len) + t.slice(at);
    }
    return t;
  });
}
