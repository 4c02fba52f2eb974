// The backprop explorer: a program (the program language or LaTeX) and its values, worked out in the
// computing worker with the library's explainProgram (as `chainrule explain`), its graph drawn with the
// forward values, the backward pass one variable at a time (upstream × local = value), the chain-rule
// paths of a chosen gradient, and a person's answers checked (as `chainrule explain --check`).
import "./explorer.css";
import type { ProgramDerivation } from "chainrule";
import { compute, type Job } from "../shared/compute.js";
import { errorText, inlineError } from "../shared/errors.js";
import { hashParams, setHashParams } from "../shared/url.js";
import { drawGraph } from "./graph.js";
import type { ExplainArgs, ExplainResult, Field, Notation } from "./handlers.js";
import { math, rich } from "./tex.js";
import { MAX_DRAWN, valueText } from "./text.js";

export const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
export const P1_VALUES = "x0=1, w0=0.3, w1=-0.2, b0=0.1, b1=-0.3";

type Done = Extract<ExplainResult, { ok: true }>;
type Step = ProgramDerivation["backward"][number];

const TEMPLATE = `
<h2>Backprop explorer</h2>
<p class="muted">Type assignments (the program language, <code>x1 = relu(x0*w0 + b0)</code>, or LaTeX, <code>x_1 = \\operatorname{ReLU}(x_0 w_0 + b_0) \\\\</code>) and the inputs' values; step through the backward pass, or check your own answers.</p>
<div class="grid2 explorer-top">
  <form class="explorer-inputs" id="explorer-form">
    <label for="explorer-program">Program</label>
    <textarea id="explorer-program" rows="5" spellcheck="false" autocapitalize="off"></textarea>
    <p class="muted explorer-read" id="explorer-read" hidden></p>
    <div class="row">
      <label for="explorer-notation">Notation</label>
      <select id="explorer-notation">
        <option value="auto">automatic</option><option value="program">program language</option><option value="latex">LaTeX</option>
      </select>
    </div>
    <label for="explorer-values">Values</label>
    <input id="explorer-values" type="text" spellcheck="false" autocapitalize="off" placeholder="x0=1, w0=0.3">
    <div class="row explorer-buttons">
      <button type="submit" class="primary">Forward</button>
      <button type="button" data-act="step">Step backward</button>
      <button type="button" data-act="all">Run all</button>
      <button type="button" data-act="reset">Reset</button>
      <button type="button" data-act="cancel" hidden>Cancel</button>
    </div>
    <p id="explorer-status" class="muted" role="status" aria-live="polite"></p>
  </form>
  <div class="explorer-side">
    <div class="row">
      <label for="explorer-paths">Highlight paths of</label>
      <select id="explorer-paths"><option value="">(none)</option></select>
    </div>
    <ul id="explorer-paths-list" class="explorer-paths-list"></ul>
    <div id="explorer-step" class="explorer-step" aria-live="polite" aria-label="The current step"></div>
  </div>
</div>
<div id="explorer-warnings" class="explorer-warnings" role="note" hidden></div>
<div class="explorer-graph-box" tabindex="0" aria-label="The computation graph (scrolls)">
  <svg id="explorer-graph" role="img" aria-label="The computation graph"></svg>
</div>
<ul id="explorer-summary" class="explorer-summary" hidden></ul>
<p id="explorer-notes" class="muted explorer-notes"></p>
<section class="explorer-check" aria-labelledby="explorer-check-title">
  <h3 id="explorer-check-title">Check my answers</h3>
  <form id="explorer-check-form">
    <label for="explorer-claims">Your answers, one a line or comma-separated (<code>y1 = -0.08</code>, <code>dz/dw1 = -0.2</code>)</label>
    <textarea id="explorer-claims" rows="4" spellcheck="false" autocapitalize="off"></textarea>
    <div class="row"><button type="submit">Check my answers</button></div>
  </form>
  <p id="explorer-check-tally" role="status" aria-live="polite"></p>
  <ul id="explorer-checks" class="explorer-checks"></ul>
</section>`;

