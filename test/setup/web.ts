import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "dist" || e.name === "node_modules" || e.name === "public") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Vitest global setup: the browser tests (test/web) load the built page, so web/dist is rebuilt
 * (`npm run build:web`) when it is older than web/ or src/. Where no Chromium exists and CI is not
 * set, the browser tests skip and nothing is built.
 */
export default function setup(): void {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(chromium) && !process.env.CI) return;
  // Only runs that include the browser tests: the whole suite, or file filters naming test/web.
  const filters = process.argv.slice(2).filter((a) => !a.startsWith("-") && a !== "run" && !/vitest/.test(a));
  if (filters.length > 0 && !filters.some((f) => f.includes("web"))) return;
  const stamp = "web/dist/index.html";
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(newest("web"), newest("src"))) return;
  execFileSync("npm", ["run", "build:web", "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
}
