// Issue 13 part 7 for the explorer tab: garbage, overflowing products, division by zero, log(0) and a
// 10,000-node program each give an inline error or the correct ±∞/NaN with its explanation, never a blank
// page; the page answers clicks while the worker works, and a job past its time limit is cancelled and said.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { describeWeb } from "./harness.js";

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout });
const nodeLine = async (page: Page, name: string, line: "value" | "grad") => {
  const t = page.locator(`#explorer-graph g.node[data-name="${name}"] tspan.${line}`);
  return (await t.count()) === 0 ? null : (await t.textContent())!.split("= ").at(-1)!;
};
/** The inline error shown next to an input ("" when none is shown). */
const errorNow = (page: Page, id: string) => page.evaluate((i) => {
  const e = document.getElementById(`${i}-error`);
  return e && !e.hidden ? e.textContent ?? "" : "";
}, id);
/** Waits for the inline error next to `id` to match. */
const errorShown = (page: Page, id: string, m: RegExp | string) => poll(() => errorNow(page, id)).toMatch(m);
const warnings = (page: Page) => page.locator("#explorer-warnings p").evaluateAll((ps) => ps.map((p) => (p as HTMLElement).dataset.text).join("\n"));
const p1Drawn = (page: Page) => poll(() => page.locator("#explorer-graph g.node").count()).toBe(8);

/** Pastes a program (as a paste does: the whole text at once, one input event; typing 10,000 lines would take minutes). */
const paste = (page: Page, text: string) => page.locator("#explorer-program").evaluate((el, s) => {
  (el as HTMLTextAreaElement).value = s;
  el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
}, text);

async function enter(page: Page, program: string, values: string): Promise<void> {
  await paste(page, program);
  await page.locator("#explorer-values").fill(values);
}

