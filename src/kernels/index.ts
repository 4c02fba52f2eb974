import type { Backend } from "./backend.js";
import { tsBackend } from "./ts/index.js";

export type { Backend, BinaryOp, ReduceOp, UnaryOp } from "./backend.js";

let current: Backend = tsBackend;

/** The backend that ops run their kernels on (the TypeScript reference backend unless set). */
export function getBackend(): Backend {
  return current;
}

/** Switches the backend; kernels the new one lacks fall back to the TypeScript backend. */
export function setBackend(b: Partial<Backend> & { name: string }): void {
  current = { ...tsBackend, ...b } as Backend;
}
