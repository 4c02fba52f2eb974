// The train tab in real Chromium: training in its worker on the WASM kernels (threads when the page
// is cross-origin isolated, one thread when not), the page answering while it trains, pause and
// resume, a drawn digit's ten probabilities, and a downloaded checkpoint that `chainrule eval` reads.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeWeb } from "./harness.js";

const num = async (page: Page, sel: string): Promise<number> => Number(await page.locator(sel).textContent());
const testAccuracy = async (page: Page): Promise<number> => Number((await page.locator("#train-test-acc").getAttribute("data-value")) ?? NaN);
const probs = (page: Page): Promise<number[]> =>
  page.locator("#train-probs li").evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.prob)));

/** Draws a "7" on the pad with the mouse (a bar across the top, a stroke down to the lower left). */
async function drawSeven(page: Page): Promise<void> {
  await page.locator("#train-draw").scrollIntoViewIfNeeded();
  const box = (await page.locator("#train-draw").boundingBox())!;
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(0.3, 0.25));
  await page.mouse.down();
  for (const [x, y] of [[0.5, 0.25], [0.7, 0.25], [0.6, 0.45], [0.5, 0.65], [0.42, 0.8]] as const) await page.mouse.move(...at(x, y), { steps: 6 });
  await page.mouse.up();
}

