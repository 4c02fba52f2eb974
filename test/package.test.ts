import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the package", () => {
  it("resolves `chainrule` by package self-reference to the built library, with types", async () => {
    const lib = await import("chainrule");
    expect(lib.tensor([1, 2]).sum().item()).toBe(3);
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", 'import { scalar } from "chainrule"; console.log(scalar(2).mul(3).item())'], { encoding: "utf8" });
    expect(out.trim()).toBe("6");
  });

  it("keeps Node built-ins out of the core (it bundles for browsers)", async () => {
    const { readdirSync, readFileSync, statSync } = await import("node:fs");
    const { join } = await import("node:path");
    const nodeOnly = new Set(["node", "cli"]);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) {
          if (!nodeOnly.has(f)) walk(p);
        } else if (p.endsWith(".ts") && /from "node:|require\(/.test(readFileSync(p, "utf8"))) offenders.push(p);
      }
    };
    walk("src");
    expect(offenders).toEqual([]);
  });
});
