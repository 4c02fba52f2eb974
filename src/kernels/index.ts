import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Backend, BackendInfo, DType, KernelName, Kernels, TypedArray } from "./backend.js";
import { tsBackend } from "./ts/index.js";
import { makeWasmBackend } from "./wasm/backend.js";
import { type WasmGemm, loadWasmGemm, loadWasmGemmAsync, wasmSimdSupport, wasmSource } from "./wasm/index.js";

export type { Backend, BackendInfo, BinaryOp, ConvGeometry, KernelName, Kernels, ReduceOp, UnaryOp } from "./backend.js";

const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** Every kernel: the compiler keeps this list equal to the interface. */
export const KERNELS = Object.keys({
  alloc: 0, fill: 0, cast: 0, unary: 0, binary: 0, where: 0, reduce: 0, matmul: 0, copy: 0, addInto: 0, gather: 0, scatterAdd: 0, im2col: 0, col2im: 0,
  softmax: 0, softmaxCrossEntropy: 0, sgdStep: 0, adamStep: 0, rmspropStep: 0,
} satisfies Record<KernelName, 0>) as KernelName[];

/** The registered backends by name, the reference first; "wasm" once the WASM kernels have loaded. */
const registry = new Map<string, Backend>([["ts", tsBackend]]);
let wasm: ReturnType<typeof makeWasmBackend> | null = null;
/** The WASM kernels being fetched (a browser); why they are not in use; whether the user chose a backend (then they do not switch to wasm). */
let loading: Promise<void> | null = null, problem = "", chosen = false, threadsWanted: number | null = null;
const why = (): string => (loading && !wasm ? "the WASM kernels are still loading: await ready() first" : problem);
const failed = (e: unknown): string => (problem = `the WASM kernels did not load: ${e instanceof Error ? e.message : String(e)}`);
const NO_SIMD = "this engine has no WASM SIMD";

function adopt(g: WasmGemm | null): void {
  if (!g) return void (problem = NO_SIMD);
  if (threadsWanted !== null) g.setNumThreads(threadsWanted);
  registry.set("wasm", (wasm = makeWasmBackend(g)));
  if (!chosen) select(wasm);
}
const loadByUrl = (base?: string | URL): Promise<void> =>
  loadWasmGemmAsync({}, base).then(adopt, (e: unknown) => {
    const message = failed(e);
    if (base !== undefined) throw new ValueError(`ready: ${message}`); // asked for: the caller hears why
  })
    .finally(() => { loading = null; });

export interface ReadyOptions {
  /** The folder of chainrule's `gemm-*.wasm` files (the package's `dist/kernels/wasm/`), where the module has no URL to find them by (an IIFE bundle); used only while they have not loaded. */
  kernelsUrl?: string | URL;
}

/**
 * Resolves, with what `getBackend()` then says, once the WASM kernels are in: at once in Node (read
 * at import); in a browser they are fetched by URL from beside the module while every kernel runs on
 * the reference, and the backend switches to "wasm" when they arrive unless `setBackend` chose one.
 * A failed load leaves the reference (`getBackend().detail` says why); with `kernelsUrl` it rejects.
 */
export async function ready(options?: ReadyOptions): Promise<BackendInfo> {
  const base = checkOptions("ready", options, ["kernelsUrl"]).kernelsUrl;
  if (base !== undefined && typeof base !== "string" && !(base instanceof URL))
    throw new ValueError(`ready: kernelsUrl must be a URL or a string, found ${base === null ? "null" : typeof base}`);
  while (loading) await loading.catch(() => undefined); // another call's load first: one load at a time
  if (!wasm && base !== undefined && wasmSimdSupport()) await (loading = loadByUrl(base));
  return getBackend();
}

/**
 * The threads the WASM kernels use (default: the available cores; 1 where the platform has no
 * workers with shared memory). Products too small to split run on the calling thread anyway.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer, found ${JSON.stringify(n)}`);
  threadsWanted = n;
  wasm?.gemm.setNumThreads(n);
}

/** The threads the WASM kernels use (1 without the WASM backend). */
export function getNumThreads(): number {
  return wasm?.gemm.info().threads ?? 1;
}

/**
 * A zeroed array for long-lived storage (parameters, optimizer state): on the WASM backend a float32
 * one of 1024 elements or more lies in the WASM memory, where the kernels use it without copies.
 */
export function allocResident(dtype: DType, size: number): TypedArray {
  return (dtype === "float32" && size >= 1024 && info.name === "wasm" && wasm?.gemm.resident(size)) || tables[dtype].alloc(dtype, size);
}

/** The dispatch tables: one per dtype, and the reference for operands of mixed dtypes. */
type Tables = { readonly [D in DType | "mixed"]: Kernels };
let tables: Tables;
let info: Omit<BackendInfo, "detail">;

/** The kernels that serve operands of one dtype ("mixed": of several, always the reference). */
export function kernels(dtype: DType | "mixed"): Kernels {
  return tables[dtype];
}

/** Which backend serves each kernel, and the backend chosen. */
export function getBackend(): BackendInfo {
  const w = info.name === "wasm" ? wasm?.gemm.info() : undefined;
  const note = why() && !chosen ? `; ${why()}` : "";
  const detail = w ? `${w.simd === "relaxed" ? "relaxed SIMD" : "SIMD"}, ${w.threads} thread${w.threads === 1 ? "" : "s"}` : info.name === "ts" ? `reference${note}` : "custom";
  return Object.freeze({ ...info, detail });
}