describeWeb("the train tab", (web) => {
  let page: Page;

  it("shows the worker's backend: WASM with more than one thread when cross-origin isolated", async () => {
    page = await web.page("#train");
    const backend = page.locator("#train-backend");
    await expect.poll(() => backend.getAttribute("data-name"), { timeout: 20_000 }).toBe("wasm");
    expect(await backend.getAttribute("data-isolated")).toBe("true");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Number(await backend.getAttribute("data-threads"));
    expect(cores, "this check needs a machine of 2 cores or more").toBeGreaterThan(1);
    expect(threads).toBe(cores);
    expect(await backend.textContent()).toMatch(/wasm \((relaxed )?SIMD, \d+ threads\)/);
    // The kernels came by URL: the worker fetched the shared-memory build, an asset file beside the scripts.
    expect(web.requests(page).filter((u) => u.endsWith(".wasm"))).toContainEqual(expect.stringMatching(/\/assets\/gemm-(relaxed|simd)-shared-[\w-]{8}\.wasm$/));
    await web.shot(page, "train-initial");
  });

  it("trains in its worker to over 80% test accuracy while the page answers clicks and draws", async () => {
    await page.locator("#train-epochs").fill("100"); // more than the tests take: Stop ends it
    await page.locator("#train-start").click();
    await expect.poll(() => page.locator("#train-pause").isEnabled(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => num(page, "#train-step"), { timeout: 20_000 }).toBeGreaterThan(10);
    // The WASM GEMM's pool: the training worker has started a thread of its own from a blob URL (src/kernels/wasm/pool.ts).
    // (started when the first product big enough for two threads comes, and reported by the browser a moment later)
    await expect.poll(() => page.workers().map((w) => w.url().split(":")[0]), { timeout: 20_000 }).toEqual(["http", "blob"]);
    // The main thread stays free: a timer fires on time, and a click on Clear is answered at once.
    const lag = await page.evaluate(() => new Promise<number>((ok) => { const t = performance.now(); setTimeout(() => ok(performance.now() - t - 50), 50); }));
    expect(lag).toBeLessThan(250);
    await drawSeven(page);
    await expect.poll(async () => (await probs(page)).reduce((a, b) => a + b, 0), { timeout: 10_000 }).toBeGreaterThan(0.99);
    await page.locator("#train-clear").click();
    expect(await page.locator("#train-probs li .value").first().textContent()).toBe("–");
    expect(await probs(page)).toEqual(Array(10).fill(0));
    await web.shot(page, "train-running");
    await expect.poll(() => testAccuracy(page), { timeout: 90_000, interval: 500 }).toBeGreaterThan(0.8);
    expect(await page.locator("#train-wrong canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("#train-wrong figcaption").first().textContent()).toMatch(/^\d → \d$/);
    await web.shot(page, "train-over-80");
  }, 150_000);

  it("pause stops the step counter and resume continues it", async () => {
    await page.locator("#train-pause").click();
    await expect.poll(() => page.locator("#train-state").textContent()).toMatch(/^Paused at step \d+/);
    const at = await num(page, "#train-step");
    await page.waitForTimeout(1500);
    expect(await num(page, "#train-step")).toBe(at);
    expect(await page.locator("#train-resume").isEnabled()).toBe(true);
    await web.shot(page, "train-paused");
    await page.locator("#train-resume").click();
    await expect.poll(() => num(page, "#train-step"), { timeout: 20_000 }).toBeGreaterThan(at);
  }, 60_000);

  it("gives ten probabilities that sum to 1 for a digit drawn with the mouse", async () => {
    await drawSeven(page);
    await expect.poll(async () => (await probs(page)).some((p) => p > 0), { timeout: 10_000 }).toBe(true);
    const p = await probs(page);
    expect(p).toHaveLength(10);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-3);
    // The pad's picture reaches the model as MNIST digits are: ink inside a 20×20 box, centred on its mass.
    const seen = await page.locator("#train-seen").evaluate((c) => {
      const d = (c as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, 28, 28).data;
      let x0 = 28, x1 = -1, y0 = 28, y1 = -1;
      for (let i = 0; i < 784; i++) if (d[i * 4]! > 0) { const x = i % 28, y = Math.floor(i / 28); x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      return Math.max(x1 - x0 + 1, y1 - y0 + 1);
    });
    expect(seen).toBe(20);
    await web.shot(page, "train-drawn");
  });

  it("downloads a checkpoint that chainrule eval reads, with the page's test accuracy", async () => {
    await page.locator("#train-stop").click();
    await expect.poll(() => page.locator("#train-state").textContent(), { timeout: 20_000 }).toMatch(/^Stopped at step \d+/);
    await expect.poll(() => page.locator("#train-start").isEnabled()).toBe(true);
    await page.waitForTimeout(300); // the stopped model's test result follows the stop
    const pageAcc = await testAccuracy(page);
    const dl = page.waitForEvent("download");
    await page.locator("#train-download").click();
    const file = join(mkdtempSync(join(tmpdir(), "chainrule-web-")), (await dl).suggestedFilename());
    await (await dl).saveAs(file);
    expect(file).toMatch(/\.safetensors$/);
    const r = spawnSync(process.execPath, ["dist/cli/main.js", "eval", file], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const m = /accuracy (\d+\.\d+)% \((\d+) samples\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBe(1996);
    console.info(`train tab: the page's test accuracy ${(pageAcc * 100).toFixed(2)}%, chainrule eval of the download: ${r.stdout.trim()}`);
    // The same weights on the same 1,996 test digits: float32 rounding may flip a borderline digit or two.
    expect(Math.abs(Number(m![1]) / 100 - pageAcc)).toBeLessThan(0.003);
    expect(Number(m![1])).toBeGreaterThan(80);
    await web.shot(page, "train-downloaded");
    expect(web.errors(page)).toEqual([]);
    expect(await page.locator("#tab-train .error-box").count()).toBe(0);
    await page.close(); // its worker and the GEMM's thread end with it
  }, 60_000);

  it("runs on one thread when the page is served without COOP/COEP", async () => {
    const plain = await web.page("#train", { isolated: false });
    const backend = plain.locator("#train-backend");
    await expect.poll(() => backend.getAttribute("data-name"), { timeout: 20_000 }).toBe("wasm");
    expect(await plain.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await backend.getAttribute("data-isolated")).toBe("false");
    expect(await backend.getAttribute("data-threads")).toBe("1");
    expect(await backend.textContent()).toMatch(/1 thread\b/);
    // Without shared memory the worker fetched the private-memory build of the kernels.
    const wasm = web.requests(plain).filter((u) => u.endsWith(".wasm"));
    expect(wasm).toContainEqual(expect.stringMatching(/\/assets\/gemm-(relaxed|simd)-[\w-]{8}\.wasm$/));
    expect(wasm.filter((u) => /-shared-[\w-]{8}\.wasm$/.test(u))).toEqual([]);
    await plain.locator("#train-start").click();
    await expect.poll(() => num(plain, "#train-step"), { timeout: 20_000 }).toBeGreaterThan(10);
    expect(plain.workers().map((w) => w.url().split(":")[0])).toEqual(["http"]);
    await plain.locator("#train-stop").click();
    await web.shot(plain, "train-not-isolated");
    expect(await plain.locator("#tab-train .error-box").count()).toBe(0);
    await plain.close();
  });

  it("shows bad settings inline next to their input, from the page and from the worker, and starts from the keyboard", async () => {
    const p = await web.page("#train");
    await expect.poll(() => p.locator("#train-backend").getAttribute("data-name"), { timeout: 20_000 }).toBe("wasm");
    await p.locator("#train-lr").fill("-1");
    await p.locator("#train-lr").press("Enter");
    await expect.poll(() => p.locator("#train-lr-error").textContent()).toBe('the learning rate must be a positive number, e.g. 0.05, found "-1"');
    expect(await p.locator("#train-lr").getAttribute("aria-invalid")).toBe("true");
    await p.locator("#train-lr").fill("0.05");
    await p.locator("#train-spec").fill("784-abc-10");
    await p.locator("#train-spec").press("Enter");
    // The worker's ValueError from mlpSpec, next to the widths.
    await expect.poll(() => p.locator("#train-spec-error").textContent(), { timeout: 20_000 }).toMatch(/^ValueError: .*"abc"/);
    expect(await p.locator("#train-lr-error").isHidden()).toBe(true);
    expect(await p.locator("#train-start").isEnabled()).toBe(true);
    await p.locator("#train-spec").fill("784-128-5");
    await p.locator("#train-spec").press("Enter");
    await expect.poll(() => p.locator("#train-spec-error").textContent(), { timeout: 20_000 }).toBe("ValueError: the model has 5 outputs; the digits need 10");
    await web.shot(p, "train-bad-settings");
    expect(await p.locator("#tab-train .error-box").count()).toBe(0);
    expect(p.workers().length).toBe(1);
    expect(web.errors(p)).toEqual([]);
  });

  it("at 390 px wide in the dark theme: no sideways scroll; the CNN trains and the drawing pad works", async () => {
    const p = await web.page("#train", { viewport: { width: 390, height: 844 } });
    await p.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => p.locator("#train-backend").getAttribute("data-name"), { timeout: 20_000 }).toBe("wasm");
    await p.locator("#train-model").selectOption("cnn");
    expect(await p.locator("#train-spec").isHidden()).toBe(true);
    await p.locator("#train-start").click();
    await expect.poll(() => num(p, "#train-step"), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    expect(await p.locator("#train-state").textContent()).toMatch(/^Training a model of 52,138 parameters/); // 80+1168+50240+650 weights and biases
    await drawSeven(p);
    await expect.poll(async () => Math.abs((await probs(p)).reduce((a, b) => a + b, 0) - 1), { timeout: 20_000 }).toBeLessThan(1e-3);
    const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
    expect(await p.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe("rgb(13, 17, 23)");
    await p.locator("#train-stop").click();
    await expect.poll(() => p.locator("#train-state").textContent(), { timeout: 30_000 }).toMatch(/^Stopped at step \d+/);
    await web.shot(p, "train-390-dark-cnn");
    expect(web.errors(p)).toEqual([]);
    expect(await p.locator("#tab-train .error-box").count()).toBe(0);
  }, 90_000);
});