export function mount(root: HTMLElement): void {
  root.innerHTML = TEMPLATE;
  const $ = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const program = $<HTMLTextAreaElement>("#explorer-program");
  const notation = $<HTMLSelectElement>("#explorer-notation");
  const values = $<HTMLInputElement>("#explorer-values");
  const claims = $<HTMLTextAreaElement>("#explorer-claims");
  const pathsSel = $<HTMLSelectElement>("#explorer-paths");
  const svg = $<SVGSVGElement>("#explorer-graph");
  const status = $<HTMLElement>("#explorer-status");
  const stepBox = $<HTMLElement>("#explorer-step");
  const cancelBtn = $<HTMLButtonElement>('[data-act="cancel"]');
  const stepBtn = $<HTMLButtonElement>('[data-act="step"]');
  const fields: Record<Field, HTMLElement> = { program, values, claims };

  const params = hashParams();
  program.value = params.get("program") ?? P1;
  values.value = params.get("values") ?? (params.has("program") ? "" : P1_VALUES);
  claims.value = params.get("claims") ?? "";
  notation.value = ["auto", "program", "latex"].includes(params.get("notation") ?? "") ? params.get("notation")! : "auto";
  const limit = Number(params.get("timeout"));
  const timeoutMs = (Number.isFinite(limit) && limit >= 1 && limit <= 120 ? limit : 20) * 1000;
  let highlight = params.get("paths") ?? "";

  let current: (Done & { key: string; base: string }) | null = null;
  /** -1: nothing computed shown; 0: the forward pass; k: k steps of the backward pass. */
  let phase = -1;
  let inflight: { key: string; job: Job<ExplainResult>; promise: Promise<Done | null> } | null = null;

  // NOTE: a program too long for a link (a generated 10,000-line one) is not put in the address.
  const saveHash = () => setHashParams({
    program: program.value.length <= 50_000 ? program.value : undefined, values: values.value, claims: claims.value || undefined,
    notation: notation.value === "auto" ? undefined : notation.value, paths: highlight || undefined,
    timeout: params.get("timeout") ?? undefined,
  });
  const argsOf = (withClaims: boolean): ExplainArgs => ({
    program: program.value, notation: notation.value as Notation, values: values.value,
    ...(withClaims && claims.value.trim() !== "" ? { claims: claims.value } : {}),
  });

  /** Works the inputs out in the worker (or returns what was worked out for them); null when they have an error, said inline. */
  function run(args: ExplainArgs): Promise<Done | null> {
    const key = JSON.stringify(args);
    const base = baseOf(args);
    if (current && (current.key === key || (args.claims === undefined && current.base === base))) return Promise.resolve(current);
    if (inflight?.key === key) return inflight.promise;
    inflight?.job.cancel();
    const job = compute<ExplainResult>("explorer:explain", args, { timeoutMs });
    status.textContent = "Working it out…";
    cancelBtn.hidden = false;
    const promise = job.promise.then(
      (res) => {
        if (!res.ok) {
          const e = Object.assign(new Error(res.message), { name: res.name });
          inlineError(fields[res.field], e);
          for (const f of ["program", "values"] as const) if (f !== res.field && res.field !== "claims") inlineError(fields[f], null);
          status.textContent = `Not worked out: ${res.field === "claims" ? "your answers" : `the ${res.field}`} could not be read (see the note under it).`;
          return null;
        }
        for (const f of ["program", "values", ...(args.claims !== undefined ? ["claims" as const] : [])] as const) inlineError(fields[f], null);
        const fresh = current === null || current.base !== base;
        current = { ...res, key, base };
        if (fresh) phase = -1;
        status.textContent = `Worked out: ${res.nodeCount} variables.`;
        render();
        return current;
      },
      (e: unknown) => {
        const cancelled = e instanceof Error && e.name === "CancelledError";
        if (!cancelled) inlineError(program, e);
        status.textContent = cancelled ? "Cancelled: the previous result stays." : `${errorText(e)} (the previous result stays)`;
        return null;
      },
    ).finally(() => {
      if (inflight?.job === job) { inflight = null; cancelBtn.hidden = true; }
    });
    inflight = { key, job, promise };
    return promise;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const edited = () => {
    saveHash();
    clearTimeout(timer);
    timer = setTimeout(() => void run(argsOf(false)), 400);
  };
  program.addEventListener("input", edited);
  values.addEventListener("input", edited);
  notation.addEventListener("change", edited);
  claims.addEventListener("input", saveHash);
  program.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); void act("all"); }
  });

  async function act(what: "forward" | "step" | "all" | "reset"): Promise<void> {
    if (what === "reset") { phase = -1; render(); status.textContent = "Reset: the graph without numbers."; return; }
    clearTimeout(timer);
    const done = await run(argsOf(false));
    if (!done) return;
    const n = done.d.backward.length;
    if (what === "forward") phase = Math.max(phase, 0);
    else if (what === "all") phase = n;
    else phase = Math.min(n, Math.max(phase, 0) + 1);
    status.textContent = phase === 0 ? "Forward pass done." : phase >= n ? (n === 0 ? "No backward pass: the output is not a scalar." : "Backward pass done.") : `Backward pass: step ${phase} of ${n}.`;
    render();
  }

  $<HTMLFormElement>("#explorer-form").addEventListener("submit", (ev) => { ev.preventDefault(); void act("forward"); });
  for (const b of root.querySelectorAll<HTMLButtonElement>("button[data-act]")) {
    b.addEventListener("click", () => {
      const a = b.dataset.act!;
      if (a === "cancel") inflight?.job.cancel();
      else void act(a as "step" | "all" | "reset");
    });
  }
  pathsSel.addEventListener("change", () => { highlight = pathsSel.value; saveHash(); render(); });
  $<HTMLFormElement>("#explorer-check-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    saveHash();
    if (claims.value.trim() === "") { inlineError(claims, new Error("type your answers first, such as y1 = -0.08, dz/dw1 = -0.2")); return; }
    void run(argsOf(true)).then((done) => { if (done) renderChecks(done.d); });
  });

  function render(): void {
    if (!current) return;
    const { d, layout, read } = current;
    const readAs = $<HTMLElement>("#explorer-read");
    readAs.hidden = read === null;
    readAs.textContent = read === null ? "" : `Read as: ${read.replace(/\n/g, "; ")}`;
    // the gradients to highlight
    const keep = highlight;
    pathsSel.replaceChildren(new Option("(none)", ""), ...d.gradients.map((g) => new Option(g.symbol, g.wrt)));
    highlight = d.gradients.some((g) => g.wrt === keep) ? keep : "";
    pathsSel.value = highlight;
    const pathMap = new Map<string, number[]>();
    const list = $<HTMLElement>("#explorer-paths-list");
    list.replaceChildren();
    const grad = d.gradients.find((g) => g.wrt === highlight);
    if (grad) {
      if (grad.paths === null) list.append(li("muted", grad.pathsOmitted ?? "no paths to list"));
      grad.paths?.forEach((p, k) => {
        const add = (key: string) => pathMap.set(key, [...(pathMap.get(key) ?? []), k]);
        p.vars.forEach((v, j) => { add(v); if (j + 1 < p.vars.length) add(`${p.vars[j + 1]}→${v}`); });
        const item = li(`path-${k % 4}`, `${p.label}: `);
        const product = p.factors.filter((f) => !f.unit).map((f) => f.text).join(" · ") || "1";
        item.append(math(document.createElement("span"), `${product} = ${valueText(p.value)}`));
        list.append(item);
      });
      if (grad.totalPaths) list.append(li("muted", `${grad.totalPaths} paths in all; the shortest are listed.`));
      if (grad.paths && grad.paths.length > 1) list.append(li("", `sum: ${grad.symbol} = ${valueText(grad.value)}`));
    }
    // the backward steps done and the current one
    const steps = d.backward.slice(0, Math.max(phase, 0));
    const last = phase > 0 ? d.backward[phase - 1] : undefined;
    const stepEdges = new Set<string>(last ? [last.name, ...last.terms.map((t) => `${last.name}→${t.from}`)] : []);
    stepBtn.disabled = phase >= d.backward.length && phase >= 0;
    if (layout) {
      drawGraph(svg, d, layout, { values: phase >= 0, grads: new Set(steps.map((s) => s.name)), step: stepEdges, paths: pathMap });
      svg.setAttribute("aria-label", `The computation graph of ${d.of}: ${d.graph.nodes.length} variables`);
    } else {
      svg.replaceChildren();
      svg.setAttribute("width", "360");
      svg.setAttribute("height", "30");
      svg.setAttribute("viewBox", "0 0 360 30");
      const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
      t.setAttribute("x", "8");
      t.setAttribute("y", "20");
      t.textContent = `${current.nodeCount} variables: too many to draw (up to ${MAX_DRAWN}); see the list below.`;
      svg.append(t);
    }
    renderSummary(d, layout === null, steps);
    stepBox.replaceChildren();
    if (phase === 0) {
      stepBox.append(heading("Forward pass"));
      for (const f of d.forward.slice(0, 50)) stepBox.append(math(div(), [`${f.name} = ${f.expression}`, ...f.stages].join(" = "), true));
    } else if (phase > 0) {
      const shown = phase >= d.backward.length && d.backward.length > 1 ? d.backward.slice(0, 50) : [last!];
      stepBox.append(heading(shown.length > 1 ? "Backward pass, every step" : `Backward step ${phase} of ${d.backward.length}: ${last!.symbol}`));
      for (const s of shown) stepBox.append(...stepMath(s));
    }
    const warnings = $<HTMLElement>("#explorer-warnings");
    warnings.hidden = !d.warnings?.length;
    warnings.replaceChildren(...(d.warnings ?? []).map((w) => rich(document.createElement("p"), w)));
    const notes = $<HTMLElement>("#explorer-notes");
    notes.replaceChildren(...d.notes.filter((n) => !d.warnings?.includes(n)).map((n) => rich(document.createElement("span"), `${n}. `)));
  }

  function renderSummary(d: ProgramDerivation, show: boolean, steps: Step[]): void {
    const box = $<HTMLElement>("#explorer-summary");
    box.hidden = !show;
    if (!show) return;
    const out = d.forward.at(-1);
    box.replaceChildren(
      ...(phase >= 0 && out ? [li("", `${d.of} = ${valueText(d.graph.nodes.find((n) => n.name === d.of)?.value)}`)] : []),
      ...steps.filter((s) => d.wrt.includes(s.name)).slice(0, 50).map((s) => li("", `${s.symbol} = ${valueText(s.value)}`)),
    );
  }

  function renderChecks(d: ProgramDerivation): void {
    const checks = d.checks ?? [];
    $<HTMLElement>("#explorer-check-tally").textContent = `${checks.filter((c) => c.ok).length} of ${checks.length} right`;
    $<HTMLElement>("#explorer-checks").replaceChildren(...checks.map((c) => {
      const item = li(c.ok ? "ok" : "bad", `${c.ok ? "✓" : "✗"} ${c.claim}`);
      item.dataset.target = c.target;
      item.dataset.ok = String(c.ok);
      if (!c.ok) {
        const correct = document.createElement("span");
        correct.className = "correct";
        correct.textContent = ` — correct: ${c.target} = ${c.correct === null ? "not a number" : valueText(c.correct)}`;
        item.append(correct);
        if (c.firstWrongStep) { const p = rich(div(), c.firstWrongStep); p.className = "why"; item.append(p); }
      }
      return item;
    }));
  }

  saveHash();
  void run(argsOf(false)).then(() => {
    if (claims.value.trim() !== "") void run(argsOf(true)).then((done) => { if (done) renderChecks(done.d); });
  });
}

