import { AnomalyError, ValueError } from "../errors.js";
import { describeValue } from "../tensor/format.js";
import type { Tensor } from "../tensor/tensor.js";

let gradEnabled = true;
let anomaly = false;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

function withGrad<T>(enabled: boolean, fn: () => T, op: string): T {
  if (typeof fn !== "function") throw new ValueError(`${op}: expected a function to run, found ${describeValue(fn)}`);
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording the graph (for evaluation and parameter updates).
 * @example const y = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  return withGrad(false, fn, "noGrad");
}

/** Runs `fn` with graph recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGrad(true, fn, "enableGrad");
}

/**
 * Turns anomaly detection on or off: when on, the first op whose forward or backward produces NaN
 * or Inf from finite inputs throws an `AnomalyError` naming it.
 */
export function detectAnomaly(on = true): void {
  if (on !== true && on !== false) throw new ValueError(`detectAnomaly: expected true or false, found ${describeValue(on)}`);
  anomaly = on;
}

export function isAnomalyEnabled(): boolean {
  return anomaly;
}

let inBackwardOf: string | null = null;

/** @internal the op whose gradient rule is running (for anomaly messages). */
export function currentBackwardOp(): string | null {
  return inBackwardOf;
}

/** @internal */
export function setBackwardOp(op: string | null): void {
  inBackwardOf = op;
}

export function hasNonFinite(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return true;
  return false;
}

/** Under anomaly mode: an AnomalyError when `out` holds a NaN or ±∞ that its finite inputs do not explain. */
export function checkAnomaly(op: string, phase: "forward" | "backward", inputs: readonly Tensor[], out: Tensor, inner?: string): void {
  if (out.dtype === "int32" || !hasNonFinite(out)) return;
  if (inputs.some(hasNonFinite)) return;
  const d = out.data;
  let i = 0;
  while (Number.isFinite(d[i])) i++;
  throw new AnomalyError(
    `${op}: ${phase} produced ${d[i]} at flat index ${i} of an output of shape [${out.shape.join(", ")}] from finite inputs${inner ? ` (in its ${inner})` : ""}`,
  );
}
