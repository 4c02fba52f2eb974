import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { gradients } from "../autograd/engine.js";
import { binaryCrossEntropyWithLogits } from "../losses/bce.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { l2Penalty } from "../losses/penalty.js";
import { mse } from "../losses/regression.js";
import * as F from "../ops/functions.js";
import { arange, eye, randint, randn, tensor } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import type { NamedDerivation } from "./derivation.js";
import { formulaOf, ruleOf } from "./formulas.js";
import { tensorValue } from "./numbers.js";

/** The named derivations `chainrule explain --derive` knows. */
export const DERIVATIONS = ["softmax-cross-entropy", "softmax-jacobian", "sigmoid-bce", "mse", "l2", "minibatch-mean", "attention"] as const;
export type DerivationName = (typeof DERIVATIONS)[number];

/** Options of `deriveNamed`. */
export interface DeriveOptions {
  /** Seed of the random sample of the numerical check (default 0). */
  seed?: number;
  /** λ for `l2` (default 0.1). */
  l2?: number;
}

type Row = NamedDerivation["numeric"][number];
/** What each derivation sets; the rest is the same for all. */
type Body = Omit<NamedDerivation, "kind" | "name" | "seed" | "tolerance" | "notes">;

const leaf = (t: Tensor) => t.detach().requiresGrad_();
const grad = (out: Tensor, x: Tensor, retainGraph = false) => gradients(out, [x], { retainGraph })[0]!;

/** A row of the numerical check: the formula's value against autograd's. */
function row(label: string, formula: Tensor, autograd: Tensor): Row {
  return { label, formula: tensorValue(formula), autograd: tensorValue(autograd), maxAbsDiff: F.max(F.abs(F.sub(formula, autograd))).item() };
}

/** −Σ y ⊙ log softmax(h) from primitives only (exp, sum, div, log, mul), so autograd runs the primitives' rules. */
const naiveCrossEntropy = (h: Tensor, y: Tensor) => F.neg(F.sum(F.mul(y, F.log(F.div(F.exp(h), F.sum(F.exp(h), -1, true))))));

function softmaxCrossEntropy(g: Generator): Body {
  const C = 5, N = 4;
  const h = leaf(randn([C], { dtype: "float64", generator: g }));
  const label = randint(0, C, [1], { generator: g, dtype: "int32" });
  const y = F.oneHot(label.reshape([]), C, { dtype: "float64" });
  const P = F.softmax(h);
  const S = leaf(randn([N, C], { dtype: "float64", generator: g }));
  const labels = randint(0, C, [N], { generator: g, dtype: "int32" });
  const Y = F.oneHot(labels, C, { dtype: "float64" });
  return {
    title: "Softmax cross-entropy: $∂L/∂hᵢ = Pᵢ − yᵢ$ (P4)",
    steps: [
      { math: "Pᵢ = exp(hᵢ) / Σₖ exp(hₖ)", why: "the softmax of the logits $h$ ($C$ classes)" },
      { math: "L = −Σⱼ yⱼ log Pⱼ", why: "cross-entropy against a one-hot $y$, so $Σⱼ yⱼ = 1$" },
      { math: "log Pⱼ = hⱼ − log Σₖ exp(hₖ)", why: "the log of a quotient" },
      { math: "L = −Σⱼ yⱼ hⱼ + (Σⱼ yⱼ) log Σₖ exp(hₖ) = −Σⱼ yⱼ hⱼ + log Σₖ exp(hₖ)", why: "substitute, then use $Σⱼ yⱼ = 1$" },
      { math: "∂(−Σⱼ yⱼ hⱼ)/∂hᵢ = −yᵢ", why: "only the term $j = i$ depends on $hᵢ$" },
      { math: "∂(log Σₖ exp(hₖ))/∂hᵢ = exp(hᵢ) / Σₖ exp(hₖ) = Pᵢ", why: "the chain rule, $(log u)' = u'/u$ with $∂u/∂hᵢ = exp(hᵢ)$" },
      { math: "∂L/∂hᵢ = Pᵢ − yᵢ", why: "add the two parts; as a vector, $∂L/∂h = P − y$" },
      { math: "∂L/∂S = (P − Y)/N", why: "for the mean over a minibatch of $N$ rows, each row's gradient is divided by $N$ (P5)" },
      { math: `∂h = ${ruleOf("softmaxCrossEntropy", 0)}`, why: "the rule the library's fused loss declares: the same result, through log-sum-exp, never dividing by $P$" },
    ],
    sample: [{ name: "h", value: tensorValue(h) }, { name: "y", value: tensorValue(y) }, { name: "P", value: tensorValue(P) }],
    numeric: [
      row("$∂L/∂h = P − y$, against autograd through exp, sum, div, log", F.sub(P, y), grad(naiveCrossEntropy(h, y), h)),
      row("$∂L/∂h = P − y$, against the library's fused crossEntropy", F.sub(P, y), grad(crossEntropy(h, label.reshape([])), h)),
      row(`$∂L/∂S = (P − Y)/N$ for a minibatch ($N = ${N}$)`, F.div(F.sub(F.softmax(S), Y), N), grad(crossEntropy(S, labels), S)),
    ],
  };
}

