// Issue 13 part 7 for the check and shapes tabs, in real Chromium: garbage, a 1 MB solution file,
// huge numbers, markup that must not run. The page keeps answering clicks while the worker grades,
// and every input ends in an inline result or an inline error, never a blank page.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { P1_RIGHT_MD } from "../grade/solutions.js";
import { describeWeb } from "./harness.js";

/** About 1 MB: P1's right solution again and again, then one arithmetic slip (2·3 = 6, not 7) on the last line. */
const copies = Math.ceil(1_000_000 / (P1_RIGHT_MD.length + 1));
const BIG = `${`${P1_RIGHT_MD}\n`.repeat(copies)}\n$$q = 2 \\cdot 3 = 7$$\n`;
const BIG_LAST = BIG.split("\n").length - 1;

/** Garbage of a seeded generator (a linear congruential one), heavy in the characters math and Markdown use. */
function garbage(n: number, seed: number): string {
  const alphabet = "$$\\{}[]()^_=+-*/<>&#`~|'\"0123456789.eE abcxyzαβ∂∑√\n\t\u0000\u202e😀";
  const chars = [...alphabet];
  let s = seed;
  let out = "";
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2 ** 31; out += chars[s % chars.length]; }
  return out;
}

async function drop(page: Page, name: string, text: string): Promise<void> {
  const dt = await page.evaluateHandle(([n, t]) => { const d = new DataTransfer(); d.items.add(new File([t!], n!, { type: "text/markdown" })); return d; }, [name, text]);
  await page.dispatchEvent("#check-solution", "drop", { dataTransfer: dt });
}
/** A paste of `text` into the box (Chromium runs the page's paste handler; a long text is taken whole, not typed in). */
async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const ta = document.querySelector<HTMLTextAreaElement>("#check-solution")!;
    ta.focus();
    ta.select();
    const dt = new DataTransfer();
    dt.setData("text/plain", t);
    ta.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
}
// NOTE: generous waits: the first check of a fresh page loads the library into the worker, which on a loaded 2-core machine takes tens of seconds.
/** The check in progress has finished (the tab is no longer busy) and shown a result or an error:
 *  the previous run's report stays on the page while the next runs, so its presence alone is not enough. */
const settled = (page: Page, timeout = 60_000) =>
  expect.poll(async () => (await page.locator("#tab-check[aria-busy]").count()) === 0
    && (await page.locator("#check-counts").count()) + (await page.locator("#check-solution-error:visible").count()) > 0, { timeout }).toBe(true);

/** How long the page takes to answer a click on the nav (the tab switch happens on the main thread). */
async function clickLatency(page: Page): Promise<number> {
  const t0 = Date.now();
  await page.locator('nav a[data-tab="shapes"]').click();
  await expect.poll(() => page.locator("#tab-shapes").isVisible(), { timeout: 5_000, interval: 20 }).toBe(true);
  await page.locator('nav a[data-tab="check"]').click();
  await expect.poll(() => page.locator("#tab-check").isVisible(), { timeout: 5_000, interval: 20 }).toBe(true);
  return Date.now() - t0;
}

