import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as WasmModule from "../../src/kernels/wasm/index.js";
import { tsBackend } from "../../src/kernels/ts/index.js";
import { allocResident, setBackend } from "../../src/kernels/index.js";
import { Linear } from "../../src/nn/layers/linear.js";

// Arrays that live in the WASM memory (parameters, optimizer state): the kernels use them in place,
// and must give what they give on copies, bit for bit; the kernels' scratch must never touch them.
let W: typeof WasmModule;
const gemms: WasmModule.WasmGemm[] = [];
beforeAll(async () => {
  if (!existsSync("src/kernels/wasm/gemm-simd.wasm")) execFileSync(process.execPath, ["scripts/build-wasm.mjs"], { stdio: "inherit" });
  W = await import("../../src/kernels/wasm/index.js");
});
afterAll(() => gemms.forEach((g) => g.close()));
const load = (threads: number) => {
  const g = W.loadWasmGemm({ threads, minWorkPerThread: 1, adaptive: false })!;
  gemms.push(g);
  return g;
};

/** Deterministic floats in [-1, 1) with NaN, +Inf and −Inf at fixed places when the array is long enough. */
function values(n: number, seed: number, specials = true): Float32Array {
  const out = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed * 2.1));
  if (specials && n > 9) [out[3], out[5], out[9]] = [NaN, Infinity, -Infinity];
  return out;
}
const inMemory = (g: WasmModule.WasmGemm, x: Float32Array): Float32Array => {
  const r = g.resident(x.length);
  if (!r) throw new Error("no resident array");
  r.set(x);
  return r;
};
const same = (a: Float32Array, b: Float32Array) => expect(Array.from(a, (v, i) => Object.is(v, b[i]) || [i, v, b[i]]).filter((v) => v !== true)).toEqual([]);

describe.each([1, 2])("resident WASM arrays, %i thread(s)", (threads) => {
  it("are zeroed float32 views of the shared memory; none for 0 elements", () => {
    const g = load(threads);
    expect(g.info().shared).toBe(true);
    const r = g.resident(37)!;
    expect(r).toBeInstanceOf(Float32Array);
    expect(r.length).toBe(37);
    expect(r.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(r).every((v) => v === 0)).toBe(true);
    expect(g.resident(0)).toBeNull();
  });

  it("matmul reads resident operands and writes a resident output in place, as it does copies (odd sizes, 0 and 1, every transpose, NaN and ±Inf)", () => {
    const g = load(threads);
    for (const [m, n, k] of [[1, 1, 1], [0, 3, 2], [3, 0, 2], [2, 3, 0], [7, 13, 5], [64, 33, 129], [37, 300, 64]])
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = values(m * k + 3, m + k), b = values(k * n + 2, n), want = new Float32Array(m * n + 1).fill(7);
        g.matmul(a, 3, b, 2, want, 1, m, n, k, tA, tB);
        const ra = inMemory(g, a), rb = inMemory(g, b), ro = g.resident(m * n + 1) ?? new Float32Array(1);
        ro.fill(7);
        g.matmul(ra, 3, rb, 2, ro, 1, m, n, k, tA, tB);
        same(ro, want);
        const mixed = new Float32Array(m * n + 1).fill(7);
        g.matmul(a, 3, rb, 2, mixed, 1, m, n, k, tA, tB);
        same(mixed, want);
        same(ra, a); // inputs untouched
        same(rb, b);
      }
  });

  it("matmul adds a bias (resident or plain) to every row after the product, rounding as matmul then add", () => {
    const g = load(threads);
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 0], [7, 13, 5], [64, 1030, 17]]) {
      const a = values(m * k, 4), b = values(k * n, 5), bias = values(n, 6), want = new Float32Array(m * n);
      g.matmul(a, 0, b, 0, want, 0, m, n, k, false, true);
      for (let i = 0; i < m * n; i++) want[i] = Math.fround(want[i]! + bias[i % n]!);
      for (const bb of [bias, n >= 10 ? inMemory(g, bias) : bias]) {
        const out = new Float32Array(m * n);
        g.matmul(a, 0, b, 0, out, 0, m, n, k, false, true, bb);
        same(out, want);
      }
    }
  });

  it("the scratch of later, growing products never overwrites resident arrays", () => {
    const g = load(threads);
    const kept = [1, 1000, 4099].map((n, i) => inMemory(g, values(n, i + 10)));
    for (const s of [16, 200, 96, 400]) g.matmul(values(s * s, 1), 0, values(s * s, 2), 0, new Float32Array(s * s), 0, s, s, s, false, false);
    kept.forEach((r, i) => same(r, values(r.length, i + 10)));
  });

  it("sgd is the reference's step bit for bit, on resident and on plain arrays (n = 0, 1, 7, 33, 1025; NaN and ±Inf)", () => {
    const g = load(threads);
    const cases = [[0, 0, false, 0], [0.9, 0, false, 0], [0.9, 0.1, false, 1e-2], [0.9, 0, true, 1e-3], [0, 0, false, 0.5]] as const;
    for (const n of [0, 1, 7, 33, 1025])
      for (const [mu, damp, nest, wd] of cases)
        for (const resident of [false, true]) {
          const p1 = values(n, 1), g1 = values(n, 2), b1 = values(n, 3, false);
          const p2 = resident && n > 0 ? inMemory(g, p1) : p1.slice(), b2 = resident && n > 0 ? inMemory(g, b1) : b1.slice();
          const g2 = resident && n > 0 ? inMemory(g, g1) : g1;
          for (const fresh of [true, false, false]) {
            tsBackend.sgdStep(p1, g1, b1, 0.1, mu, damp, nest, wd, fresh);
            g.sgd(p2, g2, b2, 0.1, mu, damp, nest, wd, fresh);
          }
          same(p2, p1);
          same(b2, b1);
          same(g2, g1);
        }
  });
});