function softmaxJacobian(g: Generator): Body {
  const C = 4;
  const h = leaf(randn([C], { dtype: "float64", generator: g }));
  const y = F.oneHot(randint(0, C, [], { generator: g, dtype: "int32" }), C, { dtype: "float64" });
  const P = F.softmax(h);
  const Jauto = F.stack(Array.from({ length: C }, (_, i) => grad(F.select(P, 0, i), h, true)));
  const Pd = P.detach();
  const J = F.sub(F.mul(eye(C, C, { dtype: "float64" }), Pd), F.matmul(F.unsqueeze(Pd, 1), F.unsqueeze(Pd, 0)));
  const dLdP = F.neg(F.div(y, Pd));
  return {
    title: "The softmax Jacobian $∂Pᵢ/∂hⱼ = Pᵢ(δᵢⱼ − Pⱼ)$, and how the chain rule collapses it to $P − y$",
    steps: [
      { math: "Pᵢ = exp(hᵢ) / Σₖ exp(hₖ)", why: "the softmax of $C$ logits" },
      { math: "∂Pᵢ/∂hⱼ = (δᵢⱼ exp(hᵢ) Σₖ exp(hₖ) − exp(hᵢ) exp(hⱼ)) / (Σₖ exp(hₖ))²", why: "the quotient rule, with $∂exp(hᵢ)/∂hⱼ = δᵢⱼ exp(hᵢ)$" },
      { math: "∂Pᵢ/∂hⱼ = Pᵢ δᵢⱼ − Pᵢ Pⱼ = Pᵢ(δᵢⱼ − Pⱼ)", why: "split the fraction into two softmax values" },
      { math: "J = diag(P) − P Pᵀ   [C×C]", why: "the whole Jacobian: symmetric, each row sums to $0$ since $Σⱼ Pⱼ = 1$" },
      { math: "∂L/∂Pᵢ = −yᵢ / Pᵢ   [1×C]", why: "for $L = −Σᵢ yᵢ log Pᵢ$" },
      { math: "∂L/∂hⱼ = Σᵢ (∂L/∂Pᵢ)(∂Pᵢ/∂hⱼ) = Σᵢ (−yᵢ/Pᵢ) Pᵢ(δᵢⱼ − Pⱼ)", why: "the vector chain rule: a $(1×C)$ row times the $(C×C)$ Jacobian" },
      { math: "∂L/∂hⱼ = −Σᵢ yᵢ δᵢⱼ + Pⱼ Σᵢ yᵢ = −yⱼ + Pⱼ", why: "$Pᵢ$ cancels, and $Σᵢ yᵢ = 1$" },
      { math: "∂L/∂h = P − y", why: "the $C×C$ matrix collapses to a vector: the library's fused loss never forms it" },
    ],
    sample: [{ name: "h", value: tensorValue(h) }, { name: "y", value: tensorValue(y) }, { name: "P", value: tensorValue(P) }],
    numeric: [
      row("$J = diag(P) − P Pᵀ$, against autograd row by row", J, Jauto),
      row("$(−y/P) · J = P − y$", F.sub(Pd, y), F.squeeze(F.matmul(F.unsqueeze(dLdP, 0), Jauto), 0)),
    ],
  };
}