/** The lines of a backward step: upstream × local = value; with several uses, the sum of their terms. */
function stepMath(s: Step): HTMLElement[] {
  if (s.terms.length === 0) return [math(div(), `${s.symbol} = ${valueText(s.value)}`, true)];
  const group = (t: string) => (/[ +−-]/.test(topLevel(t.trim())) ? `(${t})` : t);
  const symbolic = s.terms.map((t) => `${t.upstream} × ${group(t.local)}`).join(" + ");
  const numbers = s.terms.map((t) => `${group(valueText(t.upstreamValue))} × ${group(t.localAtValues ?? t.local)}`).join(" + ");
  if (s.terms.length === 1) return [math(div(), `${s.symbol} = ${symbolic} = ${numbers} = ${valueText(s.value)}`, true)];
  return [
    math(div(), `${s.symbol} = ${symbolic}`, true),
    math(div(), `${s.symbol} = ${numbers} = ${s.terms.map((t) => group(valueText(t.value))).join(" + ")} = ${valueText(s.value)}`, true),
  ];
}

/** Text outside parentheses: `ReLU'(y1 + x0)` → `ReLU'`. */
function topLevel(t: string): string {
  for (let prev = ""; prev !== t;) [prev, t] = [t, t.replace(/\([^()]*\)/g, "")];
  return t;
}
const baseOf = (a: ExplainArgs) => JSON.stringify([a.program, a.notation, a.values]);
const div = () => document.createElement("div");
function li(cls: string, text: string): HTMLLIElement {
  const e = document.createElement("li");
  e.className = cls;
  e.textContent = text;
  return e;
}
function heading(text: string): HTMLElement {
  const h = document.createElement("h3");
  h.textContent = text;
  return h;
}
