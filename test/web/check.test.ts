// The "Check a solution" tab in real Chromium: a written solution graded line by line, as `chainrule check` does.
// Known verdicts: P1's values (PROBLEMS.md: y1 = 0.4·(−0.2) − 0.3 = −0.38, z = 0.62, ∂z/∂w0 = −0.2,
// ∂z/∂x0 = 0.94 through the branch and the skip connection); the slips are those of test/grade/solutions.ts.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { P1_RIGHT_MD, P1_SLIPS_MD, P1_SLIPS_TXT } from "../grade/solutions.js";
import { describeWeb } from "./harness.js";

const verdict = (page: Page, line: number) => page.locator(`#check-report li[data-line="${line}"]`).first();
async function checkText(page: Page, text: string): Promise<void> {
  await page.locator("#check-solution").fill(text);
  await page.locator("#check-run").click(); // the status says "Checking…" from the click on
  await expect.poll(async () => (await page.locator("#check-status").textContent()) ?? "", { timeout: 20_000 }).toMatch(/^Checked in/);
}

describeWeb("the check tab", (web) => {
  it("preloads an example and marks each of its lines, the sign slip ✗ with its reason", async () => {
    const page = await web.page("#check");
    // The first check of a fresh page loads the library into the worker: slow on a loaded machine.
    await expect.poll(() => page.locator("#check-counts").textContent(), { timeout: 60_000 }).toContain("wrong");
    // The example's last line drops the sign of w1 = −0.2: (1)(0.2)(1)(1) = 0.2, where ∂z/∂w0 = −0.2.
    const last = verdict(page, 11);
    expect(await last.getAttribute("data-mark")).toBe("first");
    expect(await last.textContent()).toContain("the sign of w₁ = −0.2 was dropped");
    for (const line of [5, 7, 9]) expect(await verdict(page, line).getAttribute("data-mark")).toBe("ok");
    expect(await page.locator("#check-report .check-src .katex").count()).toBeGreaterThan(5);
    expect(web.errors(page)).toEqual([]);
  });

  it("marks a pasted solution's slips ✗ with the reason, calls out the first wrong step, and lists the unread line", async () => {
    const page = await web.page("#check");
    await checkText(page, P1_SLIPS_MD);
    expect(await page.locator("#check-counts").textContent()).toContain("1 line not read");
    // Line 12: y1 = −0.5 where (0.4)(−0.2) + (−0.3) = −0.38.
    expect(await verdict(page, 12).getAttribute("data-mark")).toBe("first");
    expect(await verdict(page, 12).textContent()).toMatch(/−0\.38, not −0\.5: an arithmetic slip/);
    // Line 15 follows from it: z = ReLU(−0.5 + 1.0) = 0.5 where z = 0.62.
    expect(await verdict(page, 15).getAttribute("data-mark")).toBe("carried");
    expect(await verdict(page, 15).textContent()).toContain("carried from line 12");
    expect(await verdict(page, 15).textContent()).toContain("0.62");
    // Line 19: w0's 0.3 put in for x1 = 0.4; line 21: the sign of w1 dropped; line 23: the skip connection left out (0.94, not −0.06).
    expect(await verdict(page, 19).textContent()).toContain("0.3 is w₀'s value; x₁ = 0.4");
    expect(await verdict(page, 21).textContent()).toContain("the sign of w₁ = −0.2 was dropped");
    expect(await verdict(page, 23).textContent()).toMatch(/−0\.06, not 0\.94: the skip connection/);
    expect(await verdict(page, 7).getAttribute("data-mark")).toBe("ok");
    expect(await verdict(page, 3).getAttribute("data-mark")).toBe("given");
    // The first wrong step of the whole solution is called out; the unread line is listed with its reason.
    expect(await page.locator("#check-first").textContent()).toMatch(/^First wrong step: line 12/);
    expect(await page.locator("#check-unread li[data-line='27']").textContent()).toContain("d/d has no variable");
    expect(await verdict(page, 27).getAttribute("data-mark")).toBe("unread");
    await verdict(page, 12).scrollIntoViewIfNeeded();
    console.log(await web.shot(page, "check-slips"));

    await checkText(page, P1_RIGHT_MD);
    const marks = await page.locator("#check-report li[data-mark]").evaluateAll((ls) => ls.map((l) => l.getAttribute("data-mark")));
    expect(marks.filter((m) => m === "ok").length).toBeGreaterThanOrEqual(9);
    expect(marks.filter((m) => m !== "ok" && m !== "given" && m !== "definition")).toEqual([]);
    expect(await page.locator("#check-counts").textContent()).toMatch(/^✓ \d+ steps right, 0 wrong$/);
    expect(await page.locator("#check-first").count()).toBe(0);
    console.log(await web.shot(page, "check-right"));
    expect(web.errors(page)).toEqual([]);
  });

  it("checks as the person types, and reads an opened .txt file as plain text", async () => {
    const page = await web.page("#check");
    await expect.poll(() => page.locator("#check-counts").count(), { timeout: 60_000 }).toBe(1);
    await page.locator("#check-solution").fill("");
    await page.locator("#check-solution").pressSequentially("Let $x = 2$.\n\n$$y = x^2 = 2 \\cdot 2 = 5$$", { delay: 5 });
    // 2·2 = 4, not 5.
    await expect.poll(() => verdict(page, 3).getAttribute("data-mark"), { timeout: 20_000 }).toBe("first");
    expect(await verdict(page, 3).textContent()).toContain("not 5");
    // P1 in plain text with the term b1 left out on line 3 (y1 = −0.08, where −0.38), line 4 carried from it.
    await page.locator("#check-file").setInputFiles({ name: "p1.txt", mimeType: "text/plain", buffer: Buffer.from(P1_SLIPS_TXT) });
    await expect.poll(() => page.locator("#check-format").inputValue()).toBe("txt");
    await expect.poll(() => verdict(page, 4).getAttribute("data-mark"), { timeout: 20_000 }).toBe("carried");
    expect(await verdict(page, 3).getAttribute("data-mark")).toBe("first");
    expect(await verdict(page, 3).textContent()).toContain("−0.38");
    console.log(await web.shot(page, "check-txt-file"));
    expect(web.errors(page)).toEqual([]);
  });

  it("shows bad values inline next to their box, and reads at 390 px without sideways scrolling, in the dark theme", async () => {
    const page = await web.page("#check", { viewport: { width: 390, height: 844 } });
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => page.locator("#check-counts").count(), { timeout: 60_000 }).toBe(1);
    await page.locator("#check-set").fill("x0 = abc");
    await page.locator("#check-set").press("Enter");
    await expect.poll(() => page.locator("#check-set-error").isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator("#check-set-error").textContent()).toMatch(/^ParseError: .*number/);
    expect(await page.locator("#check-set").getAttribute("aria-invalid")).toBe("true");
    console.log(await web.shot(page, "check-bad-values-390-dark"));
    await page.locator("#check-set").fill("");
    await page.locator("#check-run").click();
    await expect.poll(() => page.locator("#check-counts").count(), { timeout: 60_000 }).toBe(1);
    expect(await page.locator("#check-set-error").isVisible()).toBe(false);
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
    console.log(await web.shot(page, "check-390-dark"));
    expect(web.errors(page)).toEqual([]);
  });
}, { timeout: 120_000 });
