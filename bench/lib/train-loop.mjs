// The timed loop of the training-throughput suites, and the loss checks they share.

/**
 * Runs `step` (returns the step's loss, or a promise of it) at least `minSteps` times and until
 * `minMs` has passed; every step reads its loss back (so asynchronous libraries finish each step).
 * @returns {{ samplesPerSecond: number, losses: number[] }}
 */
export async function timedSteps(step, { batch, minMs, minSteps, now }) {
  const losses = [];
  const t0 = now();
  let el = 0;
  do {
    losses.push(await step());
    el = now() - t0;
  } while (losses.length < minSteps || el < minMs);
  return { samplesPerSecond: (losses.length * batch) / (el / 1000), losses };
}

/** Per library, every loss seen (warm-up included), in order. */
export class LossLog {
  constructor() {
    this.byLib = {};
  }
  add(lib, losses) {
    (this.byLib[lib] ??= []).push(...losses);
  }
  /** ctx.check for each library: every loss finite, the last below the first. */
  check(ctx, name) {
    for (const [lib, ls] of Object.entries(this.byLib)) {
      const first = ls[0], last = ls[ls.length - 1];
      const finite = ls.every(Number.isFinite);
      ctx.check(`${name}: ${lib} losses finite and decreasing (${first?.toFixed(4)} → ${last?.toFixed(4)} over ${ls.length} steps)`, finite && last < first, {
        lib,
        first,
        last,
        steps: ls.length,
        nonFinite: ls.filter((x) => !Number.isFinite(x)).length,
      });
    }
  }
}
