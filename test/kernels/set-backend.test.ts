import { afterEach, describe, expect, it } from "vitest";
import { type Backend, ValueError, getBackend, setBackend, tensor } from "../../src/index.js";

const reference = getBackend();
afterEach(() => setBackend("ts"));

describe("setBackend", () => {
  it("selects a registered backend by name", () => {
    setBackend("ts");
    expect(getBackend()).toBe(reference);
    expect(getBackend().name).toBe("ts");
  });

  it("refuses an unknown name, listing the available backends, and keeps the current one", () => {
    expect(() => setBackend("webgl")).toThrow(ValueError);
    expect(() => setBackend("webgl")).toThrow('setBackend: unknown backend "webgl"; available: ts');
    expect(getBackend()).toBe(reference);
    expect(tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
  });

  it("refuses a Backend object that lacks kernels, naming the missing ones", () => {
    const partial = { name: "mine", alloc: reference.alloc } as unknown as Backend;
    expect(() => setBackend(partial)).toThrow(/setBackend: the backend lacks unary, binary, where, reduce, matmul, copy, addInto, gather, scatterAdd \(/);
    expect(() => setBackend({ ...reference, name: "" })).toThrow("setBackend: the backend lacks name");
    expect(() => setBackend({ ...reference, matmul: 3 } as unknown as Backend)).toThrow("setBackend: the backend lacks matmul");
    expect(() => setBackend(null as unknown as Backend)).toThrow("setBackend: expected a backend name (ts) or a Backend object, found null");
    expect(getBackend()).toBe(reference);
  });

  it("runs ops on a complete custom backend", () => {
    let calls = 0;
    setBackend({ ...reference, name: "counting", matmul: (...args) => { calls++; reference.matmul(...args); } });
    expect(getBackend().name).toBe("counting");
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).toArray()).toEqual([[11]]);
    expect(calls).toBe(1);
  });
});
