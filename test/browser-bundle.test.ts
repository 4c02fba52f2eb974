import { build } from "esbuild";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";

describe("the core bundles for browsers", () => {
  it("bundles src/index.ts for the browser platform and runs P1 where no Node API exists", async () => {
    const out = await build({
      entryPoints: ["src/index.ts"], bundle: true, platform: "browser", format: "iife", globalName: "chainrule", write: false, logLevel: "silent",
    });
    const code = out.outputFiles[0]!.text;
    expect(code.length).toBeGreaterThan(10_000);
    const sandbox: Record<string, unknown> = { console, TextEncoder, TextDecoder };
    runInNewContext(
      `${code}
      const { scalar } = chainrule;
      const o = { requiresGrad: true, dtype: "float64" };
      const x0 = scalar(1, o), w0 = scalar(0.3, o), b0 = scalar(0.1, o), w1 = scalar(-0.2, o), b1 = scalar(-0.3, o);
      const z = x0.mul(w0).add(b0).relu().mul(w1).add(b1).add(x0).relu();
      z.backward();
      globalThis.result = [z.item(), x0.grad.item(), typeof process, typeof require];`,
      sandbox,
    );
    const [z, dx0, processType, requireType] = sandbox.result as [number, number, string, string];
    expect(processType).toBe("undefined");
    expect(requireType).toBe("undefined");
    expect(z).toBeCloseTo(0.62, 12);
    expect(dx0).toBeCloseTo(0.94, 12);
  });
});

describe("error names survive minification", () => {
  it("every error class of the public API keeps its name in a minified browser bundle", async () => {
    const out = await build({
      entryPoints: ["src/index.ts"], bundle: true, platform: "browser", format: "iife", globalName: "chainrule", write: false,
      logLevel: "silent", minify: true,
    });
    const sandbox: Record<string, unknown> = { console, TextEncoder, TextDecoder };
    runInNewContext(
      `${out.outputFiles[0]!.text}
      globalThis.result = Object.entries(chainrule)
        .filter(([, v]) => typeof v === "function" && v.prototype instanceof Error)
        .map(([k, v]) => [k, new v("m", 1, 1, "x").name]);`,
      sandbox,
    );
    const names = sandbox.result as [string, string][];
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const [exported, name] of names) expect(name, exported).toBe(exported);
  });
});