describeWeb("the backprop explorer with bad and extreme input", (web) => {
  it("says what is wrong with garbage next to the input it came from, and keeps the previous graph", async () => {
    const page = await web.page("#explorer");
    await p1Drawn(page);
    await page.locator("#explorer-program").fill("%$#@!\u0001 )))((( ∂∂ 😀");
    await errorShown(page, "explorer-program", /^ParseError: unexpected character "%" at line 1, column 1/);
    expect(await page.locator("#explorer-graph g.node").count()).toBe(8);
    expect(await page.locator("#explorer-program").getAttribute("aria-invalid")).toBe("true");
    await web.shot(page, "explorer-robust-garbage-program");
    // LaTeX that never closes a brace
    await page.locator("#explorer-program").fill("y = \\frac{x}{2");
    await errorShown(page, "explorer-program", 'LaTeX: a "{" that is never closed at line 1, column 13');
    // values: not a number, too large for a float64, a name the program does not have
    await enter(page, "x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)", "x0=1, w0=abc");
    await errorShown(page, "explorer-values", /^ParseError: expected a number, found "a"/);
    await page.locator("#explorer-values").fill("x0=1e400, w0=0.3, w1=-0.2, b0=0.1, b1=-0.3");
    await errorShown(page, "explorer-values", "1e400 is not a finite number");
    await page.locator("#explorer-values").fill("x0=1, w0=0.3, w1=-0.2, b0=0.1");
    await errorShown(page, "explorer-values", "no value for b1: add b1=… to the values");
    await page.locator("#explorer-values").fill("x0=1, w0=0.3, w1=-0.2, b0=0.1, b1=-0.3");
    await poll(() => errorNow(page, "explorer-values")).toBe("");
    // answers that cannot be read, or name no variable of the program
    await page.locator("#explorer-claims").fill("y1 == ??");
    await page.getByRole("button", { name: "Check my answers" }).click();
    await errorShown(page, "explorer-claims", /^ParseError: /);
    await page.locator("#explorer-claims").fill("q = 1");
    await page.getByRole("button", { name: "Check my answers" }).click();
    await errorShown(page, "explorer-claims", 'the claim "q = 1" names q, which is not a variable of the program');
    expect(await page.locator("#explorer-graph g.node").count()).toBe(8);
    await web.shot(page, "explorer-robust-garbage-claims");
    expect(web.errors(page)).toEqual([]);
  });

  it("shows ∞ with the overflow explained when a product passes 1.8e308", async () => {
    const page = await web.page("#explorer");
    await enter(page, "y = x*x\nz = y*0.5", "x=1e308");
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => nodeLine(page, "y", "value")).toBe("∞");
    expect(1e308 * 1e308).toBe(Infinity);
    expect(await nodeLine(page, "z", "value")).toBe("∞");
    expect(await warnings(page)).toContain("overflow (beyond the largest float64, about 1.8e308)");
    // ∂z/∂x = 0.5·2x = 1e308 is finite; ∂z/∂y = 0.5
    expect(await nodeLine(page, "x", "grad")).toBe("1e308");
    expect(await nodeLine(page, "y", "grad")).toBe("0.5");
    await web.shot(page, "explorer-robust-overflow");
  });

  it("shows ∞ for a division by zero, NaN for 0/0, and −∞ for log(0), each explained", async () => {
    const page = await web.page("#explorer");
    await enter(page, "y = x/d", "x=1, d=0");
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => nodeLine(page, "y", "value")).toBe("∞");
    expect(await warnings(page)).toContain("division by zero");
    // ∂(x/d)/∂d = −x/d² = −∞ at d = 0
    expect(await nodeLine(page, "d", "grad")).toBe("−∞");
    await page.locator("#explorer-values").fill("x=0, d=0");
    await page.getByRole("button", { name: "Forward" }).click();
    await poll(() => nodeLine(page, "y", "value")).toBe("NaN");
    expect(0 / 0).toBeNaN();
    await enter(page, "y = log(x)", "x=0");
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => nodeLine(page, "y", "value")).toBe("−∞");
    expect(Math.log(0)).toBe(-Infinity);
    expect(await warnings(page)).toContain("log of 0");
    // ∂log(x)/∂x = 1/x = ∞ at 0
    expect(await nodeLine(page, "x", "grad")).toBe("∞");
    await web.shot(page, "explorer-robust-log0");
    expect(web.errors(page)).toEqual([]);
  });

  it("works out a 1,000-node program without drawing it: the output and gradients are listed", async () => {
    const page = await web.page("#explorer?timeout=90");
    await p1Drawn(page);
    const lines = ["v1 = x*w + b", ...Array.from({ length: 999 }, (_, i) => `v${i + 2} = tanh(v${i + 1}*w + b)`)];
    await enter(page, lines.join("\n"), "x=1, w=0.5, b=0.1");
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => page.locator("#explorer-summary li").count(), 90_000).toBeGreaterThan(1);
    expect(await page.locator("#explorer-graph").textContent()).toBe("1003 variables: too many to draw (up to 300); see the list below.");
    // the fixed point of v = tanh(0.5·v + 0.1), iterated here in plain JS
    let v = 1 * 0.5 + 0.1;
    for (let i = 0; i < 999; i++) v = Math.tanh(v * 0.5 + 0.1);
    const items = await page.locator("#explorer-summary li").allTextContents();
    expect(Number(items[0]!.split("= ")[1]!.replace("−", "-"))).toBeCloseTo(v, 9);
    expect(items[0]!.startsWith("v1000 = ")).toBe(true);
    expect(items.slice(1).map((t) => t.split(" = ")[0]).sort()).toEqual(["∂v1000/∂b", "∂v1000/∂w", "∂v1000/∂x"]);
    await web.shot(page, "explorer-robust-1000-nodes");
  }, 120_000);

  it("keeps answering clicks while a 10,000-node program is worked out, lists its result, and stops a job at its time limit or on Cancel, saying so", async () => {
    const page = await web.page("#explorer?timeout=120");
    await p1Drawn(page);
    await page.getByRole("button", { name: "Run all" }).click();
    await poll(() => nodeLine(page, "w0", "grad")).toBe("−0.2");
    const lines = ["v1 = x*w + b", ...Array.from({ length: 9_999 }, (_, i) => `v${i + 2} = tanh(v${i + 1}*w + b)`)];
    await enter(page, lines.join("\n"), "x=1, w=0.5, b=0.1");
    await page.getByRole("button", { name: "Forward" }).click();
    // the page answers while the worker works: a click on the path highlight redraws the graph at once
    const t0 = Date.now();
    await page.getByLabel("Highlight paths of").selectOption({ label: "∂z/∂x0" });
    const seen = await page.evaluate(() => ({ status: document.getElementById("explorer-status")!.textContent, onPath: document.querySelectorAll("#explorer-graph g.edge.on-path").length }));
    const answered = Date.now() - t0;
    expect(seen).toEqual({ status: "Working it out…", onPath: 4 });
    expect(answered).toBeLessThan(2_000);
    // the result: too many variables to draw, listed instead
    await poll(() => page.locator("#explorer-graph").textContent(), 120_000).toBe("10003 variables: too many to draw (up to 300); see the list below.");
    let v = 1 * 0.5 + 0.1;
    for (let i = 0; i < 9_999; i++) v = Math.tanh(v * 0.5 + 0.1); // the fixed point, iterated in plain JS
    const first = (await page.locator("#explorer-summary li").first().textContent())!;
    expect(first.startsWith("v10000 = ")).toBe(true);
    expect(Number(first.split("= ")[1]!.replace("−", "-"))).toBeCloseTo(v, 9);
    await web.shot(page, "explorer-robust-10000-nodes");

    // a job past its time limit is stopped and said; the previous result stays
    const limited = await web.page("#explorer?timeout=1");
    await p1Drawn(limited);
    await limited.getByRole("button", { name: "Run all" }).click();
    await poll(() => nodeLine(limited, "w0", "grad")).toBe("−0.2");
    const huge = ["v1 = x*w + b", ...Array.from({ length: 99_999 }, (_, i) => `v${i + 2} = tanh(v${i + 1}*w + b)`)];
    await enter(limited, huge.join("\n"), "x=1, w=0.5, b=0.1"); // 100,000 nodes: far more than a second of work
    await limited.getByRole("button", { name: "Forward" }).click();
    await poll(() => errorNow(limited, "explorer-program")).toBe("TimeoutError: stopped after 1 s: the input is too large to work out here");
    expect(await limited.locator("#explorer-status").textContent()).toContain("(the previous result stays)");
    expect(await limited.locator("#explorer-graph g.node").count()).toBe(8);
    expect(await nodeLine(limited, "w0", "grad")).toBe("−0.2");
    await web.shot(limited, "explorer-robust-100000-timeout");
    // Cancel stops a job at once
    await enter(page, huge.join("\n"), "x=1, w=0.5, b=0.1");
    await page.getByRole("button", { name: "Forward" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await poll(() => page.locator("#explorer-status").textContent()).toBe("Cancelled: the previous result stays.");
    expect(await page.getByRole("button", { name: "Cancel" }).isHidden()).toBe(true);
    await web.shot(page, "explorer-robust-cancelled");
    console.log(`explorer: the page answered a click in ${answered} ms while the worker worked`);
    expect(web.errors(page)).toEqual([]);
    expect(web.errors(limited)).toEqual([]);
  }, 240_000);
});
