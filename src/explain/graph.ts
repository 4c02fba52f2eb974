import { gradients, sumTo } from "../autograd/engine.js";
import { noGrad } from "../autograd/mode.js";
import * as F from "../ops/functions.js";
import { OPS, type OpName } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { group, instantiate, rulesOf, UPSTREAM } from "./formulas.js";

/**
 * The one reader of the recorded autograd graph, which every explanation (programs, modules, P5's
 * matrix form) names on top of: the ops that ran, each op's rule per input as the op's own vjp
 * (values) and its `formula` (text), and the terms that reverse mode sums into each tensor.
 */

/** One op that ran, as the graph recorded it. */
export interface Recorded {
  out: Tensor;
  op: OpName;
  inputs: readonly Tensor[];
  attrs: Record<string, unknown>;
}

const recorded = (t: Tensor): Recorded => {
  const n = t._node!;
  return { out: t, op: n.def.name as OpName, inputs: n.inputs, attrs: (n.attrs ?? {}) as Record<string, unknown> };
};

/** The ops that ran to compute `root`, inputs first (an iterative depth-first walk, so deep graphs do not overflow the stack). */
export function recordedOps(root: Tensor): Recorded[] {
  const order: Recorded[] = [];
  if (root._node === null) return order;
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const ins = top[0]._node!.inputs;
    if (top[1] < ins.length) {
      const c = ins[top[1]++]!;
      if (c._node !== null && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else order.push(recorded(stack.pop()![0]));
  }
  return order;
}

/** What a recorded op sends back to each input for the upstream gradient `g`, by the op's own rule, summed to the input's shape. */
export function vjpOf(r: Recorded, g: Tensor, broadcast: boolean[] = []): (Tensor | null)[] {
  const def = OPS[r.op];
  if (def.vjp === null) return r.inputs.map(() => null);
  const gs = noGrad(() => (def.vjp as (g: Tensor, ctx: unknown) => (Tensor | null)[])(g, { inputs: r.inputs, output: r.out, attrs: r.attrs }));
  return r.inputs.map((x, j) => {
    broadcast[j] = !!gs[j] && gs[j]!.size !== x.size;
    return gs[j] ? noGrad(() => F.cast(sumTo(gs[j]!, x.shape), "float64")) : null;
  });
}

/**
 * What `out` sends back to each of `inputs` for `g`: the rule of the op that computed it from exactly
 * these inputs, or reverse mode through the recorded ops between them (a composite such as softmax).
 */
export function localVjp(out: Tensor, inputs: readonly Tensor[], g: Tensor): (Tensor | null)[] {
  const n = out._node;
  if (n && n.inputs.length === inputs.length && n.inputs.every((x, i) => x === inputs[i])) return vjpOf(recorded(out), g);
  const live = [...new Set(inputs.filter((x) => x.requiresGrad))];
  if (!out.requiresGrad || live.length === 0) return inputs.map(() => null);
  const gs = gradients(out, live, { gradOutput: g, retainGraph: true });
  return inputs.map((x) => (live.includes(x) ? gs[live.indexOf(x)]! : null));
}

/** A matrix product with transpose flags (matmul, and a product with a bias added, op(A)·op(B) + c). */
export const isProduct = (r: Recorded): boolean => "transA" in r.attrs && "transB" in r.attrs;
const tr = (s: string) => `${/^∂/.test(s) ? `(${s})` : group(s)}ᵀ`;

/** The rules of a product's two factors with its transpose flags folded in (the formula is written for A·B). */
function matmulRules(g: string, A: string, B: string, tA: boolean, tB: boolean): [string, string] {
  if (!tA && !tB) return [`${g} · ${tr(B)}`, `${tr(A)} · ${g}`];
  if (!tA && tB) return [`${g} · ${B}`, `${tr(g)} · ${A}`];
  if (tA && !tB) return [`${B} · ${tr(g)}`, `${A} · ${g}`];
  return [`${tr(B)} · ${tr(g)}`, `${tr(g)} · ${tr(A)}`];
}

/** The rule of input `j` of a recorded op as text, its roles bound to the names of the tensors and ḡ to `up`. */
export function ruleText(r: Recorded, j: number, up: string, nameOf: (t: Tensor) => string): string {
  if (isProduct(r) && j < 2) return matmulRules(up, nameOf(r.inputs[0]!), nameOf(r.inputs[1]!), !!r.attrs.transA, !!r.attrs.transB)[j]!;
  const rules = rulesOf(OPS[r.op].formula);
  const rule = rules[j] ?? rules[0]!;
  const bindings: Record<string, string> = { [UPSTREAM]: up };
  rules.forEach((q, i) => r.inputs[i] && (bindings[q.role] = nameOf(r.inputs[i]!)));
  if (rules.length === 1 && /ᵢ$/.test(rule.role)) bindings[rule.role] = nameOf(r.inputs[j]!);
  return instantiate(rule.rule, bindings);
}

/** The forward computation of a recorded op as text, from its vocabulary (`X · W1ᵀ`, `ReLU(Z1)`, `reshape(t1, shape=[2, 9])`). */
export function forwardText(r: Recorded, arg: (t: Tensor, outer: Recorded, j: number) => string): string {
  const { symbol, form } = OPS[r.op].vocab;
  const args = r.inputs.map((x, j) => arg(x, r, j));
  if (isProduct(r)) return [`${args[0]}${r.attrs.transA ? "ᵀ" : ""} · ${args[1]}${r.attrs.transB ? "ᵀ" : ""}`, ...args.slice(2)].join(" + ");
  if (symbol !== undefined && form === "infix" && args.length === 2) return `${args[0]} ${symbol} ${args[1]}`;
  if (symbol !== undefined) return `${symbol}(${args[0]})`;
  const shown = Object.entries(r.attrs)
    .filter(([key, v]) => key !== "inputShape" && (typeof v === "number" || typeof v === "boolean" || Array.isArray(v)))
    .map(([key, v]) => `${key}=${Array.isArray(v) ? `[${v.join(", ")}]` : v}`);
  return `${r.op}(${[...args, ...shown].join(", ")})`;
}

/** One term of reverse mode: what op `r` sends to its input `j` (the tensor `x`). */
export interface Term {
  r: Recorded;
  j: number;
  x: Tensor;
  value: Tensor;
  /** The input was broadcast in the op, so its term is summed over the broadcast axes. */
  broadcast: boolean;
}

/**
 * Reverse mode over the recorded graph of `L`: the adjoint of every tensor (autograd's), and, op by
 * op from the output back, each input's term by that op's rule; `sums` are the terms added per tensor.
 */
export function backwardPass(L: Tensor, ops: readonly Recorded[], leaves: readonly Tensor[]) {
  const wrt = [...ops.map((r) => r.out), ...leaves].filter((t) => t.requiresGrad);
  const gs = gradients(L, wrt, { retainGraph: true });
  const adjoint = new Map(wrt.map((t, i) => [t, gs[i]!] as const));
  const terms: Term[] = [];
  const sums = new Map<Tensor, Tensor>();
  for (let i = ops.length - 1; i >= 0; i--) {
    const r = ops[i]!;
    const broadcast: boolean[] = [];
    vjpOf(r, adjoint.get(r.out)!, broadcast).forEach((value, j) => {
      const x = r.inputs[j]!;
      if (value === null || !x.requiresGrad) return;
      terms.push({ r, j, x, value, broadcast: broadcast[j]! });
      sums.set(x, sums.has(x) ? noGrad(() => F.add(sums.get(x)!, value)) : value);
    });
  }
  return { adjoint, terms, sums };
}

/** The largest |a − b| over the elements of two tensors of one shape. */
export const maxAbsDiff = (a: Tensor, b: Tensor): number => {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
};