function sigmoidBce(g: Generator): Body {
  const n = 6;
  const x = leaf(randn([n], { dtype: "float64", generator: g }));
  const y = F.cast(randint(0, 2, [n], { generator: g, dtype: "int32" }), "float64");
  const p = F.sigmoid(x);
  const naive = F.neg(F.sum(F.add(F.mul(y, F.log(p)), F.mul(F.sub(1, y), F.log(F.sub(1, p))))));
  return {
    title: "Sigmoid with binary cross-entropy: $∂L/∂x = σ(x) − y$",
    steps: [
      { math: "p = σ(x) = 1/(1 + exp(−x))", why: "the sigmoid of the logit $x$" },
      { math: "σ'(x) = exp(−x)/(1 + exp(−x))² = σ(x)(1 − σ(x))", why: `since $1 − σ(x) = exp(−x)/(1 + exp(−x))$; the rule of sigmoid: $∂x = ${ruleOf("sigmoid", 0)}$` },
      { math: "L = −(y log p + (1 − y) log(1 − p))", why: "binary cross-entropy for a label $y ∈ {0, 1}$" },
      { math: "∂L/∂p = −y/p + (1 − y)/(1 − p) = (p − y)/(p(1 − p))", why: "over a common denominator" },
      { math: "∂L/∂x = ∂L/∂p · σ'(x) = (p − y)/(p(1 − p)) · p(1 − p) = p − y", why: "the chain rule: $p(1 − p)$ cancels" },
    ],
    sample: [{ name: "x", value: tensorValue(x) }, { name: "y", value: tensorValue(y) }, { name: "p", value: tensorValue(p) }],
    numeric: [
      row("$∂L/∂x = σ(x) − y$, against autograd through sigmoid and log ($L$ summed)", F.sub(p.detach(), y), grad(naive, x)),
      row(`$∂L/∂x = (σ(x) − y)/${n}$, against the library's binaryCrossEntropyWithLogits (mean)`, F.div(F.sub(p.detach(), y), n), grad(binaryCrossEntropyWithLogits(x, y), x)),
    ],
  };
}

function meanSquared(g: Generator): Body {
  const n = 5;
  const yhat = leaf(randn([n], { dtype: "float64", generator: g }));
  const y = randn([n], { dtype: "float64", generator: g });
  return {
    title: "Mean squared error: $∂L/∂ŷ = 2(ŷ − y)/N$",
    steps: [
      { math: "L = (1/N) Σₙ (ŷₙ − yₙ)²", why: "the mean of the squared errors of $N$ predictions" },
      { math: "∂L/∂ŷₙ = (1/N) · 2(ŷₙ − yₙ)", why: `only the $n$-th term depends on $ŷₙ$; the rule of pow, $∂a = ${ruleOf("pow", 0)}$ with $b = 2$` },
      { math: "∂L/∂ŷ = 2(ŷ − y)/N", why: "as a vector" },
    ],
    sample: [{ name: "ŷ", value: tensorValue(yhat) }, { name: "y", value: tensorValue(y) }],
    numeric: [row("$∂L/∂ŷ = 2(ŷ − y)/N$, against the library's mse", F.div(F.mul(F.sub(yhat.detach(), y), 2), n), grad(mse(yhat, y), yhat))],
  };
}