describe("resident arrays, once collected", () => {
  it("give their memory back for later ones (the same addresses)", () => {
    const script = `
      import { loadWasmGemm } from "./dist/kernels/wasm/index.js";
      const g = loadWasmGemm({ threads: 1 });
      let a = g.resident(100000), b = g.resident(5000);
      const first = [a.byteOffset, b.byteOffset];
      a.fill(3); b.fill(4);
      a = b = null;
      for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
      const again = [g.resident(100000), g.resident(5000)];
      console.log(JSON.stringify({ first, again: again.map((x) => x.byteOffset), zero: again.every((x) => x.every((v) => v === 0)) }));`;
    const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const { first, again, zero } = JSON.parse(r.stdout) as { first: number[]; again: number[]; zero: boolean };
    expect(again).toEqual(first);
    expect(zero).toBe(true);
  });
});

describe("allocResident", () => {
  afterAll(() => setBackend("wasm"));
  it("puts float32 arrays of 1024 elements or more in the WASM memory on the WASM backend, and nothing else", () => {
    setBackend("wasm");
    const big = allocResident("float32", 1024);
    expect(big.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([big.length, Array.from(big).every((v) => v === 0)]).toEqual([1024, true]);
    for (const [d, n] of [["float32", 1023], ["float64", 4096], ["int32", 4096]] as const) {
      const a = allocResident(d, n);
      expect([a.length, a.buffer instanceof SharedArrayBuffer]).toEqual([n, false]);
    }
    setBackend("ts");
    expect(allocResident("float32", 4096).buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it("holds Linear's weights, with the values the generator gives on the reference backend", async () => {
    const { Generator } = await import("../../src/tensor/random.js");
    setBackend("wasm");
    const fast = new Linear(40, 30, { generator: new Generator(5) });
    setBackend("ts");
    const ref = new Linear(40, 30, { generator: new Generator(5) });
    expect(fast.weight.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([fast.weight.shape, fast.weight.requiresGrad]).toEqual([[30, 40], true]);
    same(fast.weight.data as Float32Array, ref.weight.data as Float32Array);
    same(fast.bias!.data as Float32Array, ref.bias!.data as Float32Array);
  });
});
