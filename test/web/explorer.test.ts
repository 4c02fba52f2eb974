// The backprop explorer tab in real Chromium: P1 (PROBLEMS.md) typed in, its forward values, the backward
// pass stepped until ∂z/∂w0 = −0.2 appears, wrong answers flagged with the correct values, the two
// chain-rule paths of ∂z/∂x0, the URL sharing the program and the answers, and the keyboard.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeWeb } from "./harness.js";

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const VALUES = "x0=1, w0=0.3, w1=-0.2, b0=0.1, b1=-0.3";
// P1 worked by hand in plain JS (not by the library): forward values, then the chain rule path by path.
const [x0, w0, b0, w1, b1] = [1, 0.3, 0.1, -0.2, -0.3];
const relu = (u: number) => Math.max(0, u), drelu = (u: number) => (u > 0 ? 1 : 0);
const x1 = relu(x0 * w0 + b0), y1 = x1 * w1 + b1, z = relu(y1 + x0);
const dz = drelu(y1 + x0);
const EXPECTED = {
  values: { x1, y1, z }, // 0.4, −0.38, 0.62
  grads: { w0: dz * w1 * drelu(x0 * w0 + b0) * x0, w1: dz * x1, b0: dz * w1 * drelu(x0 * w0 + b0), b1: dz, x0: dz * w1 * drelu(x0 * w0 + b0) * w0 + dz },
};

/** Waits (up to 15 s: the machine is shared) for the page to show what is expected. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const number = (s: string) => Number(s.replace(/[−]/g, "-").replace("∞", "Infinity"));
/** The number on a node's value line (`= 0.4`) or gradient line (`∂z/∂x1 = −0.2`), or null when not shown. */
async function shown(page: Page, name: string, line: "value" | "grad"): Promise<number | null> {
  const t = page.locator(`#explorer-graph g.node[data-name="${name}"] tspan.${line}`);
  if ((await t.count()) === 0) return null;
  return number((await t.textContent())!.split("= ").at(-1)!);
}

async function typeProgram(page: Page, program: string, values: string): Promise<void> {
  await page.locator("#explorer-program").fill("");
  await page.locator("#explorer-program").pressSequentially(program.replace(/\n/g, "; "));
  await page.locator("#explorer-values").fill(values);
}

