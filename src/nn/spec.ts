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

/**
 * The MLP of a spec: Linear layers with ReLU between them ("80-1024-512-1" is
 * Linear(80, 1024), ReLU, Linear(1024, 512), ReLU, Linear(512, 1)).
 */
export function mlp(spec: string | readonly number[], opts: { generator?: Generator } = {}): Sequential {
  checkOptions("mlp", opts, ["generator"]);
  if (typeof spec !== "string" && !(Array.isArray(spec) && spec.length >= 2))
    throw new ValueError(`mlp: expected a spec like "784-256-10" or at least two layer widths, found ${JSON.stringify(spec) ?? typeof spec}`);
  const w = typeof spec === "string" ? parseMlpSpec(spec) : [...spec];
  const model = new Sequential();
  for (let i = 0; i + 1 < w.length; i++) {
    model.append(new Linear(w[i], w[i + 1], { generator: opts.generator }));
    if (i + 2 < w.length) model.append(new ReLU());
  }
  return model;
}
