import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Generator } from "../tensor/random.js";
import type { RawDataset } from "./raw.js";

function check(fn: string, name: string, v: number, min: number, integer = true): void {
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new ValueError(`${fn}: expected ${name} to be ${integer ? "an integer" : "a number"} >= ${min}, found ${typeof v === "number" ? v : JSON.stringify(v)}`);
  }
}

export interface SpiralOptions { n?: number; classes?: number; noise?: number; seed?: number }
export interface MoonsOptions { n?: number; noise?: number; seed?: number }

/** `f(400)` means `f({ n: 400 })`, as scikit-learn's `make_moons(400)`; anything else must be one options object. */
function options<T extends { n?: number }>(fn: string, arg: number | T | undefined, count: number, allowed: readonly (keyof T & string)[]): T {
  if (count > 1) throw new ValueError(`${fn}: takes one argument, n or { ${allowed.join(", ")} }, found ${count} arguments`);
  return typeof arg === "number" ? ({ n: arg } as T) : checkOptions(fn, arg, allowed);
}

const linspace = (i: number, count: number) => (count > 1 ? i / (count - 1) : 0);

/**
 * The spiral of the CS231n notes: `classes` arms of `n` points each; point `i` of arm `j` has radius
 * `i / (n - 1)` and angle `4j + 4i / (n - 1) + noise * N(0, 1)`, at `(r sin t, r cos t)`.
 * Samples come arm after arm (labels 0, 0, ..., 1, 1, ...); the same seed gives the same data.
 *
 * `spiral(100)` is `spiral({ n: 100 })`.
 *
 * @example
 * const d = spiral({ n: 100, classes: 3 }); // d.n = 300, d.sampleShape = [2], d.classes = 3
 */
export function spiral(opts?: number | SpiralOptions): RawDataset {
  const { n = 100, classes = 3, noise = 0.2, seed = 0 } = options<SpiralOptions>("spiral", opts, arguments.length, ["n", "classes", "noise", "seed"]);
  check("spiral", "n", n, 1);
  check("spiral", "classes", classes, 1);
  check("spiral", "noise", noise, 0, false);
  const g = new Generator(seed);
  const total = n * classes;
  const x = new Float32Array(total * 2);
  const y = new Int32Array(total);
  for (let j = 0, k = 0; j < classes; j++) {
    for (let i = 0; i < n; i++, k++) {
      const r = linspace(i, n);
      const t = 4 * (j + r) + noise * g.normal();
      x[2 * k] = r * Math.sin(t);
      x[2 * k + 1] = r * Math.cos(t);
      y[k] = j;
    }
  }
  return { x, y, n: total, sampleShape: [2], classes, featureNames: ["x", "y"] };
}

/**
 * Two interleaving half circles, like scikit-learn's `make_moons`: `floor(n / 2)` points on the
 * upper moon `(cos a, sin a)` with label 0, the rest on the lower moon `(1 - cos a, 0.5 - sin a)`
 * with label 1, `a` evenly spaced in `[0, pi]`, plus `noise * N(0, 1)` on each coordinate.
 * Samples are not shuffled (label 0 first); the same seed gives the same data.
 *
 * `moons(400)` is `moons({ n: 400 })` (scikit-learn's `make_moons(n_samples)`).
 *
 * @example
 * const d = moons({ n: 200, noise: 0.1 }); // d.n = 200, d.sampleShape = [2], d.classes = 2
 */
export function moons(opts?: number | MoonsOptions): RawDataset {
  const { n = 200, noise = 0.1, seed = 0 } = options<MoonsOptions>("moons", opts, arguments.length, ["n", "noise", "seed"]);
  check("moons", "n", n, 2);
  check("moons", "noise", noise, 0, false);
  const g = new Generator(seed);
  const outer = Math.floor(n / 2);
  const inner = n - outer;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const isInner = k >= outer;
    const a = Math.PI * (isInner ? linspace(k - outer, inner) : linspace(k, outer));
    x[2 * k] = (isInner ? 1 - Math.cos(a) : Math.cos(a)) + noise * g.normal();
    x[2 * k + 1] = (isInner ? 0.5 - Math.sin(a) : Math.sin(a)) + noise * g.normal();
    y[k] = isInner ? 1 : 0;
  }
  return { x, y, n, sampleShape: [2], classes: 2, featureNames: ["x", "y"] };
}