describeWeb("the backprop explorer", (web) => {
  it("works out P1 typed in: the forward values x1 = 0.4, y1 = −0.38, z = 0.62 on the graph", async () => {
    const page = await web.page("#explorer");
    await typeProgram(page, P1, VALUES);
    await page.getByRole("button", { name: "Forward" }).click();
    await poll(() => shown(page, "z", "value")).not.toBeNull();
    for (const [name, v] of Object.entries(EXPECTED.values)) expect(await shown(page, name, "value"), name).toBeCloseTo(v, 12);
    expect(await shown(page, "z", "value")).toBeCloseTo(0.62, 12);
    // no gradient before the backward pass; each edge says its local derivative
    expect(await shown(page, "w0", "grad")).toBeNull();
    expect(await page.locator('#explorer-graph g.edge[data-from="w1"][data-to="y1"]').textContent()).toContain("x1= 0.4");
    expect(await page.locator('#explorer-step [data-math^="y1 = x1·w1 + b1"]').getAttribute("data-math")).toBe("y1 = x1·w1 + b1 = 0.4·(−0.2) + (−0.3) = −0.38");
    await web.shot(page, "explorer-p1-forward");
    expect(web.errors(page)).toEqual([]);
  });

  it("reads P1 written in LaTeX", async () => {
    const page = await web.page("#explorer");
    const latex = "\\begin{aligned}\nx_1 &= \\operatorname{ReLU}(x_0 w_0 + b_0) \\\\\ny_1 &= x_1 \\cdot w_1 + b_1 \\\\\nz &= \\mathrm{ReLU}(y_1 + x_0)\n\\end{aligned}";
    await page.locator("#explorer-program").fill(latex);
    await page.locator("#explorer-values").fill("x_0=1, w_0=0.3, w_1=-0.2, b_0=0.1, b_1=-0.3");
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => shown(page, "w0", "grad")).not.toBeNull();
    expect(await page.locator("#explorer-read").textContent()).toBe("Read as: x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)");
    expect(await shown(page, "z", "value")).toBeCloseTo(z, 12);
    expect(await shown(page, "x0", "grad")).toBeCloseTo(EXPECTED.grads.x0, 12);
    await web.shot(page, "explorer-latex");
  });

  it("steps the backward pass one node at a time until ∂z/∂w0 = −0.2 appears, showing upstream × local = value", async () => {
    const page = await web.page("#explorer");
    await page.getByRole("button", { name: "Forward" }).click();
    await poll(() => shown(page, "z", "value")).not.toBeNull();
    const order: string[] = [];
    let x0Step: (string | null)[] = [];
    for (let k = 0; k < 8 && (await shown(page, "w0", "grad")) === null; k++) {
      await page.getByRole("button", { name: "Step backward" }).click();
      await poll(() => page.locator("#explorer-step h3").textContent()).toContain(`step ${k + 1} of`);
      order.push((await page.locator("#explorer-graph g.node.step").getAttribute("data-name"))!);
      if (order.at(-1) === "x0") x0Step = await page.locator("#explorer-step [data-math]").evaluateAll((es) => es.map((e) => e.getAttribute("data-math")));
      if (k === 2) await web.shot(page, "explorer-step-x1");
    }
    // reverse topological order: the output first, x0 (used by x1 and z) only after x1
    expect(order[0]).toBe("z");
    expect(order.indexOf("x0")).toBeGreaterThan(order.indexOf("x1"));
    expect(order.at(-1)).toBe("w0");
    expect(await shown(page, "w0", "grad")).toBeCloseTo(-0.2, 12);
    expect(await shown(page, "w0", "grad")).toBeCloseTo(EXPECTED.grads.w0, 12);
    expect(await page.locator("#explorer-graph g.node[data-name='w0'] tspan.grad").textContent()).toBe("∂z/∂w0 = −0.2");
    // the step's edge is highlighted, and the step box says upstream × local = value
    expect(await page.locator("#explorer-graph g.edge.step").evaluateAll((es) => es.map((e) => `${e.getAttribute("data-from")}→${e.getAttribute("data-to")}`))).toEqual(["w0→x1"]);
    const eq = await page.locator("#explorer-step [data-math]").getAttribute("data-math");
    expect(eq).toBe("∂z/∂w0 = ∂z/∂x1 × (ReLU'(x0·w0 + b0) · x0) = (−0.2) × (ReLU'(0.4) · 1) = −0.2");
    expect(await page.locator("#explorer-step .katex").count()).toBeGreaterThan(0);
    // x0's step sums its two terms: through x1 and the skip connection (w1·w0 + 1 = 0.94, worked above)
    expect(x0Step).toEqual([
      "∂z/∂x0 = ∂z/∂x1 × (ReLU'(x0·w0 + b0) · w0) + ∂z/∂z × ReLU'(y1 + x0)",
      "∂z/∂x0 = (−0.2) × (ReLU'(0.4) · 0.3) + 1 × ReLU'(0.62) = (−0.06) + 1 = 0.94",
    ]);
    expect(number(x0Step[1]!.split("= ").at(-1)!)).toBeCloseTo(EXPECTED.grads.x0, 12);
    await web.shot(page, "explorer-step-w0");
    await page.getByRole("button", { name: "Reset" }).click();
    expect(await shown(page, "z", "value")).toBeNull();
    expect(await shown(page, "w0", "grad")).toBeNull();
    expect(web.errors(page)).toEqual([]);
  });

  it("flags each wrong answer with the correct value and the first wrong step", async () => {
    const page = await web.page("#explorer");
    await page.locator("#explorer-claims").fill("y1 = -0.08\ndz/dw1 = -0.2, z = 0.62");
    await page.getByRole("button", { name: "Check my answers" }).click();
    await poll(() => page.locator("#explorer-checks li").count()).toBe(3);
    const items = await page.locator("#explorer-checks li").evaluateAll((ls) => ls.map((l) => ({ ok: (l as HTMLElement).dataset.ok, text: l.querySelector(".correct")?.textContent ?? "", why: (l.querySelector(".why") as HTMLElement | null)?.dataset.text ?? "", katex: l.querySelectorAll(".why .katex").length })));
    expect(items[0]!.ok).toBe("false");
    expect(number(items[0]!.text.split("= ")[1]!)).toBeCloseTo(y1, 12);
    expect(items[0]!.why).toContain("the term + b1 was dropped");
    expect(items[0]!.katex).toBeGreaterThan(0);
    expect(items[1]!.ok).toBe("false");
    expect(items[1]!.text).toContain("∂z/∂w1");
    expect(number(items[1]!.text.split("= ")[1]!)).toBeCloseTo(EXPECTED.grads.w1, 12);
    expect(items[2]!.ok).toBe("true");
    expect(await page.locator("#explorer-check-tally").textContent()).toBe("1 of 3 right");
    expect(await page.locator("#explorer-checks li.bad").first().textContent()).toMatch(/^✗ y1 = -0.08/);
    await web.shot(page, "explorer-checks");
  });

  it("highlights both chain-rule paths of ∂z/∂x0: the branch through x1, y1 and the skip connection", async () => {
    const page = await web.page("#explorer");
    await poll(() => page.locator("#explorer-paths option").count()).toBeGreaterThan(1);
    await page.getByLabel("Highlight paths of").selectOption({ label: "∂z/∂x0" });
    const onPath = async (cls: string) => (await page.locator(`#explorer-graph g.edge.${cls}`).evaluateAll((es) => es.map((e) => `${e.getAttribute("data-from")}→${e.getAttribute("data-to")}`))).sort();
    await poll(() => onPath("on-path")).toEqual(["x0→x1", "x0→z", "x1→y1", "y1→z"]);
    expect(await onPath("path-0")).toEqual(["x0→x1", "x1→y1", "y1→z"]);
    expect(await onPath("path-1")).toEqual(["x0→z"]);
    const list = await page.locator("#explorer-paths-list li").allTextContents();
    expect(list[0]).toMatch(/^through y1, x1: /);
    expect(list[1]).toMatch(/^skip connection: /);
    expect(await page.locator("#explorer-paths-list li").nth(1).locator("[data-math]").getAttribute("data-math")).toBe("ReLU'(y1 + x0) = 1");
    await web.shot(page, "explorer-paths-x0");
    await page.getByLabel("Highlight paths of").selectOption({ label: "∂z/∂w1" });
    await poll(() => onPath("on-path")).toEqual(["w1→y1", "y1→z"]);
  });

  it("keeps the program, values and answers in the URL: the shared link opens the same solution", async () => {
    const page = await web.page("#explorer");
    await page.locator("#explorer-program").fill("y = tanh(x*w)\nz = y*y");
    await page.locator("#explorer-values").fill("x=0.5, w=2");
    await page.locator("#explorer-claims").fill("dz/dw = 1");
    await page.getByRole("button", { name: "Check my answers" }).click();
    await poll(() => page.locator("#explorer-checks li").count()).toBe(1);
    const url = page.url();
    expect(url).toContain("#explorer?");
    const shared = await web.page(url.slice(url.indexOf("#")));
    expect(await shared.locator("#explorer-program").inputValue()).toBe("y = tanh(x*w)\nz = y*y");
    expect(await shared.locator("#explorer-values").inputValue()).toBe("x=0.5, w=2");
    expect(await shared.locator("#explorer-claims").inputValue()).toBe("dz/dw = 1");
    await poll(() => shared.locator("#explorer-checks li").count()).toBe(1);
    // dz/dw = 2·tanh(xw)·(1 − tanh²(xw))·x, worked here
    const t = Math.tanh(1);
    expect(number((await shared.locator("#explorer-checks .correct").textContent())!.split("= ")[1]!)).toBeCloseTo(2 * t * (1 - t * t) * 0.5, 9);
    await shared.getByRole("button", { name: "Forward" }).click();
    await poll(() => shown(shared, "z", "value")).not.toBeNull();
    expect(await shown(shared, "z", "value")).toBeCloseTo(t * t, 9);
    await web.shot(shared, "explorer-shared-link");
  });

  it("is keyboard operable: Tab to Run all and press Enter", async () => {
    const page = await web.page("#explorer");
    await poll(() => page.locator("#explorer-graph g.node").count()).toBe(8);
    await page.locator("#explorer-values").focus();
    let name = "";
    for (let k = 0; k < 6 && name !== "Run all"; k++) {
      await page.keyboard.press("Tab");
      name = await page.evaluate(() => document.activeElement?.textContent ?? "");
    }
    expect(name).toBe("Run all");
    await page.keyboard.press("Enter");
    await poll(() => shown(page, "w0", "grad")).not.toBeNull();
    for (const [v, g] of Object.entries(EXPECTED.grads)) expect(await shown(page, v, "grad"), v).toBeCloseTo(g, 12);
    expect(await page.locator("#explorer-step h3").textContent()).toBe("Backward pass, every step");
    // Enter in the values box runs the forward pass
    await page.getByRole("button", { name: "Reset" }).click();
    await page.locator("#explorer-values").press("Enter");
    await poll(() => shown(page, "y1", "value")).toBeCloseTo(y1, 12);
    await web.shot(page, "explorer-keyboard-run-all");
  });

  it("reads at 390 px without page scrolling sideways; the graph scrolls in its own box", async () => {
    const page = await web.page("#explorer", { viewport: { width: 390, height: 844 } });
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => shown(page, "w0", "grad")).not.toBeNull();
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
    await web.shot(page, "explorer-390px");
  });

  it("follows the system's dark theme", async () => {
    const page = await web.page("#explorer");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => shown(page, "w0", "grad")).not.toBeNull();
    // the theme's dark --panel (#161b22) and --fg (#e6edf3) on the graph, not the light ones
    const colors = await page.evaluate(() => {
      const rect = document.querySelector('#explorer-graph g.node[data-name="y1"] rect')!;
      const text = document.querySelector('#explorer-graph g.node[data-name="y1"] tspan.value')!;
      return [getComputedStyle(rect).fill, getComputedStyle(text).fill, getComputedStyle(document.documentElement).backgroundColor];
    });
    expect(colors).toEqual(["rgb(22, 27, 34)", "rgb(230, 237, 243)", "rgb(13, 17, 23)"]);
    await web.shot(page, "explorer-dark");
  });
});