/** The backends that `setBackend` accepts by name, the reference ("ts") first. */
export function registeredBackends(): readonly Backend[] {
  return [...registry.values()];
}

function check(b: unknown, where: string): Backend {
  const names = () => [...registry.keys()].join(", ");
  if (b === null || typeof b !== "object")
    throw new ValueError(`${where}: expected a backend name (${names()}) or a Backend object, found ${b === null ? "null" : typeof b}`);
  const o = b as Record<string, unknown>;
  if (typeof o.name !== "string" || o.name === "") throw new ValueError(`${where}: the backend lacks name (a non-empty string)`);
  const bad = Object.keys(o).filter((k) => k !== "name" && k !== "dtypes" && !(KERNELS as string[]).includes(k));
  if (bad.length) throw new ValueError(`${where}: backend "${o.name}" has unknown kernels ${bad.join(", ")} (the kernels are ${KERNELS.join(", ")})`);
  const notFn = KERNELS.filter((k) => k in o && typeof o[k] !== "function");
  if (notFn.length) throw new ValueError(`${where}: backend "${o.name}": ${notFn.join(", ")} must be functions`);
  const dt = o.dtypes;
  if (dt !== undefined) {
    if (dt === null || typeof dt !== "object") throw new ValueError(`${where}: backend "${o.name}": dtypes must be an object of kernel → dtypes`);
    for (const [k, v] of Object.entries(dt)) {
      if (typeof o[k] !== "function") throw new ValueError(`${where}: backend "${o.name}" declares dtypes for ${k}, which it does not provide`);
      if (!Array.isArray(v) || v.some((d) => !DTYPES.includes(d)))
        throw new ValueError(`${where}: backend "${o.name}": dtypes.${k} must list dtypes among ${DTYPES.join(", ")}, found ${JSON.stringify(v)}`);
    }
  }
  return b as Backend;
}

function select(b: Backend): void {
  const t: Partial<Record<DType | "mixed", Kernels>> = { mixed: tsBackend };
  const served = Object.fromEntries(KERNELS.map((k) => [k, {}])) as Record<KernelName, Record<DType, string>>;
  for (const d of DTYPES) {
    const table = {} as Record<KernelName, unknown>;
    for (const k of KERNELS) {
      const f = b[k] as ((...args: unknown[]) => unknown) | undefined;
      const mine = typeof f === "function" && (b.dtypes?.[k]?.includes(d) ?? true);
      table[k] = !mine ? tsBackend[k] : b === tsBackend ? f : f.bind(b);
      served[k][d] = mine ? b.name : tsBackend.name;
    }
    t[d] = b === tsBackend ? tsBackend : (Object.freeze(table) as Kernels);
  }
  tables = t as Tables;
  info = { name: b.name, kernels: served };
}

/**
 * Switches the backend: a registered name (`"ts"`, the reference backend) or a Backend object with
 * any subset of the kernels (`{ name: "mine", matmul, dtypes: { matmul: ["float32"] } }`); every
 * kernel it lacks or declines for a dtype runs on the reference backend. `getBackend()` says which.
 */
export function setBackend(b: string | Backend): void {
  if (typeof b === "string") {
    const found = registry.get(b);
    if (!found) throw new ValueError(`setBackend: unknown backend ${JSON.stringify(b)}; available: ${[...registry.keys()].join(", ")}${b === "wasm" && why() ? ` (${why()})` : ""}`);
    chosen = true;
    return select(found);
  }
  select(check(b, "setBackend"));
  chosen = true;
}

/** Registers a backend under its name, for `setBackend(name)`; the reference ("ts") cannot be replaced. */
export function registerBackend(b: Backend): void {
  check(b, "registerBackend");
  if (b.name === tsBackend.name) throw new ValueError(`registerBackend: the name "ts" is the reference backend's`);
  registry.set(b.name, b);
}

// NOTE: the reference until the WASM kernels load: at once where their file can be read (Node), else
// fetched by URL (a browser), switching to them when they arrive (adopt).
select(tsBackend);
const source = wasmSimdSupport() ? wasmSource() : "none";
if (source === "file") {
  try {
    adopt(loadWasmGemm());
  } catch (e) {
    failed(e);
  }
} else if (source === "url") loading = loadByUrl();
else problem = source === "none" ? NO_SIMD : "the WASM kernels load by URL and this module has none (an IIFE bundle): call ready({ kernelsUrl })";
// NOTE: CHAINRULE_BACKEND=ts forces the reference; read without Node imports so the core bundles for browsers.
const requested = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CHAINRULE_BACKEND;
if (requested && !registry.has(requested) && !(requested === "wasm" && loading))
  throw new ValueError(`CHAINRULE_BACKEND: unknown backend ${JSON.stringify(requested)}; available: ${[...registry.keys()].join(", ")}${requested === "wasm" && problem ? ` (${problem})` : ""}`);
if (requested && registry.has(requested)) {
  chosen = requested !== "wasm";
  select(registry.get(requested)!);
}
