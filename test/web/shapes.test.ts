// The "Shapes & parameters" tab in real Chromium. Known values (PROBLEMS.md): P2, 80 features → 1024 →
// 512 → 1 on a batch of 32, each layer's output 1024×32, 512×32, 1×32 features-first (the transpose
// batch-first); P3, 80·1024 + 1024 + 1024·512 + 512 + 512·1 + 1 = 82,944 + 524,800 + 513 = 608,257;
// P5, ∂L/∂scores = (P − Y)/N is N×C and ∂L/∂W2 = H1ᵀ·∂L/∂scores (+ λW2) is H×C.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeWeb } from "./harness.js";

const cells = (page: Page, sel: string) => page.locator(sel).evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (c) => c.textContent)));
async function show(page: Page, values: Record<string, string>): Promise<void> {
  for (const [id, v] of Object.entries(values)) {
    const el = page.locator(`#shapes-${id}`);
    if ((await el.evaluate((e) => e.tagName)) === "SELECT") await el.selectOption(v);
    else await el.fill(v);
  }
  await page.locator("#shapes-spec").press("Enter");
  // The run that Enter started (a select's change starts one too): wait until it is the one shown.
  const run = await page.locator("#tab-shapes").getAttribute("data-seq");
  await expect.poll(() => page.locator("#shapes-out").getAttribute("data-done"), { timeout: 60_000 }).toBe(run);
}

