import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Non-blank lines of src/**\/*.ts. */
function srcLines(dir = "src"): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += srcLines(p);
    else if (e.name.endsWith(".ts")) n += readFileSync(p, "utf8").split("\n").filter((l) => l.trim() !== "").length;
  }
  return n;
}

// NOTE: raise it deliberately, in review. 11,478 (1 December 2026, 11,143 lines + 3%); 14,800 when the WASM
// backend, ONNX import/export and the language models and the solution grader came in (issues 9, 10, 12, 14);
// 14,900 when the WASM kernels came to load by URL (issue 11: fetched in browsers, ready(), the reasons a load fails).
const LINE_BUDGET = 14_900;

describe("the shape of the house", () => {
  it("imports run one way: no upward import and no import cycle between src/ files", () => {
    let out: string;
    try {
      out = execFileSync(process.execPath, ["scripts/check-layers.mjs", "--json"], { encoding: "utf8" });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    }
    expect(JSON.parse(out)).toEqual({ upward: [], cycles: [] });
  });

  it(`src/ stays within its line budget (${LINE_BUDGET} non-blank lines)`, () => {
    const n = srcLines();
    if (n > LINE_BUDGET) expect.fail(`src/ has ${n} non-blank lines of TypeScript, over its budget of ${LINE_BUDGET} by ${n - LINE_BUDGET}`);
  });
});
