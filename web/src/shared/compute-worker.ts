// The computing worker: explain, check and shapes run here, so a huge program or solution never
// freezes the page, and a run that takes too long is cancelled by terminating this worker.
import { handlers as check } from "../check/handlers.js";
import { handlers as explorer } from "../explorer/handlers.js";
import { handlers as shapes } from "../shapes/handlers.js";
import { ready } from "chainrule";

const table: Record<string, (args: never) => unknown> = { ...explorer, ...check, ...shapes };
// The WASM kernels are fetched by URL: a job waits for them, so its numbers never depend on when they came.
const kernels = ready();

self.onmessage = async (ev: MessageEvent<{ id: number; kind: string; args: unknown }>) => {
  const { id, kind, args } = ev.data;
  try {
    await kernels;
    const fn = table[kind];
    if (!fn) throw new Error(`the page's worker has no job "${kind}" (it has: ${Object.keys(table).join(", ")})`);
    self.postMessage({ id, ok: true, value: await fn(args as never) });
  } catch (e) {
    const err = e instanceof Error ? { name: e.name, message: e.message } : { name: "Error", message: String(e) };
    self.postMessage({ id, ok: false, error: err });
  }
};
