import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue } from "../tensor/format.js";
import { fnArg, tensorList } from "../tensor/args.js";
import { Generator } from "../tensor/random.js";
import { gradients } from "./engine.js";
import { enableGrad } from "./mode.js";

export interface GradcheckOptions {
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Above this many Jacobian entries, check random directions instead of the full Jacobian (default 20000). */
  maxJacobian?: number;
  /** Random directions to check in that case (default 4). */
  directions?: number;
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  mode: "full" | "random";
  maxAbsError: number;
  maxRelError: number;
  /** The entry that is furthest from its tolerance: input number, flat index in it (−1 for a random direction) and output index. */
  worst: { input: number; index: number; output: number; analytic: number; numeric: number } | null;
}

function result(out: unknown): Tensor {
  if (out instanceof Tensor) return out;
  throw new ValueError(`gradcheck: the function must return a Tensor, found ${describeValue(out)}`);
}

/**
 * Compares the analytic gradients of `fn` with central differences in float64: the full Jacobian
 * when it is small (so a failure points at one entry), random directions ⟨J v, u⟩ vs ⟨v, Jᵀ u⟩
 * otherwise. Float inputs are copied to float64; int32 inputs are passed through unchanged.
 *
 * @example
 * const r = gradcheck((x) => x.tanh().sum(), [randn([3, 4])]);
 * r.ok; // true
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options?: GradcheckOptions): GradcheckResult {
  fnArg(fn, "gradcheck", "a function to check");
  tensorList(inputs, "gradcheck", "a list of input Tensors");
  const opts = checkOptions("gradcheck", options, ["eps", "atol", "rtol", "maxJacobian", "directions", "seed"]);
  for (const k of ["eps", "atol", "rtol"] as const)
    if (opts[k] !== undefined && !(typeof opts[k] === "number" && Number.isFinite(opts[k]) && (k === "eps" ? opts[k]! > 0 : opts[k]! >= 0)))
      throw new ValueError(`gradcheck: ${k} must be a finite number ${k === "eps" ? "> 0" : "≥ 0"}, found ${describeValue(opts[k])}`);
  for (const k of ["maxJacobian", "directions", "seed"] as const)
    if (opts[k] !== undefined && !(Number.isInteger(opts[k]) && opts[k]! >= 0))
      throw new ValueError(`gradcheck: ${k} must be a non-negative integer, found ${describeValue(opts[k])}`);
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const xs = inputs.map((t) => (t.dtype === "int32" ? t : new Tensor(Float64Array.from(t.data), t.shape, "float64").requiresGrad_()));
  const diff = xs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diff.length === 0) throw new ValueError(`gradcheck: no float input to differentiate`);
  const evalAt = () => {
    // NOTE: fresh leaves with grad on, so that fn may itself take gradients (checks of second derivatives).
    const out = result(enableGrad(() => fn(...xs.map((x) => (x.requiresGrad ? x.detach().requiresGrad_() : x)))));
    return Float64Array.from(out.data);
  };
  const out = result(enableGrad(() => fn(...xs)));
  if (out.dtype !== "float64") throw new ValueError(`gradcheck: the function returned ${out.dtype}; it must keep float64 inputs in float64`);
  const nOut = out.size;
  const nIn = diff.reduce((s, i) => s + xs[i].size, 0);
  const res: GradcheckResult = { ok: true, mode: "full", maxAbsError: 0, maxRelError: 0, worst: null };
  let worstRatio = -1;
  const record = (input: number, index: number, output: number, analytic: number, numeric: number) => {
    const err = Math.abs(analytic - numeric);
    const bad = !(err <= atol + rtol * Math.abs(numeric));
    if (bad) res.ok = false;
    res.maxAbsError = Math.max(res.maxAbsError, Number.isNaN(err) ? Infinity : err);
    res.maxRelError = Math.max(res.maxRelError, Number.isNaN(err) ? Infinity : err / Math.max(Math.abs(numeric), 1e-12));
    const ratio = Number.isNaN(err) ? Infinity : err / (atol + rtol * Math.abs(numeric));
    if (ratio > worstRatio) {
      worstRatio = ratio;
      res.worst = { input, index, output, analytic, numeric };
    }
  };
  if (nIn * nOut <= (opts.maxJacobian ?? 20000)) {
    const analytic = diff.map((i) => new Float64Array(xs[i].size * nOut));
    for (let o = 0; o < nOut; o++) {
      const u = new Float64Array(nOut);
      u[o] = 1;
      const gs = gradients(out, diff.map((i) => xs[i]), { gradOutput: new Tensor(u, out.shape, "float64"), retainGraph: true });
      gs.forEach((g, k) => { for (let j = 0; j < g.size; j++) analytic[k][j * nOut + o] = g.data[j]; });
    }
    diff.forEach((i, k) => {
      const d = xs[i].data;
      for (let j = 0; j < d.length; j++) {
        const x0 = d[j];
        d[j] = x0 + eps;
        const plus = evalAt();
        d[j] = x0 - eps;
        const minus = evalAt();
        d[j] = x0;
        for (let o = 0; o < nOut; o++) record(i, j, o, analytic[k][j * nOut + o], (plus[o] - minus[o]) / (2 * eps));
      }
    });
    return res;
  }
  res.mode = "random";
  const gen = new Generator(opts.seed ?? 0);
  for (let r = 0; r < (opts.directions ?? 4); r++) {
    const u = new Float64Array(nOut).map(() => gen.normal());
    const gs = gradients(out, diff.map((i) => xs[i]), { gradOutput: new Tensor(u, out.shape, "float64"), retainGraph: true });
    diff.forEach((i, k) => {
      const d = xs[i].data;
      const v = new Float64Array(d.length).map(() => gen.normal());
      let analytic = 0;
      for (let j = 0; j < d.length; j++) analytic += v[j] * gs[k].data[j];
      const x0 = Float64Array.from(d);
      const dot = (y: Float64Array) => y.reduce((s, yi, o) => s + yi * u[o], 0);
      for (let j = 0; j < d.length; j++) d[j] = x0[j] + eps * v[j];
      const plus = dot(evalAt());
      for (let j = 0; j < d.length; j++) d[j] = x0[j] - eps * v[j];
      const minus = dot(evalAt());
      d.set(x0);
      record(i, -1, -1, analytic, (plus - minus) / (2 * eps));
    });
  }
  return res;
}
