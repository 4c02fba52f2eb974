// The train tab: settings, Start/Pause/Resume/Stop, live loss and accuracy charts, test accuracy,
// a drawing pad with the model's ten probabilities, misclassified test digits and "Download model".
// The training runs in its own worker (worker.ts); this thread only draws what it reports.
import "./train.css";
import { inlineError, showError } from "../shared/errors.js";
import { hashParams, setHashParams } from "../shared/url.js";
import { Charts } from "./charts.js";
import { DrawPad } from "./draw.js";
import type { FromWorker, Misclassified, ToWorker, TrainConfig } from "./protocol.js";

const HTML = `
<h2>Train a digit classifier</h2>
<p class="muted">The digits (8,004 to train on, 1,996 to test) load into a Web Worker that trains the model with chainrule,
so this page keeps answering. Draw a digit to see what the model thinks of it; download the model and
<code>npx chainrule eval model.safetensors</code> reads it.</p>
<form id="train-form" class="train-form" novalidate>
  <div class="field"><label for="train-model">Model</label>
    <select id="train-model"><option value="mlp">MLP</option><option value="cnn">CNN (2 conv + 2 linear)</option></select></div>
  <div class="field" id="train-spec-field"><label for="train-spec">MLP widths</label>
    <input id="train-spec" value="784-128-10" spellcheck="false" autocomplete="off" size="14"></div>
  <div class="field"><label for="train-optimizer">Optimizer</label>
    <select id="train-optimizer"><option value="sgd">SGD, momentum 0.9</option><option value="adam">Adam</option><option value="adamw">AdamW</option></select></div>
  <div class="field"><label for="train-lr">Learning rate</label><input id="train-lr" value="0.05" inputmode="decimal" size="7"></div>
  <div class="field"><label for="train-batch">Batch size</label><input id="train-batch" value="64" inputmode="numeric" size="5"></div>
  <div class="field"><label for="train-epochs">Epochs</label><input id="train-epochs" value="5" inputmode="numeric" size="4"></div>
  <div class="field buttons"><button type="submit" id="train-start" class="primary">Start training</button></div>
</form>
<div class="row train-controls">
  <button type="button" id="train-pause" disabled>Pause</button>
  <button type="button" id="train-resume" disabled>Resume</button>
  <button type="button" id="train-stop" disabled>Stop</button>
  <button type="button" id="train-download" disabled>Download model</button>
  <span id="train-download-note" class="muted" aria-live="polite"></span>
</div>
<p id="train-backend" class="muted">Backend: starting the worker…</p>
<p class="train-status" aria-live="polite"><span id="train-state">Not started.</span>
  Step <strong id="train-step">0</strong> · epoch <span id="train-epoch">–</span> · loss <span id="train-loss">–</span> ·
  train accuracy <span id="train-acc">–</span> · test accuracy <strong id="train-test-acc">–</strong>
  <span id="train-speed" class="muted"></span></p>
<div class="grid2">
  <figure class="chart"><figcaption>Training loss (mean over the epoch so far)</figcaption><div id="train-loss-chart"></div></figure>
  <figure class="chart"><figcaption>Accuracy: train (epoch so far) and test</figcaption><div id="train-acc-chart"></div></figure>
</div>
<div class="grid2">
  <div><h3>Draw a digit</h3>
    <div class="draw-row"><canvas id="train-draw" width="280" height="280" aria-label="Drawing pad: draw a digit with the mouse, a pen or a finger"></canvas>
      <div><p class="muted">What the model sees (28×28):</p><canvas id="train-seen" width="28" height="28" aria-label="The drawing as the model sees it, 28 by 28"></canvas>
        <p><button type="button" id="train-clear">Clear</button></p></div></div>
    <p id="train-draw-note" class="muted" aria-live="polite">Start training, then draw a digit.</p></div>
  <div><h3>Predicted probabilities</h3><ol id="train-probs" class="probs" aria-label="Probability of each digit"></ol></div>
</div>
<h3>Misclassified test digits <span id="train-wrong-count" class="muted"></span></h3>
<p class="muted">Each shows the true digit → the model's answer, from the latest test.</p>
<div id="train-wrong" class="wrong-grid" role="list"></div>`;

const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : "–");

