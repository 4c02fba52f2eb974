import { DTypeError, ShapeError, ValueError } from "../../errors.js";
import { add, gelu, indexSelect, matmul, matmulT, permute, reshape, softmax, where } from "../../ops/functions.js";
import { checkOptions } from "../../options.js";
import { tensor, zeros } from "../../tensor/create.js";
import { type DType } from "../../tensor/dtype.js";
import { defaultGenerator, type Generator } from "../../tensor/random.js";
import { fmtShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { dropout, linear } from "../functional.js";
import { type InitOptions, uniform } from "../init.js";
import { Module } from "../module.js";
import { LayerNorm } from "./norm.js";
import { Linear } from "./linear.js";

const causalMasks = new Map<string, Tensor>();

/** The [T, S] mask that keeps j ≤ i + (S − T) (the lower triangle when T = S), 1 where kept; cached per size. */
function causalMask(t: number, s: number): Tensor {
  const key = `${t},${s}`;
  let m = causalMasks.get(key);
  if (m === undefined) {
    const d = new Float32Array(t * s);
    for (let i = 0; i < t; i++) for (let j = 0; j <= Math.min(s - 1, i + s - t); j++) d[i * s + j] = 1;
    m = tensor(d, { shape: [t, s] });
    if (causalMasks.size < 64) causalMasks.set(key, m);
  }
  return m;
}

/** Options of `scaledDotProductAttention`, as PyTorch's `scaled_dot_product_attention`. */
export interface AttentionOptions {
  /** Each query attends only to keys at or before its position (a causal mask). */
  causal?: boolean;
  /** A mask broadcasting to [..., T, S]: nonzero (true) where a query may attend to a key, as PyTorch's boolean `attn_mask`. */
  mask?: Tensor | null;
  /** Dropout probability on the attention weights (applied only when `training`). */
  dropout?: number;
  training?: boolean;
  generator?: Generator;
  /** The scale of the scores (default 1/√d). */
  scale?: number;
}

/**
 * softmax(q·kᵀ·scale + mask)·v over q [..., T, d], k [..., S, d], v [..., S, dv], batched over the
 * leading axes (heads) without copies. Masked scores are −∞ before the softmax (stable: it subtracts
 * each row's maximum), so masked weights are exactly 0; a row with every key masked gives NaN, as PyTorch.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const { causal = false, mask = null, dropout: p = 0, training = true, generator = defaultGenerator, scale } =
    checkOptions("scaledDotProductAttention", opts, ["causal", "mask", "dropout", "training", "generator", "scale"]);
  for (const [name, t] of [["q", q], ["k", k], ["v", v]] as const) {
    if (!(t instanceof Tensor)) throw new ValueError(`scaledDotProductAttention: expected ${name} to be a Tensor, found ${typeof t}`);
    if (t.ndim < 2) throw new ShapeError(`scaledDotProductAttention: expected ${name} [..., L, d], found ${fmtShape(t.shape)}`);
  }
  const d = q.shape[q.ndim - 1];
  if (k.shape[k.ndim - 1] !== d) throw new ShapeError(`scaledDotProductAttention: q ${fmtShape(q.shape)} and k ${fmtShape(k.shape)} differ in the last axis`);
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) throw new ShapeError(`scaledDotProductAttention: k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)} have different numbers of keys`);
  // NOTE: q·kᵀ with the transpose folded into the kernel (batched over the leading axes in one call, no copy of k)
  let scores = matmulT(q, k, false, true).mul(scale ?? 1 / Math.sqrt(d));
  const t = q.shape[q.ndim - 2], s = k.shape[k.ndim - 2];
  if (causal) scores = where(causalMask(t, s), scores, -Infinity);
  if (mask !== null) {
    if (!(mask instanceof Tensor)) throw new ValueError(`scaledDotProductAttention: expected the mask to be a Tensor, found ${typeof mask}`);
    scores = where(mask, scores, -Infinity);
  }
  let w = softmax(scores, -1);
  if (p > 0) w = dropout(w, p, training, generator);
  return matmul(w, v);
}

/** The lower triangle of the last two axes (j ≤ i + diagonal), zero above, as `torch.tril`. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, true);
}

/** The upper triangle of the last two axes (j ≥ i + diagonal), zero below, as `torch.triu`. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, false);
}

function triangle(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const op = lower ? "tril" : "triu";
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor, found ${typeof x}`);
  if (x.ndim < 2) throw new ShapeError(`${op}: expected at least 2 axes, found ${fmtShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new ValueError(`${op}: expected an integer diagonal, found ${diagonal}`);
  const [r, c] = x.shape.slice(-2);
  const m = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m[i * c + j] = (lower ? j <= i + diagonal : j >= i + diagonal) ? 1 : 0;
  return where(tensor(m, { shape: [r, c] }), x, 0);
}

/** `value` where the mask is nonzero, x elsewhere, as `torch.Tensor.masked_fill`. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (typeof value !== "number") throw new ValueError(`maskedFill: expected a number value, found ${typeof value}`);
  return where(mask, value, x);
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (`weight` [num, dim], N(0, 1) as
 * PyTorch): `call(idx)` of int32 indices of any shape gives [...idx.shape, dim]; its gradient is a
 * scatter-add of the upstream rows into the used rows.
 */
export class Embedding extends Module {
  declare weight: Tensor;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: InitOptions = {}) {
    super();
    const { dtype = "float32", generator = defaultGenerator } = checkOptions("Embedding", opts, ["dtype", "generator"]);
    for (const [k, v] of [["numEmbeddings", numEmbeddings], ["embeddingDim", embeddingDim]] as const)
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`Embedding: ${k} must be a positive integer, found ${v}`);
    const w = zeros([numEmbeddings, embeddingDim], { dtype });
    for (let i = 0; i < w.size; i++) w.data[i] = generator.normal();
    this.registerParameter("weight", w);
  }

  forward(idx: Tensor): Tensor {
    if (!(idx instanceof Tensor)) throw new ValueError(`Embedding: expected int32 indices as a Tensor, found ${typeof idx}`);
    if (idx.dtype !== "int32") throw new DTypeError(`Embedding: expected int32 indices, found ${idx.dtype}`);
    for (let i = 0; i < idx.size; i++) {
      const v = idx.data[i];
      if (v < 0 || v >= this.numEmbeddings) throw new ValueError(`Embedding: index ${v} is out of range for ${this.numEmbeddings} embeddings`);
    }
    return reshape(indexSelect(this.weight, 0, reshape(idx, [idx.size])), [...idx.shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/**
 * Multi-head self- or cross-attention over batch-first inputs [B, T, E], with PyTorch's parameters
 * (`inProjWeight` [3E, E] and `inProjBias` [3E] for q, k, v; `outProj`, a Linear E → E) and
 * initialization (Xavier-uniform projections, zero biases). `call(q, k = q, v = k)` returns the
 * output [B, T, E] (PyTorch's `MultiheadAttention(..., batch_first=True)(q, k, v)[0]`).
 */
export class MultiheadAttention extends Module {
  declare inProjWeight: Tensor;
  declare inProjBias: Tensor;
  declare outProj: Linear;
  readonly headDim: number;
  readonly causal: boolean;
  readonly dropout: number;
  readonly generator: Generator;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: { causal?: boolean; dropout?: number; dtype?: DType; generator?: Generator } = {}) {
    super();
    const { causal = false, dropout: p = 0, dtype = "float32", generator = defaultGenerator } =
      checkOptions("MultiheadAttention", opts, ["causal", "dropout", "dtype", "generator"]);
    if (!Number.isInteger(embedDim) || embedDim < 1) throw new ValueError(`MultiheadAttention: embedDim must be a positive integer, found ${embedDim}`);
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0)
      throw new ValueError(`MultiheadAttention: numHeads must be a positive integer dividing embedDim ${embedDim}, found ${numHeads}`);
    if (!(p >= 0 && p < 1)) throw new ValueError(`MultiheadAttention: dropout must be in [0, 1), found ${p}`);
    this.headDim = embedDim / numHeads;
    this.causal = causal;
    this.dropout = p;
    this.generator = generator;
    this.registerParameter("inProjWeight", uniform([3 * embedDim, embedDim], Math.sqrt(6 / (4 * embedDim)), { dtype, generator }));
    this.registerParameter("inProjBias", zeros([3 * embedDim], { dtype }));
    this.registerModule("outProj", new Linear(embedDim, embedDim, { dtype, generator }));
    this.outProj.bias!.data.fill(0);
  }

  forward(q: Tensor, k: Tensor = q, v: Tensor = k): Tensor {
    const e = this.embedDim;
    for (const [name, t] of [["query", q], ["key", k], ["value", v]] as const)
      if (!(t instanceof Tensor) || t.ndim !== 3 || t.shape[2] !== e)
        throw new ShapeError(`MultiheadAttention: expected the ${name} [B, T, ${e}], found ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
    const w = this.inProjWeight, b = this.inProjBias;
    const proj = (x: Tensor, i: number): Tensor => {
      // x·W_iᵀ + b_i in one kernel call (transposed operand and bias folded in)
      const y = linear(x, w.slice(0, i * e, (i + 1) * e), b.slice(0, i * e, (i + 1) * e));
      // [B, L, E] → [B, H, L, d]
      return permute(reshape(y, [x.shape[0], x.shape[1], this.numHeads, this.headDim]), [0, 2, 1, 3]);
    };
    const o = scaledDotProductAttention(proj(q, 0), proj(k, 1), proj(v, 2), {
      causal: this.causal, dropout: this.dropout, training: this.training, generator: this.generator,
    });
    return this.outProj.call(reshape(permute(o, [0, 2, 1, 3]), [q.shape[0], q.shape[1], e]));
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, causal=${this.causal}`;
  }
}

/**
 * A pre-norm transformer block over [B, T, E]: x + attn(ln1(x)), then x + mlp(ln2(x)) with
 * mlp = Linear(E, 4E) → GELU → Linear(4E, E) (GPT-2's layout).
 */
export class TransformerBlock extends Module {
  declare ln1: LayerNorm;
  declare attn: MultiheadAttention;
  declare ln2: LayerNorm;
  declare fc: Linear;
  declare proj: Linear;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: { causal?: boolean; mlpRatio?: number; dropout?: number; dtype?: DType; generator?: Generator } = {}) {
    super();
    const { causal = true, mlpRatio = 4, dropout: p = 0, dtype = "float32", generator = defaultGenerator } =
      checkOptions("TransformerBlock", opts, ["causal", "mlpRatio", "dropout", "dtype", "generator"]);
    if (!Number.isInteger(mlpRatio * embedDim) || mlpRatio <= 0) throw new ValueError(`TransformerBlock: mlpRatio must be positive with an integer hidden size, found ${mlpRatio}`);
    this.registerModule("ln1", new LayerNorm(embedDim, { dtype }));
    this.registerModule("attn", new MultiheadAttention(embedDim, numHeads, { causal, dropout: p, dtype, generator }));
    this.registerModule("ln2", new LayerNorm(embedDim, { dtype }));
    this.registerModule("fc", new Linear(embedDim, mlpRatio * embedDim, { dtype, generator }));
    this.registerModule("proj", new Linear(mlpRatio * embedDim, embedDim, { dtype, generator }));
  }

  forward(x: Tensor): Tensor {
    const h = add(x, this.attn.call(this.ln1.call(x)));
    return add(h, this.proj.call(gelu(this.fc.call(this.ln2.call(h)))));
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}`;
  }
}
