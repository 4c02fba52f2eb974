import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { Tensor, gradients, mul, sum, tensor } from "../../src/index.js";

/** A tensor as make.py writes it: flat row-major data; non-finite values as "nan", "inf", "-inf". */
export interface Enc {
  dtype: "float64" | "float32" | "int32" | "bool";
  shape: number[];
  data: (number | string)[];
}

export interface Fixture<C> {
  torch: string;
  group: string;
  cases: C[];
}

/** Reads `fixtures/<group>.json`. */
export function load<C extends { name: string }>(group: string): Fixture<C> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${group}.json`, import.meta.url), "utf8")) as Fixture<C>;
}

const num = (v: number | string): number => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number.NaN);

export function values(e: Enc): number[] {
  return e.data.map(num);
}

/** The fixture tensor as a chainrule tensor (bool becomes an int32 0/1 mask). */
export function decode(e: Enc, opts: { requiresGrad?: boolean } = {}): Tensor {
  const v = values(e);
  const data = e.dtype === "float64" ? Float64Array.from(v) : e.dtype === "float32" ? Float32Array.from(v) : Int32Array.from(v);
  return tensor(data, { shape: e.shape, requiresGrad: opts.requiresGrad });
}

/** float64 cases compare to 1e-9, float32 ones to 1e-5, relative to max(1, |expected|). */
export const tolFor = (e: Enc): number => (e.dtype === "float32" ? 1e-5 : 1e-9);

/** Every element that differs (up to `limit`), as readable lines; empty when all match. */
export function mismatches(actual: Tensor | ArrayLike<number> | number, expected: Enc, tol = tolFor(expected), limit = 5): string[] {
  const out: string[] = [];
  let data: ArrayLike<number>;
  if (actual instanceof Tensor) {
    if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i]))
      return [`shape [${actual.shape.join(", ")}], expected [${expected.shape.join(", ")}]`];
    if ((expected.dtype === "float64" || expected.dtype === "float32") && actual.dtype !== expected.dtype)
      out.push(`dtype ${actual.dtype}, expected ${expected.dtype}`);
    data = actual.data;
  } else data = typeof actual === "number" ? [actual] : actual;
  const want = values(expected);
  if (data.length !== want.length) return [...out, `${data.length} elements, expected ${want.length}`];
  for (let i = 0; i < want.length && out.length < limit; i++) {
    const a = data[i], e = want[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) out.push(`[${i}] ${a}, expected ${e} (diff ${Math.abs(a - e).toExponential(2)})`);
  }
  return out;
}

/** Fails with every mismatching element named (and `what`, e.g. "grad of input 1"). */
export function expectMatch(actual: Tensor | ArrayLike<number> | number | null | undefined, expected: Enc, what: string): void {
  if (actual === null || actual === undefined) expect.fail(`${what}: missing in chainrule's result`);
  const bad = mismatches(actual, expected);
  if (bad.length > 0) expect.fail(`${what} differs from PyTorch:\n  ${bad.join("\n  ")}`);
}

/** True when the fixture holds at least one element that is not 0 (a NaN or ±inf counts). */
export const nonTrivial = (e: Enc): boolean => values(e).some((v) => v !== 0);

/** The zeros of an expected tensor's size: what a chainrule function returning zeros would give. */
export const zerosFor = (e: Enc): number[] => new Array<number>(values(e).length).fill(0);

/** Σ w ⊙ out, the scalar whose gradient every case compares. */
export const weighted = (out: Tensor, w: Enc): Tensor => sum(mul(out, decode(w)));

/** Both directions: every fixture case has a chainrule function and every function a case. */
export function expectSameNames(fixture: { name: string }[], table: Record<string, unknown>): void {
  const names = new Set(fixture.map((c) => c.name));
  const keys = new Set(Object.keys(table));
  expect([...names].filter((n) => !keys.has(n)), "fixture cases without a chainrule function").toEqual([]);
  expect([...keys].filter((k) => !names.has(k)), "chainrule functions without a fixture case").toEqual([]);
}

/** A case of ops.json, losses.json: inputs, the output, and the gradient of Σ w ⊙ out per float input. */
export interface FnCase {
  name: string;
  inputs: Enc[];
  out: Enc;
  weights?: Enc;
  /** One per input: null where the input is not differentiated (labels, indices, options). */
  grads?: (Enc | null)[];
  /** PyTorch's gradient is all zeros here (sign, x⁰). */
  zeroGrad?: boolean;
  note?: string;
}

export type Fn = (inputs: Tensor[]) => Tensor;

/** Runs one case: chainrule's function on the fixture's inputs, then the gradients through `gradients`. */
export function runFnCase(c: FnCase, fn: Fn): void {
  expect(nonTrivial(c.out), "the fixture's output is all zeros").toBe(true);
  if (c.grads !== undefined && !c.zeroGrad) expect(c.grads.some((g) => g !== null && nonTrivial(g)), "the fixture's gradients are all zeros").toBe(true);
  const ins = c.inputs.map((e, i) => decode(e, { requiresGrad: c.grads?.[i] != null }));
  const out = fn(ins);
  expectMatch(out, c.out, "output");
  if (c.grads === undefined) return;
  const wrt = ins.filter((_, i) => c.grads![i] !== null);
  const gs = gradients(weighted(out, c.weights!), wrt);
  let k = 0;
  c.grads.forEach((g, i) => {
    if (g !== null) expectMatch(gs[k++], g, `gradient w.r.t. input ${i}`);
  });
}

/** A function that returns zeros must fail: every case's output or gradients differ from zeros. */
export function zerosWouldFail(c: FnCase): boolean {
  const outFails = mismatches(zerosFor(c.out), c.out).length > 0;
  const gradFails = c.grads === undefined || c.zeroGrad === true || c.grads.some((g) => g !== null && mismatches(zerosFor(g), g).length > 0);
  return outFails && gradFails;
}
