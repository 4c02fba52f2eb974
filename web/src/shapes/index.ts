// The "Shapes & parameters" tab: an MLP spec (or a JSON model, as `chainrule summary` takes it), a
// batch size and a layout give each layer's weight, bias and activation shapes, the parameter
// arithmetic (P2, P3) and the backward pass as matrix equations with shapes (P5), computed by the
// library's summary and explainModelSpec in the computing worker and rendered with KaTeX.
import "katex/dist/katex.min.css";
import "./shapes.css";
import { compute, type Job } from "../shared/compute.js";
import { inlineError } from "../shared/errors.js";
import { hashParams, setHashParams } from "../shared/url.js";
import type { Eq, ShapesArgs, ShapesResult } from "./handlers.js";

const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
/** A cell of the library's rendered math (KaTeX output and escaped text, made in the worker). */
const html = (tag: "td" | "li" | "p" | "div", s: string, attrs: Record<string, string> = {}) => { const e = h(tag, attrs); e.innerHTML = s; return e; };

export function mount(el: HTMLElement): void {
  el.innerHTML = `
    <h2>Shapes and parameters</h2>
    <p class="muted">Type an MLP as its layer widths (784-1024-512-10: Linear layers with ReLU between them) or a JSON model
    <code>{ "layers": [ … ] }</code> as <code>chainrule summary</code> reads it, a batch size and a layout: each layer's shapes,
    the parameter count with its arithmetic, and the backward pass as matrix equations with the shape of every term.</p>
    <form class="shapes-form" novalidate>
      <div class="row"><label for="shapes-spec">Model</label><input id="shapes-spec" value="80-1024-512-1" spellcheck="false" autocomplete="off"></div>
      <div class="row"><label for="shapes-batch">Batch size N</label><input id="shapes-batch" inputmode="numeric" value="32" size="8" autocomplete="off"></div>
      <div class="row"><label for="shapes-layout">Layout</label>
        <select id="shapes-layout"><option value="batch-first">batch-first: X is N×d, one example per row</option><option value="features-first">features-first: X is d×N, one example per column</option></select></div>
      <div class="row"><label for="shapes-loss">Loss</label>
        <select id="shapes-loss"><option value="cross-entropy">softmax cross-entropy</option><option value="mse">mean squared error</option></select></div>
      <div class="row"><label for="shapes-l2">L2 penalty λ</label><input id="shapes-l2" inputmode="decimal" placeholder="0" size="8" autocomplete="off"></div>
      <div class="row"><label for="shapes-input">Input shape</label><input id="shapes-input" placeholder="from the first layer (e.g. 1,28,28)" autocomplete="off"></div>
      <div class="row"><button type="submit" class="primary" id="shapes-run">Show</button><span id="shapes-status" class="muted" role="status" aria-live="polite"></span></div>
    </form>
    <div id="shapes-out" aria-live="polite"></div>`;
  const $ = <T extends HTMLElement>(id: string) => el.querySelector<T>(`#${id}`)!;
  const inputs = { spec: $<HTMLInputElement>("shapes-spec"), batch: $<HTMLInputElement>("shapes-batch"), layout: $<HTMLSelectElement>("shapes-layout"), loss: $<HTMLSelectElement>("shapes-loss"), l2: $<HTMLInputElement>("shapes-l2"), input: $<HTMLInputElement>("shapes-input") };
  const out = $("shapes-out"), status = $("shapes-status");
  const p = hashParams();
  for (const [k, i] of Object.entries(inputs)) {
    const v = p.get(k);
    if (v !== null && (!(i instanceof HTMLSelectElement) || [...i.options].some((o) => o.value === v))) i.value = v;
  }

  let job: Job<ShapesResult> | null = null, seq = 0, timer: ReturnType<typeof setTimeout> | undefined;
  async function run(): Promise<void> {
    clearTimeout(timer);
    job?.cancel();
    for (const i of Object.values(inputs)) inlineError(i, null);
    const args: ShapesArgs = { spec: inputs.spec.value, batch: inputs.batch.value, layout: inputs.layout.value as ShapesArgs["layout"], loss: inputs.loss.value as ShapesArgs["loss"], input: inputs.input.value, l2: inputs.l2.value };
    setHashParams({ spec: args.spec, batch: args.batch, layout: args.layout, loss: args.loss, l2: args.l2 || undefined, input: args.input || undefined });
    const my = ++seq;
    el.dataset.seq = String(my); // the run in progress, and below the run shown: the tests wait for their own
    status.textContent = "Working it out…";
    job = compute<ShapesResult>("shapes:compute", args, { timeoutMs: 30_000 });
    try {
      const r = await job.promise;
      if (my !== seq) return;
      status.textContent = "";
      out.dataset.done = String(my);
      if (r.error) {
        inlineError(inputs[r.error.field], Object.assign(new Error(r.error.message), { name: r.error.name }));
        out.replaceChildren();
        return;
      }
      show(r);
    } catch (e) {
      if (my !== seq) return;
      status.textContent = "";
      out.dataset.done = String(my);
      inlineError(inputs.spec, e);
      out.replaceChildren();
    }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(() => void run(), 500); };

  function table(caption: string, head: string[], rows: HTMLTableRowElement[], id: string): HTMLTableElement {
    const t = h("table", { id, class: "shapes-table" });
    t.append(h("caption", { class: "sr-only" }, caption));
    const tr = h("tr");
    for (const c of head) tr.append(h("th", { scope: "col" }, c));
    t.append(h("thead"), h("tbody"));
    t.tHead!.append(tr);
    t.tBodies[0]!.append(...rows);
    return t;
  }
  const eqRows = (eqs: Eq[], withNote: boolean) => eqs.map((e) => {
    const tr = h("tr", { "data-eq": e.text });
    tr.append(html("td", e.html, { class: "shapes-eq" }), h("td", { class: "shapes-shape" }, e.shape));
    if (withNote) tr.append(html("td", e.note, { class: "shapes-note" }));
    return tr;
  });

  function show(r: ShapesResult): void {
    const parts: HTMLElement[] = [];
    parts.push(h("p", { id: "shapes-total", class: "shapes-total" }, `Total parameters: ${r.totalParams.toLocaleString("en-US")}`));
    parts.push(h("p", { id: "shapes-arithmetic", class: "shapes-arith" }, r.arithmetic));
    parts.push(h("p", { class: "muted" }, `Input [${r.inputShape}] (${inputs.layout.value}); ${r.sizes ? `${r.sizes}; ` : ""}${r.bytes.toLocaleString("en-US")} bytes of float32 parameters (${(r.bytes / 2 ** 20).toFixed(2)} MiB).`));
    for (const w of r.warnings) parts.push(html("div", w, { class: "shapes-warning", role: "note" }));
    parts.push(h("h3", {}, "Layers (P2, P3)"));
    parts.push(table("Each layer's parameters and output", ["Layer", "Type", "Weight", "Bias", "Output (activation)", "Parameters"], r.rows.map((x) => {
      const tr = h("tr", { "data-layer": x.name });
      for (const c of [x.name, x.type, x.weight || "—", x.bias || "—", x.output, x.params > 0 ? x.arithmetic : "0"]) tr.append(h("td", {}, c));
      return tr;
    }), "shapes-layers"));
    if (r.forward.length) {
      parts.push(h("h3", {}, "Forward pass"), table("The forward pass with shapes", ["Equation", "Shape"], eqRows(r.forward, false), "shapes-forward"));
      parts.push(h("h3", {}, "Backward pass (P5)"), table("The backward pass with shapes and the rule each line comes from", ["Equation", "Shape", "From"], eqRows(r.backward, true), "shapes-backward"));
    }
    if (r.legend.length || r.notes.length) {
      const ul = h("ul", { class: "shapes-notes" });
      for (const s of [...r.legend, ...r.notes]) ul.append(html("li", s));
      parts.push(ul);
    }
    out.replaceChildren(...parts);
  }

  el.querySelector("form")!.addEventListener("submit", (e) => { e.preventDefault(); void run(); });
  for (const i of [inputs.spec, inputs.batch, inputs.input, inputs.l2]) i.addEventListener("input", later);
  for (const i of [inputs.layout, inputs.loss]) i.addEventListener("change", () => void run());
  void run();
}