function l2(g: Generator, lambda: number): Body {
  const W = leaf(randn([3, 4], { dtype: "float64", generator: g }));
  return {
    title: "L2 regularization: $∂((λ/2)‖W‖²)/∂W = λ·W$ (weight decay)",
    steps: [
      { math: "R = (λ/2)‖W‖² = (λ/2) Σᵢⱼ Wᵢⱼ²", why: "the penalty added to the loss (P5)" },
      { math: "∂R/∂Wᵢⱼ = (λ/2) · 2Wᵢⱼ = λWᵢⱼ", why: "each entry appears in one square" },
      { math: "∂R/∂W = λ·W", why: "as a matrix: it is added to $∂L/∂W$ of every weight matrix" },
      { math: "W ← W − η(∂L/∂W + λ·W) = (1 − ηλ)W − η·∂L/∂W", why: "an SGD step with learning rate $η$ first shrinks $W$ by $(1 − ηλ)$: weight decay" },
    ],
    sample: [{ name: "W", value: tensorValue(W) }, { name: "λ", value: lambda }],
    numeric: [row(`$∂R/∂W = λ·W$ with $λ = ${lambda}$, against the library's l2Penalty`, F.mul(W.detach(), lambda), grad(l2Penalty([W], lambda), W))],
  };
}

function minibatchMean(g: Generator): Body {
  const N = 4, D = 3, C = 5;
  const X = randn([N, D], { dtype: "float64", generator: g });
  const W = randn([D, C], { dtype: "float64", generator: g });
  const b = leaf(randn([C], { dtype: "float64", generator: g }));
  const labels = randint(0, C, [N], { generator: g, dtype: "int32" });
  const S = F.add(F.matmul(X, W), b);
  const perExample = Array.from({ length: N }, (_, n) =>
    grad(crossEntropy(F.add(F.matmul(F.select(X, 0, n), W), b), tensor([labels.data[n]!], { dtype: "int32" }).reshape([])), b));
  const meanOfPer = F.div(perExample.reduce((a, x) => F.add(a, x)), N);
  const dS = F.div(F.sub(F.softmax(S.detach()), F.oneHot(labels, C, { dtype: "float64" })), N);
  const auto = grad(crossEntropy(S, labels), b);
  return {
    title: "Minibatch mean: $∂L/∂b = (1/N) Σₙ ∂Lₙ/∂b$",
    steps: [
      { math: "L = (1/N) Σₙ Lₙ", why: "the minibatch loss is the mean of the $N$ examples' losses" },
      { math: "sₙ = xₙ W + b", why: "the same $b$ is added to every example's scores" },
      { math: "∂L/∂b = (1/N) Σₙ ∂Lₙ/∂b", why: "the derivative of a mean is the mean of the derivatives" },
      { math: "∂Lₙ/∂b = ∂Lₙ/∂sₙ · ∂sₙ/∂b = ∂Lₙ/∂sₙ", why: "the chain rule, with $∂sₙ/∂b = I$" },
      { math: "∂L/∂b = (1/N) Σₙ ∂Lₙ/∂sₙ = Σₙ ∂L/∂S", why: `the rows of $∂L/∂S = (P − Y)/N$ already carry $1/N$; the rule of add, $∂b = ${ruleOf("add", 1)}$, summed over the rows where $b$ was broadcast` },
    ],
    sample: [{ name: "X", value: tensorValue(X) }, { name: "labels", value: tensorValue(labels) }, { name: "b", value: tensorValue(b) }],
    numeric: [
      row(`$(1/N) Σₙ ∂Lₙ/∂b$ (each example by autograd alone), against autograd on the mean ($N = ${N}$)`, meanOfPer, auto),
      row("$Σₙ ∂L/∂S$ with $∂L/∂S = (P − Y)/N$, against autograd", F.sum(dS, 0), auto),
    ],
  };
}

