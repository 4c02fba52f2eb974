import type { Tensor } from "../tensor/tensor.js";
import type * as Functions from "./functions.js";
import type * as Unary from "./unary.js";

// NOTE: the unary primitives typed by name only, so a rule in ./unary.ts may call another (sin's calls cos)
// without its type depending on itself.
type UnaryFunctions = { readonly [K in keyof typeof Unary]: (x: Tensor) => Tensor };

/**
 * The functional API as the gradient rules call it (`F.mul(g, b)`). NOTE: op files import this, not
 * functions.ts, which reaches them through the registry: functions.ts hands over its own module
 * namespace when it loads, before any rule can run, so the imports between files run one way.
 */
export let F: Omit<typeof Functions, keyof typeof Unary> & UnaryFunctions;

/** @internal called once by ops/functions.ts. */
export function provideFunctions(ns: typeof Functions): void {
  F = ns;
}
