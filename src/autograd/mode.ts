import { ValueError } from "../errors.js";
import { describeValue } from "../tensor/format.js";

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