describeWeb("the shapes tab", (web) => {
  it("computes P3's 608,257 with its arithmetic, and P2's shapes in both layouts", async () => {
    const page = await web.page("#shapes");
    await show(page, { spec: "80-1024-512-1", batch: "32", layout: "features-first" });
    await expect.poll(() => page.locator("#shapes-total").textContent(), { timeout: 60_000 }).toBe("Total parameters: 608,257");
    expect(await page.locator("#shapes-arithmetic").textContent()).toBe("80·1024 + 1024 + 1024·512 + 512 + 512·1 + 1 = 608,257");
    const ff = await cells(page, "#shapes-layers tbody tr");
    expect(ff.map((r) => r[4])).toEqual(["1024×32", "1024×32", "512×32", "512×32", "1×32"]);
    expect(ff.map((r) => r[5])).toEqual(["80·1024 + 1024 = 82,944", "0", "1024·512 + 512 = 524,800", "0", "512·1 + 1 = 513"]);
    // Features-first, W·X: W1 is out×in = 1024×80, b1 a column 1024×1.
    expect(ff[0]!.slice(2, 4)).toEqual(["W1: H₁×D = 1024×80", "b1: H₁×1 = 1024×1"]);
    // One output with softmax cross-entropy is degenerate: said, not hidden.
    expect(await page.locator(".shapes-warning").textContent()).toContain("softmax over one class");
    console.log(await web.shot(page, "shapes-p3-features-first"));

    await show(page, { layout: "batch-first" });
    await expect.poll(async () => (await cells(page, "#shapes-layers tbody tr")).map((r) => r[4]), { timeout: 60_000 }).toEqual(["32×1024", "32×1024", "32×512", "32×512", "32×1"]);
    expect(await page.locator("#shapes-total").textContent()).toBe("Total parameters: 608,257");
    expect((await cells(page, "#shapes-layers tbody tr"))[0]!.slice(2, 4)).toEqual(["W1: D×H₁ = 80×1024", "b1: H₁ = 1024"]);
    // The address holds the inputs: opening it again shows the same.
    const again = await web.page(new URL(page.url()).hash);
    await expect.poll(() => again.locator("#shapes-total").textContent(), { timeout: 60_000 }).toBe("Total parameters: 608,257");
    expect(await again.locator("#shapes-layout").inputValue()).toBe("batch-first");
    expect(web.errors(page)).toEqual([]);
  });

  it("writes P5's backward pass as matrix equations with the shape of every term, rendered with KaTeX", async () => {
    const page = await web.page("#shapes");
    await show(page, { spec: "784-100-10", batch: "64", layout: "batch-first", l2: "0.0001" });
    const rows = await page.locator("#shapes-backward tbody tr").evaluateAll((rs) => rs.map((r) => [r.getAttribute("data-eq"), r.querySelector(".shapes-shape")!.textContent]));
    const by = new Map(rows.map(([eq, shape]) => [eq!.split(" = ")[0], { eq, shape }]));
    expect(by.get("∂L/∂S")).toEqual({ eq: "∂L/∂S = (P − Y)/N", shape: "N×C = 64×10" });
    expect(by.get("∂L/∂W2")).toEqual({ eq: "∂L/∂W2 = H1ᵀ · ∂L/∂S + λ·W2", shape: "H×C = 100×10" });
    expect(by.get("∂L/∂b2")!.shape).toBe("C = 10");
    expect(by.get("∂L/∂W1")!.shape).toBe("D×H = 784×100");
    expect(by.get("∂L/∂b1")!.shape).toBe("H = 100");
    expect(await page.locator("#shapes-backward td.shapes-eq > .katex").count()).toBe(rows.length);
    expect(await page.locator("#shapes-total").textContent()).toBe("Total parameters: 79,510"); // 784·100 + 100 + 100·10 + 10
    console.log(await web.shot(page, "shapes-p5-backward"));
    expect(web.errors(page)).toEqual([]);
  });

  it("shows a bad spec or batch inline, naming what was expected, and recovers", async () => {
    const page = await web.page("#shapes");
    await show(page, { spec: "784-abc-10" });
    await expect.poll(() => page.locator("#shapes-spec-error").isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await page.locator("#shapes-spec-error").textContent()).toBe('ValueError: model spec "784-abc-10": expected layer widths separated by "-", like "784-256-10"; "abc" is not a positive integer');
    expect(await page.locator("#shapes-spec").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#shapes-total").count()).toBe(0);
    console.log(await web.shot(page, "shapes-bad-spec"));
    await show(page, { spec: "784-10", batch: "0" });
    await expect.poll(() => page.locator("#shapes-batch-error").textContent(), { timeout: 60_000 }).toContain('must be a positive integer below 2^53, such as 32, found "0"');
    expect(await page.locator("#shapes-spec-error").isVisible()).toBe(false);
    // A JSON model whose layers do not fit: the library's ShapeError names the layer and the shapes.
    await show(page, { spec: '{"layers":[{"type":"Linear","in":784,"out":10},{"type":"Linear","in":20,"out":2}]}', batch: "8" });
    await expect.poll(() => page.locator("#shapes-spec-error").textContent(), { timeout: 60_000 }).toBe("ShapeError: summary: layer 1 (Linear) expects 20 input features, found input of shape [8, 10]");
    await show(page, { spec: "784-10" });
    await expect.poll(() => page.locator("#shapes-total").textContent(), { timeout: 60_000 }).toBe("Total parameters: 7,850");
    expect(await page.locator("#shapes-spec-error").isVisible()).toBe(false);
    expect(web.errors(page)).toEqual([]);
  });

  it("reads at 390 px in the dark theme without sideways page scrolling (wide tables scroll in their box)", async () => {
    const page = await web.page("#shapes?spec=784-1024-512-10&batch=32&layout=features-first", { viewport: { width: 390, height: 844 } });
    await page.emulateMedia({ colorScheme: "dark" });
    try { await expect.poll(() => page.locator("#shapes-backward").count(), { timeout: 20_000 }).toBe(1); } catch (e) { console.log("DEBUG", await page.locator("#tab-shapes").innerText(), web.errors(page)); throw e; }
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
    console.log(await web.shot(page, "shapes-390-dark"));
    expect(web.errors(page)).toEqual([]);
  });
}, { timeout: 120_000 });
