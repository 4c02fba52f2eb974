// The "Check a solution" tab: a worked solution (Markdown with LaTeX, LaTeX or plain text) pasted,
// typed or dropped, graded in the computing worker by the library's checkSolution (the same data as
// `chainrule check`), shown rendered with KaTeX and each line's verdict beside it.
import "katex/dist/katex.min.css";
import "./check.css";
import { compute, type Job } from "../shared/compute.js";
import { errorText, inlineError } from "../shared/errors.js";
import type { CheckArgs, CheckResult, Verdict } from "./handlers.js";
import type { Kind } from "./render.js";

export const EXAMPLE = String.raw`# P1: the forward pass and one gradient

Let $x_0 = 1.0$, $w_0 = 0.3$, $w_1 = -0.2$, $b_0 = 0.1$ and $b_1 = -0.3$.

$$x_1 = \text{ReLU}(x_0 w_0 + b_0) = \text{ReLU}(1.0 \cdot 0.3 + 0.1) = 0.4$$

$$y_1 = x_1 w_1 + b_1 = (0.4)(-0.2) + (-0.3) = -0.38$$

$$z = \text{ReLU}(y_1 + x_0) = \text{ReLU}(-0.38 + 1.0) = 0.62$$

$$\frac{\partial z}{\partial w_0} = \text{ReLU}'(y_1 + x_0) \cdot w_1 \cdot \text{ReLU}'(x_0 w_0 + b_0) \cdot x_0 = (1)(0.2)(1)(1) = 0.2$$
`;

/** The largest file opened (a solution is text: a few kilobytes, a long one a megabyte). */
const MAX_FILE = 5 * 2 ** 20;
/** Text longer than this is checked whole but not put in the box (a browser lays out a megabyte textarea for seconds): the box shows its start. */
const BIG = 200_000, PREVIEW = 20_000;
const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

