// End-to-end tests of the web page in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; never a downloaded browser). The built page (web/dist, made by `npm run build:web`,
// rebuilt by test/setup/web.ts when stale) is served on localhost with COOP/COEP, so it is
// cross-origin isolated as on a correctly configured static host.
//
//   describeWeb("the explorer", (web) => {
//     it("shows P1", async () => {
//       const page = await web.page("#explorer");
//       ...
//       await web.shot(page, "explorer-p1");   // test-results/explorer-p1.png
//     });
//   });
//
// Without a Chromium the suite is skipped with the reason printed, unless CI is set: then it fails.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];
const DIST = resolve("web/dist");
export const SHOTS = resolve("test-results");

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(join(DIST, "index.html"))) return "web/dist is missing: npm run build:web";
  return null;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".bin": "application/octet-stream",
  ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".ico": "image/x-icon",
};

/** Serves web/dist (or `root`) on a free localhost port; `isolated` sends COOP/COEP (cross-origin isolation). */
export async function serve(isolated = true, root = DIST): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) { res.writeHead(404).end("not found"); return; }
    const headers: Record<string, string> = { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" };
    if (isolated) Object.assign(headers, { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cross-Origin-Resource-Policy": "same-origin" });
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

export interface Web {
  /** A fresh page at the served site (web/dist, or the folder `root`) plus `hash` (e.g. "#explorer"), sized `viewport` (default 1280×800). Console errors are collected in `errors`. */
  page(hash?: string, opts?: { viewport?: { width: number; height: number }; isolated?: boolean; root?: string }): Promise<Page>;
  /** Screenshot into test-results/<name>.png; returns the path. */
  shot(page: Page, name: string): Promise<string>;
  /** Uncaught page errors and console errors seen so far on `page`. */
  errors(page: Page): string[];
  /** The URLs `page` and its workers have requested so far, in order. */
  requests(page: Page): string[];
  url: string;
}

/** A describe block whose tests get a browser and the served page; skipped (or failed in CI) without Chromium. */
export function describeWeb(name: string, body: (web: Web) => void, opts: { timeout?: number } = {}): void {
  const missing = browserMissing();
  if (missing) {
    if (process.env.CI) {
      describe(name, () => it("needs Chromium in CI", () => { throw new Error(`browser tests cannot run: ${missing}`); }));
    } else {
      console.warn(`skipping browser tests "${name}": ${missing}`);
      describe.skip(name, () => it("needs Chromium", () => {}));
    }
    return;
  }
  describe(name, { timeout: opts.timeout ?? 60_000 }, () => {
    let browser: Browser;
    const servers: Record<string, { url: string; close(): Promise<void> }> = {};
    const contexts: BrowserContext[] = [];
    const seen = new WeakMap<Page, string[]>(), asked = new WeakMap<Page, string[]>();
    const web: Web = {
      url: "",
      async page(hash = "", o = {}) {
        const isolated = o.isolated ?? true;
        const key = `${isolated} ${o.root ?? ""}`;
        servers[key] ??= await serve(isolated, o.root);
        const ctx = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 800 } });
        contexts.push(ctx);
        const page = await ctx.newPage();
        const errs: string[] = [];
        seen.set(page, errs);
        const urls: string[] = [];
        asked.set(page, urls);
        page.on("request", (r) => { urls.push(r.url()); });
        page.on("pageerror", (e) => errs.push(`pageerror: ${e.message}`));
        page.on("console", (m) => { if (m.type() === "error") errs.push(`console: ${m.text()}`); });
        await page.goto(servers[key]!.url + hash);
        return page;
      },
      async shot(page, shotName) {
        mkdirSync(SHOTS, { recursive: true });
        const path = join(SHOTS, `${shotName}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      errors: (page) => seen.get(page) ?? [],
      requests: (page) => asked.get(page) ?? [],
    };
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
      servers["true "] = await serve(true);
      web.url = servers["true "].url;
    }, 60_000);
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close();
      for (const s of Object.values(servers)) await s.close();
    });
    body(web);
  });
}