export function mount(el: HTMLElement): void {
  el.innerHTML = HTML;
  const $ = <T extends HTMLElement>(id: string) => el.querySelector<T>(`#${id}`)!;
  const form = $<HTMLFormElement>("train-form"), model = $<HTMLSelectElement>("train-model"), spec = $<HTMLInputElement>("train-spec");
  const optimizer = $<HTMLSelectElement>("train-optimizer"), lr = $<HTMLInputElement>("train-lr"), batch = $<HTMLInputElement>("train-batch"), epochs = $<HTMLInputElement>("train-epochs");
  const start = $<HTMLButtonElement>("train-start"), pause = $<HTMLButtonElement>("train-pause"), resume = $<HTMLButtonElement>("train-resume");
  const stop = $<HTMLButtonElement>("train-stop"), download = $<HTMLButtonElement>("train-download");
  const text = (id: string, s: string) => void ($(id).textContent = s);
  const charts = new Charts($("train-loss-chart"), $("train-acc-chart"));
  const probs = $<HTMLOListElement>("train-probs");
  probs.innerHTML = Array.from({ length: 10 }, (_, d) =>
    `<li data-digit="${d}" data-prob="0"><span class="digit">${d}</span><span class="bar"><span class="fill"></span></span><span class="value">–</span></li>`).join("");

  // The settings live in the address (#train?model=mlp&spec=…), so a link reproduces a run's settings.
  const params = hashParams();
  const inputs: Record<string, HTMLInputElement | HTMLSelectElement> = { model, spec, optimizer, lr, batch, epochs };
  for (const [k, input] of Object.entries(inputs)) {
    const v = params.get(k);
    if (v !== null && (!(input instanceof HTMLSelectElement) || [...input.options].some((o) => o.value === v))) input.value = v;
    input.addEventListener("change", () => setHashParams(Object.fromEntries(Object.entries(inputs).map(([n, i]) => [n, i.value]))));
  }
  const specField = $("train-spec-field");
  const showSpec = () => void (specField.hidden = model.value !== "mlp");
  model.addEventListener("change", showSpec);
  showSpec();

  let worker: Worker | null = null, running = false, nextId = 1, hasModel = false;
  const waiting = new Map<number, (m: FromWorker) => void>();
  const setRunning = (r: boolean, isPaused = false) => {
    running = r;
    for (const i of [start, ...Object.values(inputs)]) i.disabled = r;
    pause.disabled = !r || isPaused;
    resume.disabled = !r || !isPaused;
    stop.disabled = !r;
    download.disabled = !hasModel;
  };
  const send = (m: ToWorker, transfer: Transferable[] = []) => worker?.postMessage(m, transfer);

  const onMessage = (m: FromWorker) => {
    if (m.type === "backend") {
      const b = $("train-backend");
      b.dataset.name = m.name;
      b.dataset.threads = String(m.threads);
      b.dataset.isolated = String(m.isolated);
      b.textContent = `Backend: ${m.name} (${m.detail}) in the training worker; ${m.threads} thread${m.threads === 1 ? "" : "s"} of ${m.cores} cores` +
        (m.isolated ? " (cross-origin isolated: the WASM kernels share memory with worker threads)" : " (not cross-origin isolated, so one thread: the server must send COOP/COEP for threads)");
    } else if (m.type === "started") {
      hasModel = true;
      setRunning(true);
      text("train-state", `Training a model of ${m.parameters.toLocaleString("en")} parameters on ${m.nTrain} digits.`);
      text("train-draw-note", "Draw a digit: the probabilities update when you lift the pen.");
    } else if (m.type === "progress") {
      text("train-step", String(m.step));
      text("train-epoch", `${m.epoch + 1}/${epochs.value} (${m.epochStep}/${m.steps})`);
      text("train-loss", m.loss.toFixed(4));
      text("train-acc", pct(m.accuracy));
      text("train-speed", `${Math.round(m.samplesPerSecond)} samples/s`);
      charts.progress(m.step, m.loss, m.accuracy);
    } else if (m.type === "test") {
      const t = $("train-test-acc");
      t.textContent = pct(m.accuracy);
      t.dataset.value = String(m.accuracy);
      t.title = `${Math.round(m.accuracy * m.n)} of ${m.n} test digits right, test loss ${m.loss.toFixed(4)}${m.epochEnd ? `, after epoch ${m.epoch + 1}` : ""}`;
      charts.test(m.step, m.accuracy);
      showWrong($("train-wrong"), m.wrong, m.n - Math.round(m.accuracy * m.n));
      text("train-wrong-count", `(${m.n - Math.round(m.accuracy * m.n)} of ${m.n}; the first ${m.wrong.length} shown)`);
    } else if (m.type === "paused" || m.type === "resumed") {
      if (!running) return;
      setRunning(true, m.type === "paused");
      text("train-state", m.type === "paused" ? `Paused at step ${m.step}.` : "Training.");
    } else if (m.type === "finished") {
      setRunning(false);
      text("train-state", m.stopped ? `Stopped at step ${m.step}.` : `Finished: ${m.step} steps.`);
    } else if (m.type === "prediction" || m.type === "checkpoint") {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    } else if (m.type === "error") {
      if (m.during === "start") { setRunning(false); text("train-state", "Not started: see the error."); }
      const input = m.field === "spec" ? spec : m.field === "lr" ? lr : null;
      const err = Object.assign(new Error(m.message), { name: m.name });
      if (input) inlineError(input, err);
      else if (m.during === "predict") text("train-draw-note", m.message);
      else showError(el, err);
    }
  };
  const newWorker = () => {
    worker?.terminate();
    worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (ev: MessageEvent<FromWorker>) => onMessage(ev.data);
    worker.onerror = (ev) => { ev.preventDefault(); setRunning(false); showError(el, new Error(`the training worker failed: ${ev.message || "it could not start"}`)); };
  };
  newWorker();

  const number = (input: HTMLInputElement, what: string, ok: (v: number) => boolean): number | null => {
    const v = Number(input.value);
    const good = input.value.trim() !== "" && Number.isFinite(v) && ok(v);
    inlineError(input, good ? null : new Error(`${what}, found "${input.value}"`));
    return good ? v : null;
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    inlineError(spec, null);
    const l = number(lr, "the learning rate must be a positive number, e.g. 0.05", (v) => v > 0);
    const b = number(batch, "the batch size must be a whole number from 1 to 8004", (v) => Number.isInteger(v) && v >= 1 && v <= 8004);
    const e = number(epochs, "the epochs must be a whole number from 1 to 100", (v) => Number.isInteger(v) && v >= 1 && v <= 100);
    if (l === null || b === null || e === null) return;
    const config: TrainConfig = {
      dataUrl: new URL("digits.bin", document.baseURI).href, model: model.value as TrainConfig["model"], spec: spec.value.trim(),
      optimizer: optimizer.value as TrainConfig["optimizer"], lr: l, batchSize: b, epochs: e, seed: 0, reportEvery: 5, testEverySeconds: 2,
    };
    if (hasModel) newWorker(); // a fresh worker per run: nothing of the last one lingers
    hasModel = false;
    charts.reset();
    for (const id of ["train-step"]) text(id, "0");
    text("train-test-acc", "–");
    delete $("train-test-acc").dataset.value;
    text("train-state", "Loading the digits…");
    start.disabled = true;
    send({ type: "start", config });
  });
  pause.addEventListener("click", () => { pause.disabled = true; send({ type: "pause" }); });
  resume.addEventListener("click", () => { resume.disabled = true; send({ type: "resume" }); });
  stop.addEventListener("click", () => { stop.disabled = true; send({ type: "stop" }); });

  const ask = (m: ToWorker & { id: number }, transfer: Transferable[] = []): Promise<FromWorker> =>
    new Promise((ok) => { waiting.set(m.id, ok); send(m, transfer); });
  download.addEventListener("click", async () => {
    const note = $("train-download-note");
    note.textContent = "Writing the checkpoint…";
    const r = await ask({ type: "checkpoint", id: nextId++ });
    if (r.type !== "checkpoint") return;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
    a.download = "chainrule-digits.safetensors";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    note.textContent = `Saved the model at step ${r.step} (${(r.bytes.length / 1e6).toFixed(2)} MB): npx chainrule eval ${a.download}`;
  });

  const seen = $<HTMLCanvasElement>("train-seen");
  paintDigit(seen, new Float32Array(784));
  const pad = new DrawPad($<HTMLCanvasElement>("train-draw"), async (pixels) => {
    paintDigit(seen, pixels);
    if (!hasModel) { text("train-draw-note", "Start training first: there is no model yet."); return; }
    const r = await ask({ type: "predict", id: nextId++, pixels }, [pixels.buffer]);
    if (r.type !== "prediction") return;
    showProbs(probs, r.probs);
    const best = r.probs.indexOf(Math.max(...r.probs));
    text("train-draw-note", `The model says ${best} (${pct(r.probs[best]!)}).`);
  });
  $("train-clear").addEventListener("click", () => { pad.clear(); paintDigit(seen, new Float32Array(784)); showProbs(probs, null); });
}

