import { gradients } from "../autograd/engine.js";
import { ShapeError, ValueError } from "../errors.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { mse } from "../losses/regression.js";
import * as F from "../ops/functions.js";
import { OPS } from "../ops/index.js";
import { checkOptions } from "../options.js";
import { randint, randn, scalar, tensor } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Equation, ModelDerivation } from "./derivation.js";
import { formulaOf, group, instantiate, rulesOf, UPSTREAM } from "./formulas.js";
import { forwardText, isProduct, localVjp, maxAbsDiff, recordedOps, ruleText, vjpOf } from "./graph.js";
import { checkedLoss, degenerateLoss, lossGradient, lossText } from "./model.js";
import { formatFactor, formatNumber, tensorValue } from "./numbers.js";
import { type InputValue, toLeaf } from "./program.js";

/** Options of `explainAttention`. */
export interface ExplainAttentionOptions {
  loss?: "cross-entropy" | "mse";
  /** `X` [T×E], `Wq`, `Wk`, `Wv` [E×d], and the labels `y` (T class indices below d) or, for mse, the targets `Y` [T×d]. */
  values?: Readonly<Record<string, InputValue>>;
  /** Seed of the random values used where none are given (default 0). */
  seed?: number;
}

const sub = (n: number) => String(n).replace(/\d/g, (c) => String.fromCharCode(0x2080 + Number(c)));

/** `attention` or `attention:T=4,E=5,d=3,causal=false`: the sizes, and whether the mask is causal. */
function parseSpec(spec: string): { T: number; E: number; d: number; causal: boolean } {
  const m = typeof spec === "string" ? /^attention(?::(.+))?$/.exec(spec) : null;
  if (!m) throw new ValueError(`explain --model: expected attention or attention:T=4,E=5,d=3,causal=false, found ${JSON.stringify(spec)}`);
  const o: Record<string, string> = {};
  for (const [kv, k = "", val, ...rest] of (m[1]?.split(",") ?? []).map((kv) => [kv, ...kv.split("=").map((s) => s.trim())])) {
    if (!["T", "E", "d", "causal"].includes(k) || val === undefined || rest.length > 0 || k in o) throw new ValueError(`explain --model ${spec}: expected T=, E=, d= or causal= once each, found "${kv}"`);
    o[k] = val;
  }
  const size = (k: string, n = Number(o[k] ?? { T: 4, E: 5, d: 3 }[k])) => {
    if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new ValueError(`explain --model ${spec}: ${k} must be an integer from 1 to 64, found ${o[k]}`);
    return n;
  };
  if (o.causal !== undefined && o.causal !== "true" && o.causal !== "false") throw new ValueError(`explain --model ${spec}: causal must be true or false, found ${o.causal}`);
  return { T: size("T"), E: size("E"), d: size("d"), causal: o.causal !== "false" };
}

/**
 * The backward pass of one head of (causal) self-attention as matrix equations with shapes:
 * `Q = X · Wq`, `S = Q · Kᵀ / √d`, `M = where(j ≤ i, S, −∞)`, `A = softmax(M)` by row, `O = A · V`, a
 * loss on O; then `∂L/∂V = Aᵀ · ∂L/∂O`, `∂L/∂A = ∂L/∂O · Vᵀ`, the softmax step written as a matrix and
 * entry by entry, the mask's zeros, down to `∂L/∂Wq` and `∂L/∂X`. Each right side is instantiated from
 * the ops' formula text on the recorded graph; each is evaluated and compared with autograd.
 *
 * @example formatText(explainAttention("attention:T=4,E=5,d=3"));
 */
