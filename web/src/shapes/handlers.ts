// The shapes tab's jobs for the computing worker (shared/compute-worker.ts): name → function of
// structured-cloneable arguments returning a structured-cloneable result.
export const handlers: Record<string, (args: never) => unknown> = {};
