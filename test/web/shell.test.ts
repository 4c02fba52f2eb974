import { expect, it } from "vitest";
import { describeWeb } from "./harness.js";

describeWeb("the web page's shell", (web) => {
  it("opens each tab from its link and from the address, cross-origin isolated", async () => {
    const page = await web.page("#explorer");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    for (const tab of ["check", "shapes", "train", "explorer"]) {
      await page.getByRole("navigation").locator(`a[data-tab="${tab}"]`).click();
      await expect.poll(() => page.locator(`#tab-${tab}`).isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await page.locator(`nav a[data-tab="${tab}"]`).getAttribute("aria-current")).toBe("page");
      expect(await page.locator("section[data-panel]:visible").count()).toBe(1);
    }
    const direct = await web.page("#shapes");
    await expect.poll(() => direct.locator("#tab-shapes").isVisible(), { timeout: 15_000 }).toBe(true);
    expect(web.errors(page)).toEqual([]);
  });

  it("does not scroll sideways at 390 px", async () => {
    const page = await web.page("#explorer", { viewport: { width: 390, height: 844 } });
    for (const tab of ["explorer", "check", "shapes", "train"]) {
      await page.evaluate((t) => { location.hash = t; }, `#${tab}`);
      await page.waitForTimeout(300);
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(scroll, `the ${tab} tab is ${scroll} px wide at a ${width} px viewport`).toBeLessThanOrEqual(width);
    }
  });
});