function showProbs(list: HTMLOListElement, p: number[] | null): void {
  list.querySelectorAll<HTMLLIElement>("li").forEach((li, d) => {
    const v = p?.[d] ?? 0;
    li.dataset.prob = String(v);
    li.querySelector<HTMLElement>(".fill")!.style.width = `${(v * 100).toFixed(1)}%`;
    li.querySelector(".value")!.textContent = p ? `${(v * 100).toFixed(1)}%` : "–";
    li.classList.toggle("best", p !== null && v === Math.max(...p));
    li.setAttribute("aria-label", p ? `${d}: ${(v * 100).toFixed(1)} percent` : `${d}`);
  });
}

/** Paints 784 values (0..1 floats or 0..255 bytes) as a white-on-black digit. */
function paintDigit(canvas: HTMLCanvasElement, px: Float32Array | Uint8Array): void {
  const ctx = canvas.getContext("2d")!, img = ctx.createImageData(28, 28), scale = px instanceof Uint8Array ? 1 : 255;
  for (let i = 0; i < 784; i++) {
    const v = Math.round(px[i]! * scale);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

function showWrong(grid: HTMLElement, wrong: Misclassified[], total: number): void {
  grid.replaceChildren(...wrong.map((w) => {
    const fig = document.createElement("figure");
    fig.setAttribute("role", "listitem");
    fig.className = "wrong";
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    c.setAttribute("aria-label", `test digit ${w.index}: a ${w.label}, read as ${w.pred}`);
    paintDigit(c, w.pixels);
    const cap = document.createElement("figcaption");
    cap.innerHTML = `<span class="ok">${w.label}</span> → <span class="bad">${w.pred}</span>`;
    fig.append(c, cap);
    return fig;
  }));
  grid.dataset.total = String(total);
}
