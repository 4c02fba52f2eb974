import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Vitest global setup: the CLI, package and README tests run the built package (dist/), so a bare
 * `npx vitest run` on a fresh clone builds it first; `npm test` has just built it and this is a no-op.
 */
export default function setup(): void {
  const stamp = "dist/index.js";
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest("src")) return;
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
