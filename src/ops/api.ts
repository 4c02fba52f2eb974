import type * as Functions from "./functions.js";

/**
 * The functional API as the gradient rules call it (`F.mul(g, b)`). NOTE: op files import this, not
 * functions.ts, which reaches them through the registry: functions.ts hands over its own module
 * namespace when it loads, before any rule can run, so the imports between files run one way.
 */
export let F: typeof Functions;

/** @internal called once by ops/functions.ts. */
export function provideFunctions(ns: typeof Functions): void {
  F = ns;
}
