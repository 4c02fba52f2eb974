import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Generator } from "../tensor/random.js";
import { ReLU } from "./layers/activation.js";
import { Sequential } from "./layers/container.js";
import { Linear } from "./layers/linear.js";

/** Parses an MLP spec "784-1024-512-10" into its layer widths; errors name the bad part. */
export function parseMlpSpec(spec: string): number[] {
  if (typeof spec !== "string") throw new ValueError(`model spec: expected a string of layer widths like "784-256-10", found ${JSON.stringify(spec) ?? typeof spec}`);
  const parts = spec.trim().split(/\s*-\s*/);
  const widths = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  const bad = parts.findIndex((p, i) => !(widths[i] > 0));
  if (parts.length < 2 || bad >= 0)
    throw new ValueError(
      `model spec "${spec}": expected layer widths separated by "-", like "784-256-10"` + (bad >= 0 ? `; "${parts[bad]}" is not a positive integer` : `; found only one width`),
    );
  return widths;
}

/** The default cap on a model's parameter count (2^28: 1 GiB of float32 weights); the `maxParameters` option of `mlp` and `buildModel` moves it. */
export const MAX_PARAMETERS = 2 ** 28;

/** The parameter count of the MLP of these widths: Σ (inᵢ + 1)·outᵢ. */
export const mlpParameters = (w: readonly number[]): number => w.slice(1).reduce((a, out, i) => a + (Number(w[i]) + 1) * Number(out), 0);

/** Refuses, before anything is allocated, a model of `count` parameters over `limit`. */
export function checkParameterCount(where: string, count: number, limit: unknown = MAX_PARAMETERS): void {
  if (typeof limit !== "number" || !(limit >= 0)) throw new ValueError(`${where}: maxParameters must be a number ≥ 0 (Infinity for no limit), found ${JSON.stringify(limit) ?? typeof limit}`);
  if (count > limit) throw new ValueError(`${where}: the model has ${count} parameters, over the limit of ${limit} (default 2^28 = ${MAX_PARAMETERS}; the maxParameters option raises it)`);
}

/**
 * The MLP of a spec: Linear layers with ReLU between them ("80-1024-512-1" is
 * Linear(80, 1024), ReLU, Linear(1024, 512), ReLU, Linear(512, 1)).
 */
export function mlp(spec: string | readonly number[], opts: { generator?: Generator; maxParameters?: number } = {}): Sequential {
  checkOptions("mlp", opts, ["generator", "maxParameters"]);
  if (typeof spec !== "string" && !(Array.isArray(spec) && spec.length >= 2))
    throw new ValueError(`mlp: expected a spec like "784-256-10" or at least two layer widths, found ${JSON.stringify(spec) ?? typeof spec}`);
  const w = typeof spec === "string" ? parseMlpSpec(spec) : [...spec];
  checkParameterCount("mlp", mlpParameters(w), opts.maxParameters);
  const model = new Sequential();
  for (let i = 0; i + 1 < w.length; i++) {
    model.append(new Linear(w[i], w[i + 1], { generator: opts.generator }));
    if (i + 2 < w.length) model.append(new ReLU());
  }
  return model;
}
