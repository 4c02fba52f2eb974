import { ValueError } from "../errors.js";
import type { Backend } from "./backend.js";
import { tsBackend } from "./ts/index.js";

export type { Backend, BinaryOp, ReduceOp, UnaryOp } from "./backend.js";

const BACKENDS: Readonly<Record<string, Backend>> = { ts: tsBackend };

/** Every kernel a Backend must have: the compiler keeps this list equal to the interface. */
const KERNELS = Object.keys({
  alloc: 0, unary: 0, binary: 0, where: 0, reduce: 0, matmul: 0, copy: 0, addInto: 0, gather: 0, scatterAdd: 0,
} satisfies Record<Exclude<keyof Backend, "name">, 0>) as Exclude<keyof Backend, "name">[];

let current: Backend = tsBackend;

/** The backend that ops run their kernels on (the TypeScript reference backend unless set). */
export function getBackend(): Backend {
  return current;
}

/**
 * Switches the backend: a registered name (`"ts"`, the reference backend) or a Backend object with
 * every kernel. To replace a few kernels, spread the reference: `setBackend({ ...getBackend(), name: "mine", matmul })`.
 */
export function setBackend(b: string | Backend): void {
  if (typeof b === "string") {
    if (!Object.hasOwn(BACKENDS, b))
      throw new ValueError(`setBackend: unknown backend ${JSON.stringify(b)}; available: ${Object.keys(BACKENDS).join(", ")}`);
    current = BACKENDS[b];
    return;
  }
  if (b === null || typeof b !== "object")
    throw new ValueError(`setBackend: expected a backend name (${Object.keys(BACKENDS).join(", ")}) or a Backend object, found ${b === null ? "null" : typeof b}`);
  const o = b as unknown as Record<string, unknown>;
  const missing: string[] = KERNELS.filter((k) => typeof o[k] !== "function");
  if (typeof o.name !== "string" || o.name === "") missing.unshift("name");
  if (missing.length) throw new ValueError(`setBackend: the backend lacks ${missing.join(", ")} (a Backend has a name and the kernels ${KERNELS.join(", ")})`);
  current = b;
}
