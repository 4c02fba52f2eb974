import { afterEach, describe, expect, it, vi } from "vitest";
import { type Backend, ValueError, getBackend, registerBackend, setBackend, tensor } from "../../src/index.js";
import { KERNELS, kernels, registeredBackends } from "../../src/kernels/index.js";
import { tsBackend } from "../../src/kernels/ts/index.js";

afterEach(() => setBackend("ts"));

describe("setBackend", () => {
  it("selects a registered backend by name, and reports which backend serves each kernel", () => {
    setBackend("ts");
    const info = getBackend();
    expect(info.name).toBe("ts");
    expect(Object.keys(info.kernels)).toEqual(KERNELS);
    for (const k of KERNELS) expect(info.kernels[k]).toEqual({ float32: "ts", float64: "ts", int32: "ts" });
    expect(kernels("float32")).toBe(tsBackend);
  });

  it("refuses an unknown name, listing the available backends, and keeps the current one", () => {
    expect(() => setBackend("webgl")).toThrow(ValueError);
    expect(() => setBackend("webgl")).toThrow('setBackend: unknown backend "webgl"; available: ts');
    expect(getBackend().name).toBe("ts");
    expect(tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
  });

  it("refuses a malformed Backend object, saying what is wrong", () => {
    expect(() => setBackend({ name: "" })).toThrow("setBackend: the backend lacks name");
    expect(() => setBackend({ name: "mine", matmul: 3 } as unknown as Backend)).toThrow('setBackend: backend "mine": matmul must be functions');
    expect(() => setBackend({ name: "mine", matmull: () => {} } as unknown as Backend)).toThrow('setBackend: backend "mine" has unknown kernels matmull');
    expect(() => setBackend({ name: "mine", dtypes: { matmul: ["float32"] } })).toThrow("declares dtypes for matmul, which it does not provide");
    expect(() => setBackend({ name: "mine", matmul: tsBackend.matmul, dtypes: { matmul: ["float16"] } } as unknown as Backend)).toThrow("dtypes.matmul must list dtypes");
    expect(() => setBackend(null as unknown as Backend)).toThrow(`setBackend: expected a backend name (${registeredBackends().map((b) => b.name).join(", ")}) or a Backend object, found null`);
    expect(getBackend().name).toBe("ts");
  });

  it("runs a partial backend's kernels for the dtypes it declares, and the reference for the rest", () => {
    const calls: string[] = [];
    const matmul: Backend["matmul"] = (...args) => { calls.push(args[0].constructor.name); tsBackend.matmul(...args); };
    setBackend({ name: "counting", matmul, dtypes: { matmul: ["float32"] } });
    const info = getBackend();
    expect(info.name).toBe("counting");
    expect(info.kernels.matmul).toEqual({ float32: "counting", float64: "ts", int32: "ts" });
    expect(info.kernels.binary).toEqual({ float32: "ts", float64: "ts", int32: "ts" });
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).toArray()).toEqual([[11]]);
    expect(tensor([[1, 2]], { dtype: "float64" }).matmul(tensor([[3], [4]], { dtype: "float64" })).toArray()).toEqual([[11]]);
    // NOTE: operands of mixed dtypes run on the reference, so a float32-only kernel never sees a Float64Array.
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]], { dtype: "float64" })).toArray()).toEqual([[11]]);
    expect(calls).toEqual(["Float32Array"]);
  });

  it("a kernel without declared dtypes serves every dtype; registered backends are selectable by name", () => {
    let n = 0;
    registerBackend({ name: "every", binary: (...args) => { n++; tsBackend.binary(...args); } });
    setBackend("every");
    expect(getBackend().kernels.binary).toEqual({ float32: "every", float64: "every", int32: "every" });
    expect(tensor([1, 2], { dtype: "int32" }).add(tensor([3, 4], { dtype: "int32" })).toArray()).toEqual([4, 6]);
    expect(n).toBe(1);
    expect(() => registerBackend({ name: "ts" })).toThrow('registerBackend: the name "ts" is the reference backend\'s');
  });

  it("CHAINRULE_BACKEND chooses the backend at load; an unknown name is an error", async () => {
    const saved = process.env.CHAINRULE_BACKEND;
    try {
      process.env.CHAINRULE_BACKEND = "nope";
      vi.resetModules();
      await expect(import("../../src/kernels/index.js")).rejects.toThrow('CHAINRULE_BACKEND: unknown backend "nope"; available: ts');
      process.env.CHAINRULE_BACKEND = "ts";
      vi.resetModules();
      expect((await import("../../src/kernels/index.js")).getBackend().name).toBe("ts");
    } finally {
      if (saved === undefined) delete process.env.CHAINRULE_BACKEND;
      else process.env.CHAINRULE_BACKEND = saved;
      vi.resetModules();
    }
  });
});