export function explainAttention(spec = "attention", options?: ExplainAttentionOptions): ModelDerivation {
  const opts = checkOptions("explainAttention", options, ["loss", "values", "seed"]);
  const { T, E, d, causal } = parseSpec(spec);
  const loss = checkedLoss(opts);
  const g = new Generator(opts.seed ?? 0);
  const v = opts.values ?? {};
  const sizes: Record<string, number> = { T, E, d };
  const names = new Map<Tensor, string>(), sym = new Map<Tensor, string[]>();
  const nm = (t: Tensor, name: string, shape: string[] = []) => {
    const want = shape.map((s) => sizes[s]!);
    if (t.shape.join() !== want.join()) throw new ShapeError(`explain --model ${spec}: ${name} must be ${shape.join("×")} = ${want.join("×")}, found ${t.shape.join("×") || "a scalar"} (give the sizes in the spec: attention:T=…,E=…,d=…)`);
    return names.set(t, name), sym.set(t, shape), t;
  };
  const leaf = (name: string, shape: string[], scale: number) =>
    nm(v[name] !== undefined ? toLeaf(name, v[name]!) : randn(shape.map((s) => sizes[s]!), { dtype: "float64", generator: g }).mul(scale).detach().requiresGrad_(), name, shape);
  const X = leaf("X", ["T", "E"], 1), Wq = leaf("Wq", ["E", "d"], 1 / Math.sqrt(E)), Wk = leaf("Wk", ["E", "d"], 1 / Math.sqrt(E)), Wv = leaf("Wv", ["E", "d"], 1 / Math.sqrt(E));
  const yName = loss === "mse" ? "Y" : "y";
  const raw = v[yName] !== undefined ? toLeaf(yName, v[yName]!).detach() : loss === "mse" ? randn([T, d], { dtype: "float64", generator: g }) : randint(0, d, [T], { generator: g, dtype: "int32" });
  const target = nm(loss === "mse" ? raw : F.cast(raw, "int32"), yName, loss === "mse" ? ["T", "d"] : ["T"]);
  const [Q, K, V] = [Wq, Wk, Wv].map((W, i) => nm(F.matmul(X, W), "QKV"[i]!, ["T", "d"])) as [Tensor, Tensor, Tensor];
  const S = nm(F.div(F.matmulT(Q, K, false, true), nm(scalar(Math.sqrt(d), { dtype: "float64" }), "√d")), "S", ["T", "T"]);
  const keep = nm(tensor(Float64Array.from({ length: T * T }, (_, k) => (k % T <= Math.floor(k / T) ? 1 : 0)), { shape: [T, T], dtype: "float64" }), "j ≤ i", ["T", "T"]);
  const M = causal ? nm(F.where(keep, S, nm(scalar(-Infinity, { dtype: "float64" }), "−∞")), "M", ["T", "T"]) : S;
  const A = nm(F.softmax(M, -1), "A", ["T", "T"]), O = nm(F.matmul(A, V), "O", ["T", "d"]);
  const L = loss === "mse" ? mse(O, target) : crossEntropy(O, target);
  // The ops of the graph, the softmax's own ops folded into one step M → A (its rule is the composite's formula).
  const all = recordedOps(L), before = new Set(recordedOps(M).map((r) => r.out)), inA = new Set(recordedOps(A).map((r) => r.out));
  const ops = all.filter((r) => r.out === A || before.has(r.out) || !inA.has(r.out));
  const wrt = [...ops.map((r) => r.out), X, Wq, Wk, Wv].filter((t) => t.requiresGrad);
  const adj = new Map(gradients(L, wrt, { retainGraph: true }).map((gr, i) => [wrt[i]!, gr] as const));
  const nameOf = (t: Tensor) => names.get(t) ?? "?";
  const byOut = new Map(all.map((r) => [r.out, r] as const));
  const arg = (x: Tensor): string => names.get(x) ?? (byOut.has(x) ? forwardText(byOut.get(x)!, arg) : "?");
  const def = (x: Tensor) => forwardText(byOut.get(x)!, arg);
  // An unnamed tensor (Q · Kᵀ before the scale) passes its gradient's text, and the rule it came by, on to its inputs.
  const up = new Map<Tensor, { text: string; why: string }>();
  const gradText = (t: Tensor) => (names.has(t) ? `∂L/∂${names.get(t)}` : group(up.get(t)?.text ?? "?"));
  const terms = new Map<Tensor, { text: string; why: string; value: Tensor }[]>();
  const softRule = formulaOf("softmax").x!;
  for (const r of [...ops].reverse()) {
    const soft = r.out === A;
    const vals = soft ? localVjp(A, [M], adj.get(A)!) : vjpOf(r, adj.get(r.out)!);
    (soft ? [M] : r.inputs).forEach((x, j) => {
      if (!vals[j] || !x.requiresGrad) return;
      const { role, rule } = soft ? { role: "x", rule: softRule } : rulesOf(OPS[r.op].formula)[j]!;
      const text = soft ? instantiate(softRule, { [UPSTREAM]: gradText(A), x: nameOf(M) }).replaceAll(`softmax(${nameOf(M)})`, "A") : ruleText(r, j, gradText(r.out), nameOf);
      const flagged = isProduct(r) && j < 2 && r.attrs[j === 0 ? "transA" : "transB"] ? ` with $${role} = ${nameOf(x)}ᵀ$` : "";
      const why = `the rule of ${soft ? "softmax by row" : `${r.op} on $${forwardText(r, arg)}$`}, $∂${role} = ${rule}$${flagged}${soft ? ` with $x = ${nameOf(M)}$, $softmax(${nameOf(M)}) = A$, $Σⱼ$ summing each row` : ""}${up.has(r.out) ? `, after ${up.get(r.out)!.why}` : ""}`;
      if (!names.has(x)) up.set(x, { text, why });
      else terms.set(x, [...(terms.get(x) ?? []), { text, why, value: vals[j]! }]);
    });
  }
  let maxDiff = 0;
  const eq = (lhs: string, rhs: string, x: Tensor, value: Tensor, note: string): Equation => {
    const diff = maxAbsDiff(value, adj.get(x)!);
    maxDiff = Math.max(maxDiff, diff);
    return { lhs, rhs, shape: sym.get(x)!, computedShape: [...value.shape], maxAbsDiff: diff, note, value: tensorValue(value) };
  };
  // The softmax step entry by entry, evaluated by plain loops: ∂L/∂Mᵢⱼ = Aᵢⱼ(∂L/∂Aᵢⱼ − Σₖ Aᵢₖ ∂L/∂Aᵢₖ).
  const a = A.data, ga = adj.get(A)!.data, el = new Float64Array(T * T), rowSum = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    for (let k = 0; k < T; k++) rowSum[i] += a[i * T + k]! * ga[i * T + k]!;
    for (let j = 0; j < T; j++) el[i * T + j] = a[i * T + j]! * (ga[i * T + j]! - rowSum[i]!);
  }
  const m = nameOf(M);
  const entries = eq(`∂L/∂${m}ᵢⱼ`, "Aᵢⱼ(∂L/∂Aᵢⱼ − Σₖ Aᵢₖ ∂L/∂Aᵢₖ)", M, tensor(el, { shape: [T, T], dtype: "float64" }),
    `the same entry by entry: row $i$ of $A$ is the softmax of row $i$ of $${m}$, whose Jacobian is $∂Aᵢⱼ/∂${m}ᵢₖ = Aᵢⱼ(δⱼₖ − Aᵢₖ)$; summed against $∂L/∂Aᵢⱼ$ over $j$ it gives this line${causal ? "; it is $0$ wherever $Aᵢⱼ = 0$, above the diagonal" : ""}`);
  const order = [O, V, A, ...(causal ? [M] : []), S, Q, K, Wq, Wk, Wv, X];
  const backward = order.flatMap((x) => {
    const ts = [...terms.get(x)!].reverse(), name = nameOf(x);
    const lg = x === O ? lossGradient(loss, "O", "T", "d") : null;
    const whys = [...new Set(ts.map((t) => t.why))].join("; ");
    const e = eq(`∂L/∂${name}`, lg?.rhs ?? ts.map((t) => t.text).join(" + "), x, ts.map((t) => t.value).reduce((p, q) => F.add(p, q)),
      lg?.note ?? (ts.length > 1 ? `${ts.length} terms, one per use of $${name}$ (by $Q$, $K$ and $V$): ${whys}` : whys) + (x === S && causal ? "; $0$ above the diagonal, where the scores were masked: no gradient flows to them" : ""));
    return x === M ? [e, entries] : [e];
  });
  const fwd = (x: Tensor, rhs: string, note?: string): Equation => ({ lhs: nameOf(x), rhs, shape: sym.get(x)!, computedShape: [...x.shape], value: tensorValue(x.detach()), ...(note ? { note } : {}) });
  const forward = [
    ...[Q, K, V].map((x) => fwd(x, def(x))),
    fwd(S, def(S), `$Sᵢⱼ = qᵢ · kⱼ / √d$, how well query $i$ matches key $j$; $√d = ${formatNumber(Math.sqrt(d), 6)}$`),
    ...(causal ? [fwd(M, def(M), "$−∞$ above the diagonal: position $i$ sees only $j ≤ i$")] : []),
    fwd(A, `softmax(${m})`, `by row, $Aᵢⱼ = exp(${m}ᵢⱼ) / Σₖ exp(${m}ᵢₖ)$${causal ? ", $exp(−∞) = 0$" : ""}`),
    fwd(O, def(O)),
    { lhs: "L", rhs: lossText(loss, "O", "T", "d"), shape: [], computedShape: [...L.shape] },
  ];
  // Row 1 of the softmax step with its numbers (row 0 has a single weight of 1 under the mask).
  const i = Math.min(1, T - 1), n = (x: number) => formatFactor(x, 4), ks = Array.from({ length: T }, (_, k) => k);
  const worked = `the softmax step written out for row $i = ${i}$: $Σₖ A${sub(i)}ₖ ∂L/∂A${sub(i)}ₖ = ${ks.map((k) => `${n(a[i * T + k]!)}·${n(ga[i * T + k]!)}`).join(" + ")} = ${formatNumber(rowSum[i]!, 4)}$, so ${ks.map((j) => `$∂L/∂${m}${sub(i)}${sub(j)} = ${n(a[i * T + j]!)}·(${formatNumber(ga[i * T + j]!, 4)} − ${n(rowSum[i]!)}) = ${formatNumber(el[i * T + j]!, 4)}$`).join(", ")}`;
  const warnings = degenerateLoss(loss, d);
  return {
    kind: "model", spec, layout: "batch-first", loss, l2: 0, batch: T, sizes, standIns: null,
    legend: [
      `$X$: $T = ${T}$ positions (tokens), one per row, each $E = ${E}$ features; one head of self-attention of size $d = ${d}$; weights as P5 writes them, $Wq$, $Wk$, $Wv$ are $E×d$ and $Q = X·Wq$ (PyTorch's Linear stores the transpose, $d×E$, and computes $X·Wᵀ$)`,
      causal ? "causal: position $i$ attends only to the positions $j ≤ i$; the scores above the diagonal become $−∞$ before the softmax, so their weights $Aᵢⱼ$ are $0$, and so are their gradients" : "no mask: every position attends to every position",
      loss === "mse" ? "loss: mean squared error of $O$ against targets $Y$" : "loss: mean softmax cross-entropy of the rows of $O$ as scores of $d$ classes, against labels $y$, one per position",
    ],
    inputs: [X, Wq, Wk, Wv, target].map((t) => ({ name: nameOf(t), value: tensorValue(t.detach()), shape: sym.get(t)! })),
    forward, backward,
    numeric: { loss: L.item(), maxAbsDiff: maxDiff, tolerance: 1e-9 },
    ...(warnings.length > 0 ? { warnings } : {}),
    notes: [...warnings, worked, `the forward pass is scaledDotProductAttention(Q, K, V, { causal: ${causal} }) (PyTorch's scaled_dot_product_attention) on the projections; every shape is the shape the code computed; every equation was evaluated (by the op's rule, the entry-by-entry line by plain loops) and compared with autograd`],
  };
}