function attention(g: Generator): Body {
  const T = 4, E = 3, d = 2;
  const [X, Wq, Wk, Wv] = [[T, E], [E, d], [E, d], [E, d]].map((s) => leaf(randn(s, { dtype: "float64", generator: g }))) as [Tensor, Tensor, Tensor, Tensor];
  const G = randn([T, d], { dtype: "float64", generator: g });
  const keep = F.cast(F.le(F.unsqueeze(arange(T), 0), F.unsqueeze(arange(T), 1)), "float64");
  const [Q, K, V] = [Wq, Wk, Wv].map((W) => F.matmul(X, W)) as [Tensor, Tensor, Tensor];
  const S = F.div(F.matmul(Q, F.transpose(K)), Math.sqrt(d));
  const M = F.where(keep, S, -Infinity), A = F.softmax(M, -1), O = F.matmul(A, V);
  const [dQ, dK, dV, dS, dM, dA, dWq, dX] = gradients(F.sum(F.mul(G, O)), [Q, K, V, S, M, A, Wq, X]);
  const [a, q, k, v] = [A, Q, K, V].map((t) => t.detach()) as [Tensor, Tensor, Tensor, Tensor];
  const tr = (t: Tensor) => F.transpose(t);
  const fA = F.matmul(G, tr(v)), fM = F.mul(a, F.sub(fA, F.sum(F.mul(fA, a), -1, true))), fS = F.mul(fM, keep);
  const fQ = F.div(F.matmul(fS, k), Math.sqrt(d)), fK = F.div(F.matmul(tr(fS), q), Math.sqrt(d));
  return {
    title: "Backpropagation through causal self-attention: $∂L/∂V = Aᵀ · ∂L/∂O$, the softmax step by row, the mask's zeros",
    steps: [
      { math: "Q = X·Wq, K = X·Wk, V = X·Wv   [T×d]", why: "the projections of the $T$ positions $X$ [T×E]" },
      { math: "S = Q·Kᵀ/√d   [T×T]", why: "$Sᵢⱼ = qᵢ·kⱼ/√d$: query $i$ against key $j$; dividing by $√d$ keeps the scores' variance from growing with $d$" },
      { math: "Mᵢⱼ = Sᵢⱼ for j ≤ i, −∞ for j > i", why: "the causal mask: position $i$ sees only itself and the positions before it" },
      { math: "Aᵢⱼ = exp(Mᵢⱼ) / Σₖ exp(Mᵢₖ)   [T×T]", why: "softmax by row; $exp(−∞) = 0$, so $Aᵢⱼ = 0$ above the diagonal and each row sums to $1$" },
      { math: "O = A·V   [T×d]", why: "each output row is a weighted mean of the value rows it may see; $L$ depends on $O$, and $∂L/∂O$ [T×d] comes from above" },
      { math: "∂L/∂V = Aᵀ · ∂L/∂O   [T×d]", why: `the rule of matmul for the right factor, $∂B = ${ruleOf("matmul", 1)}$: key $j$'s value receives from every query $i$ that weighted it` },
      { math: "∂L/∂A = ∂L/∂O · Vᵀ   [T×T]", why: `the rule of matmul for the left factor, $∂A = ${ruleOf("matmul", 0)}$: $∂L/∂Aᵢⱼ = (∂L/∂O)ᵢ · vⱼ$` },
      { math: "∂Aᵢⱼ/∂Mᵢₖ = Aᵢⱼ(δⱼₖ − Aᵢₖ)", why: "the softmax Jacobian of row $i$ (derive softmax-jacobian); rows do not mix, so $∂Aᵢⱼ/∂Mₘₖ = 0$ for $m ≠ i$" },
      { math: "∂L/∂Mᵢₖ = Σⱼ ∂L/∂Aᵢⱼ Aᵢⱼ(δⱼₖ − Aᵢₖ) = Aᵢₖ(∂L/∂Aᵢₖ − Σⱼ Aᵢⱼ ∂L/∂Aᵢⱼ)", why: "the chain rule over row $i$: the $δ$ picks $j = k$, the rest is one sum per row" },
      { math: `∂L/∂M = A ⊙ (∂L/∂A − Σⱼ ∂L/∂A ⊙ A)   [T×T]`, why: `as matrices, $Σⱼ$ summing each row: the library's rule of softmax, $∂x = ${formulaOf("softmax").x}$` },
      { math: "∂L/∂Sᵢⱼ = ∂L/∂Mᵢⱼ for j ≤ i, 0 for j > i", why: `the rule of where, $∂a = ${ruleOf("where", 1)}$; above the diagonal $Aᵢⱼ = 0$ already makes $∂L/∂Mᵢⱼ = 0$: no gradient reaches a masked score` },
      { math: "∂L/∂Q = ∂L/∂S · K / √d,  ∂L/∂K = (∂L/∂S)ᵀ · Q / √d   [T×d]", why: "the rule of matmul on $Q·Kᵀ$, with $B = Kᵀ$, and of div by $√d$" },
      { math: "∂L/∂Wq = Xᵀ · ∂L/∂Q   [E×d]  (so for Wk, Wv)", why: "the rule of matmul for the right factor of $X·Wq$" },
      { math: "∂L/∂X = ∂L/∂Q · Wqᵀ + ∂L/∂K · Wkᵀ + ∂L/∂V · Wvᵀ   [T×E]", why: "$X$ is used three times; the three paths add" },
    ],
    sample: [{ name: "X", value: tensorValue(X) }, { name: "Wq", value: tensorValue(Wq) }, { name: "Wk", value: tensorValue(Wk) }, { name: "Wv", value: tensorValue(Wv) }, { name: "∂L/∂O", value: tensorValue(G) }, { name: "A", value: tensorValue(a) }],
    numeric: [
      row("$∂L/∂V = Aᵀ · ∂L/∂O$", F.matmul(tr(a), G), dV!),
      row("$∂L/∂A = ∂L/∂O · Vᵀ$", fA, dA!),
      row("$∂L/∂M = A ⊙ (∂L/∂A − Σⱼ ∂L/∂A ⊙ A)$, with $∂L/∂A$ from the line above", fM, dM!),
      row("$∂L/∂S = ∂L/∂M ⊙ 1[j ≤ i]$: $0$ above the diagonal", fS, dS!),
      row("$∂L/∂Q = ∂L/∂S · K / √d$", fQ, dQ!),
      row("$∂L/∂K = (∂L/∂S)ᵀ · Q / √d$", fK, dK!),
      row("$∂L/∂Wq = Xᵀ · ∂L/∂Q$", F.matmul(tr(X.detach()), fQ), dWq!),
      row("$∂L/∂X = ∂L/∂Q · Wqᵀ + ∂L/∂K · Wkᵀ + ∂L/∂V · Wvᵀ$", [[fQ, Wq], [fK, Wk], [F.matmul(tr(a), G), Wv]].map(([f, W]) => F.matmul(f!, tr(W!.detach()))).reduce((p, x) => F.add(p, x)), dX!),
    ],
  };
}

const BODIES: Record<DerivationName, (g: Generator, lambda: number) => Body> = {
  "softmax-cross-entropy": softmaxCrossEntropy, "softmax-jacobian": softmaxJacobian, "sigmoid-bce": sigmoidBce,
  mse: meanSquared, l2, "minibatch-mean": minibatchMean, attention,
};

/**
 * A named derivation, step by step, confirmed numerically against autograd on a seeded random sample:
 * `softmax-cross-entropy` (P4), `softmax-jacobian`, `sigmoid-bce`, `mse`, `l2`, `minibatch-mean`, `attention`.
 * @example formatText(deriveNamed("softmax-cross-entropy"));
 */
export function deriveNamed(name: string, options?: DeriveOptions): NamedDerivation {
  const opts = checkOptions("deriveNamed", options, ["seed", "l2"]);
  if (!(DERIVATIONS as readonly string[]).includes(name)) throw new ValueError(`--derive: unknown derivation "${name}"; known: ${DERIVATIONS.join(", ")}`);
  const seed = opts.seed ?? 0;
  const g = new Generator(seed);
  const body = BODIES[name as DerivationName](g, opts.l2 ?? 0.1);
  return { kind: "named", name, seed, tolerance: 1e-12, notes: [], ...body };
}
