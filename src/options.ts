import { ValueError } from "./errors.js";

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The allowed name closest to `name` (within two edits), for "did you mean" hints. */
export function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const dd = distance(name, a);
    if (dd < bestD) [best, bestD] = [a, dd];
  }
  return best;
}

/**
 * Checks an options object: it must be a plain object (or undefined) whose keys are all in
 * `allowed`; a typo such as `{ momentun: 0.9 }` is a ValueError naming the option, the allowed
 * ones and the closest match. Returns the options (`{}` for undefined).
 * @example const o = checkOptions("SGD", opts, ["lr", "momentum", "dampening", "weightDecay", "nesterov"]);
 */
export function checkOptions<T extends object>(where: string, opts: T | undefined, allowed: readonly (keyof T & string)[]): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts))
    throw new ValueError(`${where}: expected an options object, found ${opts === null ? "null" : Array.isArray(opts) ? "an array" : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!(allowed as readonly string[]).includes(k)) {
      const near = closest(k, allowed);
      const list = allowed.length ? `expected one of ${allowed.join(", ")}` : "it takes no options";
      throw new ValueError(`${where}: unknown option "${k}"${near ? ` (did you mean "${near}"?)` : ""}; ${list}`);
    }
  }
  return opts;
}
