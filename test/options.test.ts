import { describe, expect, it } from "vitest";
import { ValueError } from "../src/index.js";
import { checkOptions, closest } from "../src/options.js";

describe("checkOptions", () => {
  it("accepts known keys and undefined", () => {
    expect(checkOptions<{ lr?: number }>("SGD", { lr: 1 }, ["lr"])).toEqual({ lr: 1 });
    expect(checkOptions<{ lr?: number }>("SGD", undefined, ["lr"])).toEqual({});
  });
  it("names an unknown key, the allowed ones and the closest", () => {
    expect(() => checkOptions<{ momentum?: number }>("SGD", { momentun: 0.9 } as never, ["momentum"])).toThrow(
      'SGD: unknown option "momentun" (did you mean "momentum"?); expected one of momentum',
    );
    expect(() => checkOptions("f", { zzzz: 1 } as never, [])).toThrow(ValueError);
  });
  it("refuses non-objects", () => {
    expect(() => checkOptions("f", 3 as never, [])).toThrow("expected an options object, found number");
    expect(() => checkOptions("f", [] as never, [])).toThrow("found an array");
  });
  it("finds the closest name within two edits", () => {
    expect(closest("lerningRate", ["learningRate", "x"])).toBe("learningRate");
    expect(closest("abcdef", ["xyz"])).toBeUndefined();
  });
});