export function mount(el: HTMLElement): void {
  el.innerHTML = `
    <h2>Check a written solution</h2>
    <p class="muted">Paste or drop a worked solution, as you would hand it in: Markdown with <code>$…$</code> and <code>$$…$$</code> math, a LaTeX file or plain text.
    Every step of every chain of equalities is evaluated (derivatives by the library's autograd); each line is marked ✓ or ✗ with the reason, the first wrong step of each chain is called out, and lines that could not be read are listed.</p>
    <form class="grid2 check-io" novalidate>
      <div class="check-editor">
        <label for="check-solution">Your solution</label>
        <textarea id="check-solution" rows="16" spellcheck="false" aria-describedby="check-drop-hint"></textarea>
        <p id="check-big" class="check-big" hidden><span></span> <button type="button" id="check-big-close">Close it</button></p>
        <p id="check-drop-hint" class="muted check-hint">Drop a .md, .tex or .txt file on the box, or open one. Ctrl+Enter checks.</p>
        <div class="row">
          <label class="check-file">Open a file <input id="check-file" type="file" accept=".md,.markdown,.txt,.tex,text/plain,text/markdown"></label>
          <label for="check-format">Read as</label>
          <select id="check-format"><option value="md">Markdown with LaTeX</option><option value="tex">LaTeX</option><option value="txt">Plain text</option></select>
        </div>
        <div class="row"><label for="check-set">Values the text does not give</label><input id="check-set" placeholder="x0=1, w0=0.3" autocomplete="off"></div>
        <div class="row">
          <label for="check-tol">Relative tolerance</label><input id="check-tol" inputmode="decimal" placeholder="from the digits written" size="14" autocomplete="off">
          <label for="check-limit">Time limit (s)</label><input id="check-limit" type="number" min="0.1" max="600" step="0.1" value="20" size="5">
        </div>
        <div class="row">
          <button id="check-run" class="primary" type="submit">Check</button>
          <button id="check-cancel" type="button" disabled>Cancel</button>
          <span id="check-status" class="muted" role="status" aria-live="polite"></span>
        </div>
      </div>
      <div id="check-summary" aria-live="polite"></div>
    </form>
    <h3>Your solution, line by line</h3>
    <div id="check-report" class="check-doc"></div>`;
  const $ = <T extends HTMLElement>(id: string) => el.querySelector<T>(`#${id}`)!;
  const ta = $<HTMLTextAreaElement>("check-solution"), file = $<HTMLInputElement>("check-file"), format = $<HTMLSelectElement>("check-format");
  const set = $<HTMLInputElement>("check-set"), tol = $<HTMLInputElement>("check-tol"), limit = $<HTMLInputElement>("check-limit");
  const runBtn = $<HTMLButtonElement>("check-run"), cancelBtn = $<HTMLButtonElement>("check-cancel"), status = $("check-status");
  const summaryEl = $("check-summary"), report = $("check-report");
  ta.value = EXAMPLE;
  const bigNote = $("check-big");
  /** A solution too long for the box: checked from here, the box shows its start, read-only. */
  let big: { name: string; text: string } | null = null;
  const setBig = (b: typeof big) => {
    big = b;
    ta.readOnly = b !== null;
    bigNote.hidden = b === null;
    if (b) {
      ta.value = b.text.slice(0, PREVIEW);
      bigNote.querySelector("span")!.textContent = `${b.name}: ${b.text.length.toLocaleString("en-US")} characters, checked whole; the box shows the first ${PREVIEW.toLocaleString("en-US")}, read-only.`;
    }
  };
  const text = () => big?.text ?? ta.value;

  let job: Job<CheckResult> | null = null, seq = 0, timer: ReturnType<typeof setTimeout> | undefined;
  const clearErrors = () => { for (const i of [ta, set, tol, limit, file]) inlineError(i, null); };

  async function run(): Promise<void> {
    clearTimeout(timer);
    job?.cancel();
    clearErrors();
    const seconds = Number(limit.value);
    if (!(seconds > 0 && seconds <= 600)) { inlineError(limit, new RangeError(`the time limit must be a number of seconds in (0, 600], found "${limit.value}"`)); return; }
    const my = ++seq, started = performance.now();
    const args: CheckArgs = { text: text(), format: format.value as Kind, set: set.value, tol: tol.value };
    status.textContent = `Checking ${args.text.length.toLocaleString("en-US")} characters…`;
    el.setAttribute("aria-busy", "true");
    cancelBtn.disabled = false;
    job = compute<CheckResult>("check:solution", args, { timeoutMs: seconds * 1000 });
    try {
      const r = await job.promise;
      if (my !== seq) return;
      status.textContent = `Checked in ${((performance.now() - started) / 1000).toFixed(2)} s`;
      show(r);
    } catch (e) {
      if (my !== seq) return;
      status.textContent = "";
      // A job past its time limit, or cancelled, is said next to the solution; the page goes on.
      inlineError(ta, e);
      summaryEl.replaceChildren();
      report.replaceChildren();
    } finally {
      if (my === seq) { el.removeAttribute("aria-busy"); cancelBtn.disabled = true; job = null; }
    }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(() => void run(), 700); };

  function show(r: CheckResult): void {
    summaryEl.replaceChildren();
    report.replaceChildren();
    if (r.error) {
      inlineError({ solution: ta, set, tol }[r.error.field], Object.assign(new Error(r.error.message), { name: r.error.name }));
      return;
    }
    if (r.noEquations) inlineError(ta, new Error("found no equations to check: write the steps as chains of equalities, such as $$y = 2 \\cdot 3 = 6$$, with the values given (Let $x = 2$) or in the box of values"));
    summaryEl.append(h("p", { class: `check-counts ${r.ok ? "ok" : "bad"}`, id: "check-counts" }, (r.ok && r.right > 0 ? "✓ " : r.ok ? "" : "✗ ") + r.counts));
    if (r.firstWrong.length > 0) {
      const box = h("div", { class: "check-callout", id: "check-first" });
      const [first, ...rest] = r.firstWrong;
      box.append(h("strong", {}, `First wrong step: line ${first!.line}`), h("p", { class: "check-math" }, first!.text), ...first!.why.map((w) => h("p", {}, w)));
      if (rest.length) {
        const ul = h("ul");
        for (const v of rest) ul.append(h("li", {}, `line ${v.line}: ${v.why.join("; ")}`));
        box.append(h("p", {}, `The first wrong step of ${rest.length === 1 ? "another chain" : `${rest.length} other chains`}:`), ul);
      }
      summaryEl.append(box);
    }
    if (r.unread.length > 0) {
      const ul = h("ul", { id: "check-unread" });
      for (const u of r.unread) {
        const li = h("li", { "data-line": String(u.line) });
        li.append(`line ${u.line}: `, ...(u.text ? [h("code", {}, u.text), ": "] : []), u.reason);
        ul.append(li);
      }
      summaryEl.append(h("h3", {}, `Lines not read (${r.unreadCount.toLocaleString("en-US")})`), ul);
    }
    const frag = document.createDocumentFragment();
    for (const b of r.blocks) {
      const row = h("div", { class: "check-block", id: `check-line-${b.from}`, "data-from": String(b.from), "data-to": String(b.to) });
      const src = h("div", { class: "check-src" });
      src.innerHTML = b.html; // escaped text and KaTeX's output only (render.ts)
      const ul = h("ul", { class: "check-verdicts", "aria-label": `lines ${b.from}–${b.to}` });
      for (const v of b.verdicts) ul.append(verdictItem(v));
      if (b.verdicts.some((v) => v.mark === "first" || v.mark === "carried")) row.classList.add("check-wrong");
      row.append(src, ul);
      frag.append(row);
    }
    if (r.hidden > 0) frag.append(h("p", { class: "muted" }, `… and ${r.hidden.toLocaleString("en-US")} more blocks whose lines are all right or hold no math, not drawn.`));
    report.append(frag);
  }

  function verdictItem(v: Verdict): HTMLLIElement {
    const li = h("li", { "data-line": String(v.line), "data-mark": v.mark, class: `check-${v.mark}` });
    li.append(h("span", { class: "check-lineno" }, `line ${v.line}`), " ", h("span", { class: "check-mark" }, v.label));
    if (v.mark !== "ok") li.append(h("span", { class: "check-math" }, v.text));
    for (const w of v.why) li.append(h("span", { class: "check-why" }, w));
    return li;
  }

  async function openFile(f: File): Promise<void> {
    inlineError(file, null);
    if (f.size > MAX_FILE) { inlineError(file, new RangeError(`${f.name} is ${(f.size / 2 ** 20).toFixed(1)} MB; a solution file may be at most ${MAX_FILE / 2 ** 20} MB`)); return; }
    const ext = f.name.match(/\.(md|markdown|tex|txt)$/i)?.[1]?.toLowerCase();
    format.value = ext === "tex" ? "tex" : ext === "txt" ? "txt" : "md";
    let t: string;
    try { t = await f.text(); } catch (e) { inlineError(file, new Error(`cannot read ${f.name}: ${errorText(e)}`)); return; }
    setBig(null);
    if (t.length > BIG) setBig({ name: f.name, text: t });
    else ta.value = t;
    void run();
  }

  el.querySelector("form")!.addEventListener("submit", (e) => { e.preventDefault(); void run(); });
  cancelBtn.addEventListener("click", () => { clearTimeout(timer); job?.cancel(); });
  ta.addEventListener("input", later);
  ta.addEventListener("paste", (e) => {
    const pasted = e.clipboardData?.getData("text/plain") ?? "";
    if (big || pasted.length + ta.value.length <= BIG) return;
    e.preventDefault();
    setBig({ name: "pasted text", text: ta.value.slice(0, ta.selectionStart) + pasted + ta.value.slice(ta.selectionEnd) });
    void run();
  });
  $("check-big-close").addEventListener("click", () => { setBig(null); ta.focus(); void run(); });
  ta.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void run(); } });
  for (const i of [set, tol]) i.addEventListener("input", later);
  format.addEventListener("change", () => void run());
  file.addEventListener("change", () => { const f = file.files?.[0]; if (f) void openFile(f); });
  ta.addEventListener("dragover", (e) => { e.preventDefault(); ta.classList.add("check-drop"); });
  ta.addEventListener("dragleave", () => ta.classList.remove("check-drop"));
  ta.addEventListener("drop", (e) => {
    e.preventDefault();
    ta.classList.remove("check-drop");
    const f = e.dataTransfer?.files?.[0];
    if (f) void openFile(f);
  });
  void run();
}
