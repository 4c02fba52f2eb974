import { DTypeError, ShapeError, ValueError } from "../../errors.js";
import { add, reshape, tanh } from "../../ops/functions.js";
import { checkOptions } from "../../options.js";
import { arange } from "../../tensor/create.js";
import { defaultGenerator, type Generator } from "../../tensor/random.js";
import { describeValue } from "../../tensor/format.js";
import { fmtShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { linear } from "../functional.js";
import { Module } from "../module.js";
import { Embedding, TransformerBlock } from "./attention.js";
import { ModuleList } from "./container.js";
import { Linear } from "./linear.js";
import { BatchNorm1d, LayerNorm } from "./norm.js";

function tokens(name: string, idx: Tensor, block: number | null): void {
  if (!(idx instanceof Tensor) || idx.dtype !== "int32") throw new DTypeError(`${name}: expected int32 token indices, found ${idx instanceof Tensor ? idx.dtype : typeof idx}`);
  if (idx.ndim !== 2 || (block !== null && idx.shape[1] > block))
    throw new ShapeError(`${name}: expected tokens [N, T] with T ≤ ${block ?? "∞"}, found ${fmtShape(idx.shape)}`);
}

function positive(name: string, o: Record<string, number>): void {
  for (const [k, v] of Object.entries(o)) if (!Number.isInteger(v) || v < 1) throw new ValueError(`${name}: ${k} must be a positive integer, found ${v}`);
}

/** The bigram model: a [V, V] table of next-token logits, read by the last token of the context. `call(idx [N, T])` gives [N, V]. */
export class Bigram extends Module {
  declare table: Embedding;

  constructor(readonly vocabSize: number, opts: { generator?: Generator } = {}) {
    super();
    const { generator = defaultGenerator } = checkOptions("Bigram", opts, ["generator"]);
    positive("Bigram", { vocabSize });
    this.registerModule("table", new Embedding(vocabSize, vocabSize, { generator }));
  }

  forward(idx: Tensor): Tensor {
    tokens("Bigram", idx, null);
    return reshape(this.table.call(idx.slice(1, idx.shape[1] - 1)), [idx.shape[0], this.vocabSize]);
  }
}

/**
 * makemore's MLP over character embeddings (Bengio et al. 2003): the `block` context tokens embedded
 * in `embedDim`, concatenated, a tanh hidden layer (with BatchNorm1d before it when `batchNorm`),
 * and the next-token logits. `call(idx [N, block])` gives [N, V].
 */
export class CharMLP extends Module {
  declare emb: Embedding;
  declare fc: Linear;
  declare bn: BatchNorm1d | null;
  declare head: Linear;
  readonly block: number;

  constructor(readonly vocabSize: number, opts: { block?: number; embedDim?: number; hidden?: number; batchNorm?: boolean; generator?: Generator } = {}) {
    super();
    const { block = 3, embedDim = 10, hidden = 200, batchNorm = false, generator = defaultGenerator } =
      checkOptions("CharMLP", opts, ["block", "embedDim", "hidden", "batchNorm", "generator"]);
    positive("CharMLP", { vocabSize, block, embedDim, hidden });
    this.block = block;
    this.registerModule("emb", new Embedding(vocabSize, embedDim, { generator }));
    this.registerModule("fc", new Linear(block * embedDim, hidden, { bias: !batchNorm, generator }));
    if (batchNorm) this.registerModule("bn", new BatchNorm1d(hidden));
    else this.bn = null;
    this.registerModule("head", new Linear(hidden, vocabSize, { generator }));
  }

  forward(idx: Tensor): Tensor {
    tokens("CharMLP", idx, this.block);
    if (idx.shape[1] !== this.block) throw new ShapeError(`CharMLP: expected contexts of ${this.block} tokens, found ${fmtShape(idx.shape)}`);
    const h = this.fc.call(reshape(this.emb.call(idx), [idx.shape[0], -1]));
    return this.head.call(tanh(this.bn ? this.bn.call(h) : h));
  }
}

/**
 * A small GPT: token and position embeddings, `numLayers` pre-norm causal transformer blocks, a final
 * LayerNorm and the next-token logits at every position. `call(idx [N, T])`, T ≤ `block`, gives [N, T, V].
 * With `tieWeights` the head is the token embedding read backwards (logits = h·Wₑᵀ, no bias, as GPT-2):
 * one parameter, stored once, whose gradient sums both uses.
 */
export class GPT extends Module {
  declare tokEmb: Embedding;
  declare posEmb: Embedding;
  declare blocks: ModuleList;
  declare lnF: LayerNorm;
  declare head: Linear | null;
  readonly block: number;

  constructor(readonly vocabSize: number, opts: { block?: number; embedDim?: number; numHeads?: number; numLayers?: number; tieWeights?: boolean; generator?: Generator } = {}) {
    super();
    const { block = 16, embedDim = 64, numHeads = 4, numLayers = 4, tieWeights = false, generator = defaultGenerator } =
      checkOptions("GPT", opts, ["block", "embedDim", "numHeads", "numLayers", "tieWeights", "generator"]);
    if (typeof tieWeights !== "boolean") throw new ValueError(`GPT: tieWeights must be true or false, found ${describeValue(tieWeights)}`);
    positive("GPT", { vocabSize, block, embedDim, numHeads, numLayers });
    this.block = block;
    this.registerModule("tokEmb", new Embedding(vocabSize, embedDim, { generator }));
    this.registerModule("posEmb", new Embedding(block, embedDim, { generator }));
    this.registerModule("blocks", new ModuleList(Array.from({ length: numLayers }, () => new TransformerBlock(embedDim, numHeads, { causal: true, generator }))));
    this.registerModule("lnF", new LayerNorm(embedDim));
    if (tieWeights) this.head = null;
    else this.registerModule("head", new Linear(embedDim, vocabSize, { generator }));
  }

  forward(idx: Tensor): Tensor {
    tokens("GPT", idx, this.block);
    let x = add(this.tokEmb.call(idx), this.posEmb.call(arange(0, idx.shape[1], 1, { dtype: "int32" })));
    for (const b of this.blocks) x = b.call(x);
    const h = this.lnF.call(x);
    return this.head ? this.head.call(h) : linear(h, this.tokEmb.weight, null);
  }
}
