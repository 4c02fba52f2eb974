import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { tensor } from "../tensor/create.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { gather } from "./functions.js";

/**
 * `n` draws from each row of `probs` ([C] or [N, C]: nonnegative weights, not necessarily summing to
 * 1), as `torch.multinomial`: int32 indices [n] or [N, n], with replacement unless `replacement: false`.
 */
export function multinomial(probs: Tensor, n: number, opts: { replacement?: boolean; generator?: Generator } = {}): Tensor {
  const { replacement = true, generator = defaultGenerator } = checkOptions("multinomial", opts, ["replacement", "generator"]);
  if (!(probs instanceof Tensor)) throw new ValueError(`multinomial: expected a Tensor of probabilities, found ${typeof probs}`);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new ShapeError(`multinomial: expected probabilities [C] or [N, C], found ${fmtShape(probs.shape)}`);
  const c = probs.shape[probs.ndim - 1], rows = probs.ndim === 1 ? 1 : probs.shape[0];
  if (!Number.isInteger(n) || n < 1 || (!replacement && n > c)) throw new ValueError(`multinomial: expected a number of samples in 1..${replacement ? "∞" : c}, found ${n}`);
  const out = new Int32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const w = Array.from(probs.data.subarray(r * c, (r + 1) * c));
    if (w.some((v) => !(v >= 0) || v === Infinity)) throw new ValueError(`multinomial: row ${r} has a negative, infinite or NaN probability`);
    for (let s = 0; s < n; s++) {
      const total = w.reduce((a, b) => a + b, 0);
      if (!(total > 0)) throw new ValueError(`multinomial: row ${r} has no positive probability left to draw from`);
      let u = generator.uniform() * total, k = 0;
      while (k < c - 1 && (u -= w[k]) >= 0) k++;
      while (w[k] === 0) k--; // u fell past the last positive weight by rounding
      out[r * n + s] = k;
      if (!replacement) w[k] = 0;
    }
  }
  return tensor(out, { shape: probs.ndim === 1 ? [n] : [rows, n], dtype: "int32" });
}

/**
 * The `k` largest entries along the last axis, largest first, and their int32 indices, as
 * `torch.topk`; the values are a gather of x, so the gradient flows to the chosen entries.
 */
export function topK(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  if (!(x instanceof Tensor)) throw new ValueError(`topK: expected a Tensor, found ${typeof x}`);
  if (x.ndim === 0) throw new ShapeError(`topK: expected at least one axis, found a scalar`);
  const c = x.shape[x.ndim - 1];
  if (!Number.isInteger(k) || k < 0 || k > c) throw new ValueError(`topK: expected k in 0..${c} for ${fmtShape(x.shape)}, found ${k}`);
  const rows = x.size / Math.max(c, 1), idx = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: c }, (_, j) => j);
    // NaN first, as PyTorch treats NaN as the largest; ties keep the lower index
    const v = (j: number) => x.data[r * c + j];
    order.sort((a, b) => (Number.isNaN(v(a)) ? (Number.isNaN(v(b)) ? a - b : -1) : Number.isNaN(v(b)) ? 1 : v(b) - v(a) || a - b));
    for (let j = 0; j < k; j++) idx[r * k + j] = order[j];
  }
  const indices = tensor(idx, { shape: [...x.shape.slice(0, -1), k], dtype: "int32" });
  return { values: gather(x, -1, indices), indices };
}