describeWeb("the check and shapes tabs under bad input", (web) => {
  it("grades a dropped 1 MB solution in the worker while the page answers clicks, and marks its one slip", async () => {
    const page = await web.page("#check");
    await settled(page);
    await drop(page, "big.md", BIG);
    await expect.poll(() => page.locator("#check-status").textContent(), { timeout: 5_000, interval: 20 }).toMatch(/^Checking 1,0\d\d,\d\d\d characters/);
    const latency = await clickLatency(page);
    expect(await page.locator("#check-status").textContent(), "the click was answered while the check ran").toMatch(/^Checking/);
    expect(latency).toBeLessThan(2_000);
    await expect.poll(() => page.locator("#check-status").textContent(), { timeout: 30_000 }).toMatch(/^Checked in/);
    expect(await page.locator("#check-counts").textContent()).toMatch(/^✗ [\d,]+ steps right, 1 wrong$/);
    expect(await page.locator("#check-first").textContent()).toContain(`First wrong step: line ${BIG_LAST}`);
    // Far past the blocks drawn in full, the wrong line is still drawn, with its verdict: 2·3 = 6, not 7.
    const last = page.locator(`#check-report li[data-line="${BIG_LAST}"]`);
    expect(await last.getAttribute("data-mark")).toBe("first");
    expect(await last.textContent()).toContain("not 7");
    expect(await page.locator("#check-report").textContent()).toMatch(/more blocks whose lines are all right/);
    expect(await page.locator("#check-big").textContent()).toMatch(/^big\.md: 1,0\d\d,\d\d\d characters, checked whole/);
    expect((await page.locator("#check-solution").inputValue()).length).toBe(20_000);
    await last.scrollIntoViewIfNeeded();
    console.log(await web.shot(page, "check-robust-1mb"));
    expect(web.errors(page)).toEqual([]);
  }, 150_000);

  it("cancels a check past its time limit, says so inline, and checks again afterwards; Cancel stops one", async () => {
    const page = await web.page("#check");
    await settled(page);
    await page.locator("#check-limit").fill("0.3");
    await drop(page, "big.md", BIG);
    await expect.poll(() => page.locator("#check-solution-error").textContent(), { timeout: 10_000 }).toBe("TimeoutError: stopped after 0.3 s: the input is too large to work out here");
    expect(await page.locator("#check-counts").count()).toBe(0);
    console.log(await web.shot(page, "check-robust-timeout"));
    await page.locator("#check-limit").fill("20");
    await page.locator("#check-run").click();
    await expect.poll(() => page.locator("#check-cancel").isEnabled()).toBe(true);
    await page.locator("#check-cancel").click();
    await expect.poll(() => page.locator("#check-solution-error").textContent(), { timeout: 5_000 }).toBe("CancelledError: cancelled");
    await page.locator("#check-big-close").click();
    await page.locator("#check-solution").fill("Let $x = 3$.\n\n$$y = x^2 = 9$$");
    await page.locator("#check-run").click();
    await expect.poll(() => page.locator("#check-counts").textContent(), { timeout: 20_000 }).toBe("✓ 1 step right, 0 wrong");
    expect(await page.locator("#check-solution-error").isVisible()).toBe(false);
    expect(web.errors(page)).toEqual([]);
  }, 150_000);

  it("answers garbage, markup and huge numbers with an inline result or error, never running the markup", async () => {
    const page = await web.page("#check");
    await settled(page);
    for (const [i, g] of [garbage(20_000, 1), garbage(1_000_000, 2), "\u0000\u0001\u0002", "$$$$$$\\\\\\$", "$x^{{{{{{{{{{{{{{{{{{{{{{$ and \\begin{aligned} & = \\\\"].entries()) {
      if (g.length > 200_000) await paste(page, g); // 1 MB of garbage pasted: taken whole, checked at once
      else {
        if (await page.locator("#check-big").isVisible()) await page.locator("#check-big-close").click();
        await page.locator("#check-solution").fill(g);
        await page.locator("#check-run").click();
      }
      await expect.poll(() => page.locator("#check-status").textContent(), { timeout: 30_000 }).toMatch(/^Checked in|^$/);
      await settled(page);
      expect(await page.locator("#tab-check").isVisible(), `garbage ${i}`).toBe(true);
    }
    console.log(await web.shot(page, "check-robust-garbage"));
    // Markup in the text is shown, not run: no element, no handler, no link from \href.
    await page.evaluate(() => { (window as unknown as { pwned: number }).pwned = 0; });
    await page.locator("#check-solution").fill('<img src=x onerror="window.pwned=1"> <script>window.pwned=2</script>\n\n$$\\href{javascript:window.pwned=3}{x} = 1 = 1$$\n\n**<b>bold</b>**');
    await page.locator("#check-run").click();
    await settled(page);
    expect(await page.locator("#check-report img, #check-report script, #check-report a, #check-report b").count()).toBe(0);
    expect(await page.locator("#check-report").textContent()).toContain("<img src=x onerror=");
    expect(await page.evaluate(() => (window as unknown as { pwned: number }).pwned)).toBe(0);
    // Huge numbers: 10^150 squared is 10^300 (right), not 2·10^300 (wrong); 0/0 is NaN, not 1.
    await page.locator("#check-solution").fill("Let $x = 1e150$.\n\n$$y = x \\cdot x = 1e300$$\n\n$$u = x \\cdot x = 2e300$$\n\n$$v = 0/0 = 1$$");
    await page.locator("#check-run").click();
    await expect.poll(() => page.locator("#check-counts").textContent(), { timeout: 20_000 }).toBe("✗ 1 step right, 2 wrong");
    expect(await page.locator('#check-report li[data-line="3"]').getAttribute("data-mark")).toBe("ok");
    expect(await page.locator('#check-report li[data-line="5"]').textContent()).toContain("1e300, not 2e300");
    expect(await page.locator('#check-report li[data-line="7"]').textContent()).toContain("NaN, not 1");
    console.log(await web.shot(page, "check-robust-huge-numbers"));
    expect(web.errors(page)).toEqual([]);
  }, 150_000);

  it("answers a huge or absurd model spec on the shapes tab inline, and a huge network instantly from its spec", async () => {
    const page = await web.page("#shapes");
    const spec = page.locator("#shapes-spec");
    const error = page.locator("#shapes-spec-error");
    for (const [text, want] of [
      ["784-99999999999999999999-10", "a width must be an integer below 2^53"],
      ["784-1e400-10", '"1e400" is not a positive integer'],
      [garbage(5_000, 3), "expected layer widths"],
      ["{ not json", "SyntaxError: the model is not valid JSON"],
      ["", "the model spec is empty"],
    ] as const) {
      await spec.fill(text);
      await spec.press("Enter");
      await expect.poll(() => error.textContent(), { timeout: 20_000 }).toContain(want);
    }
    console.log(await web.shot(page, "shapes-robust-huge-width"));
    // 784·10^8 + 10^8 + 10^8·10 + 10 = 79,500,000,010 parameters: counted from the spec, nothing allocated.
    await spec.fill("784-100000000-10");
    await spec.press("Enter");
    await expect.poll(() => page.locator("#shapes-total").textContent(), { timeout: 20_000 }).toBe("Total parameters: 79,500,000,010");
    expect(await page.locator("#shapes-backward tbody tr").count()).toBe(7);
    // Deeper than the backward pass is written for: the shapes and the count, and a note why.
    await spec.fill(Array.from({ length: 60 }, () => "8").join("-"));
    await spec.press("Enter");
    await expect.poll(() => page.locator("#shapes-total").textContent(), { timeout: 20_000 }).toBe(`Total parameters: ${(59 * (8 * 8 + 8)).toLocaleString("en-US")}`);
    expect(await page.locator(".shapes-notes").textContent()).toContain("this one has 59");
    await page.locator("#shapes-batch").fill("1e400");
    await page.locator("#shapes-batch").press("Enter");
    await expect.poll(() => page.locator("#shapes-batch-error").textContent(), { timeout: 20_000 }).toContain('found "1e400"');
    expect(web.errors(page)).toEqual([]);
  }, 150_000);
}, { timeout: 120_000 });
