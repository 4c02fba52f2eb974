import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { gradients, sumTo } from "../autograd/engine.js";
import { noGrad } from "../autograd/mode.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { l2Penalty } from "../losses/penalty.js";
import { mse } from "../losses/regression.js";
import { functionalCall, Module } from "../nn/module.js";
import * as F from "../ops/functions.js";
import { OPS, type OpName } from "../ops/index.js";
import { Tensor } from "../tensor/tensor.js";
import { summary } from "../train/summary.js";
import type { Equation, ModelDerivation } from "./derivation.js";
import { UPSTREAM, group, instantiate, rulesOf } from "./formulas.js";
import { formatNumber, tensorValue } from "./numbers.js";

const SHOW_VALUES_UP_TO = 16;

/** The ops' own rules for matmul, with its transpose flags folded in (the formula text is for op(A)·op(B) = A·B). */
function matmulRules(g: string, A: string, B: string, tA: boolean, tB: boolean): [string, string] {
  const t = (s: string) => `${group(s)}ᵀ`;
  if (!tA && !tB) return [`${g} · ${t(B)}`, `${t(A)} · ${g}`];
  if (!tA && tB) return [`${g} · ${B}`, `${t(g)} · ${A}`];
  if (tA && !tB) return [`${B} · ${t(g)}`, `${A} · ${g}`];
  return [`${t(B)} · ${t(g)}`, `${t(g)} · ${t(A)}`];
}

/**
 * The backward pass of any module, read from the graph its forward pass recorded: one equation per op
 * that ran (forward), and per input of each op its gradient, instantiated from that op's own formula
 * text with the names of the tensors involved (backward). Parameters keep their state-dict names;
 * each submodule's output is named `H<path>`; other intermediate results are `t1, t2, …`. Every
 * equation is evaluated by the op's gradient rule, and the contributions to each tensor, summed, are
 * compared with autograd.
 *
 * @example formatText(explainTrace(new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.Flatten(), new nn.Linear(8, 3)), randn([2, 1, 4, 4]), tensor([0, 2], { dtype: "int32" })));
 */
export function explainTrace(
  model: Module,
  input: Tensor,
  target: Tensor,
  options?: { loss?: "cross-entropy" | "mse"; l2?: number },
): ModelDerivation {
  const opts = checkOptions("explainTrace", options, ["loss", "l2"]);
  expectModelArgs("explainTrace", model, input, target);
  const loss = opts.loss ?? "cross-entropy";
  const l2 = opts.l2 ?? 0;
  const names = new Map<Tensor, string>();
  const state: Record<string, Tensor> = {};
  const params: Tensor[] = [];
  for (const [name, t] of model.namedParameters()) {
    const p = F.cast(t.detach(), "float64").detach().requiresGrad_(t.requiresGrad);
    state[name] = p;
    params.push(p);
    names.set(p, name);
  }
  for (const [name, t] of model.namedBuffers()) state[name] = t.dtype === "int32" ? t.clone() : F.cast(t.detach(), "float64").clone();
  const X = F.cast(input.detach(), "float64");
  const Y = target.dtype === "int32" ? target : F.cast(target.detach(), "float64");
  names.set(X, "X");
  names.set(Y, "y");
  const types = new Map<string, string>();
  const patched: [Module, Module["call"]][] = [];
  for (const [path, m] of model.namedModules()) {
    if (path === "") continue;
    const original = m.call;
    patched.push([m, original]);
    m.call = (...xs: Tensor[]) => {
      const out = original.apply(m, xs);
      if (!names.has(out)) {
        names.set(out, `H${path}`);
        types.set(`H${path}`, m.constructor.name);
      }
      return out;
    };
  }
  let S: Tensor, L: Tensor;
  try {
    S = functionalCall(model, state, X);
  } finally {
    for (const [m, original] of patched) m.call = original;
  }
  if (!names.has(S)) names.set(S, "S");
  const data = loss === "cross-entropy" ? crossEntropy(S, Y) : mse(S, Y);
  L = l2 > 0 ? F.add(data, l2Penalty(model.namedParameters().map(([n]) => n).filter((n) => !n.endsWith("bias")).map((n) => state[n]!), l2)) : data;
  names.set(L, "L");
  if (!L.requiresGrad) throw new ValueError(`explain: ${model.constructor.name} has no parameter that requires a gradient: there is nothing to differentiate`);

  // Nodes in forward order (iterative DFS, inputs first).
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[L, 0]];
  seen.add(L);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const ins = top[0]._node?.inputs ?? [];
    if (top[1] < ins.length) {
      const c = ins[top[1]++]!;
      if (c._node !== null && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  let k = 0, c = 0;
  for (const t of order) if (!names.has(t)) names.set(t, `t${++k}`);
  const nameOf = (t: Tensor): string => {
    const n = names.get(t);
    if (n !== undefined) return n;
    if (t.size === 1 && t.dtype !== "int32") return formatNumber(t.data[0]!);
    const fresh = t.dtype === "int32" ? `index${++c}` : `c${++c}`;
    names.set(t, fresh);
    return fresh;
  };

  const shapeText = (s: readonly number[]) => s.map(String);
  const forward: Equation[] = order.map((t) => {
    const node = t._node!;
    const op = node.def.name;
    const { symbol, form } = OPS[op as OpName].vocab;
    const args = node.inputs.map(nameOf);
    const attrs = node.attrs as Record<string, unknown>;
    let rhs: string;
    if (op === "matmul") rhs = `${group(args[0]!)}${attrs.transA ? "ᵀ" : ""} · ${group(args[1]!)}${attrs.transB ? "ᵀ" : ""}`;
    else if (symbol !== undefined && form === "infix" && args.length === 2) rhs = `${group(args[0]!)} ${symbol} ${group(args[1]!)}`;
    else if (symbol !== undefined) rhs = `${symbol}(${args[0]})`;
    else {
      const shown = Object.entries(attrs ?? {})
        .filter(([key, v]) => key !== "inputShape" && (typeof v === "number" || typeof v === "boolean" || Array.isArray(v)))
        .map(([key, v]) => `${key}=${Array.isArray(v) ? `[${v.join(", ")}]` : v}`);
      rhs = `${op}(${[...args, ...shown].join(", ")})`;
    }
    return { lhs: nameOf(t), rhs, shape: shapeText(t.shape), computedShape: [...t.shape] };
  });

  // Adjoints from autograd, then each op's rule, instantiated and evaluated, per input.
  const wrt = [...order, ...params].filter((t) => t.requiresGrad);
  const grads = gradients(L, wrt, { retainGraph: true });
  const adj = new Map(wrt.map((t, i) => [t, grads[i]!] as const));
  const sums = new Map<Tensor, Tensor>();
  const backward: Equation[] = [{ lhs: "∂L/∂L", rhs: "1", shape: [], computedShape: [] }];
  const started = new Set<Tensor>();
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    const node = t._node!;
    if (node.def.vjp === null) continue;
    const g = adj.get(t)!;
    const up = `∂L/∂${nameOf(t)}`;
    const contributions = noGrad(() => node.def.vjp!(g, { inputs: node.inputs, output: t, attrs: node.attrs }));
    const rules = node.def.name === "matmul"
      ? matmulRules(up, nameOf(node.inputs[0]!), nameOf(node.inputs[1]!), (node.attrs as any).transA, (node.attrs as any).transB)
      : null;
    const parsed = rules ? null : rulesOf(node.def.formula);
    node.inputs.forEach((x, j) => {
      const gx = contributions[j];
      if (!x.requiresGrad || gx === null || gx === undefined) return;
      let rhs: string;
      if (rules) rhs = rules[j]!;
      else {
        const rule = parsed![j] ?? parsed![0]!;
        const bindings: Record<string, string> = { [UPSTREAM]: up };
        parsed!.forEach((r, ri) => {
          if (node.inputs[ri]) bindings[r.role] = nameOf(node.inputs[ri]!);
        });
        if (parsed!.length === 1 && /ᵢ$/.test(rule.role)) bindings[rule.role] = nameOf(x);
        rhs = instantiate(rule.rule, bindings);
      }
      const value = noGrad(() => F.cast(sumTo(gx, x.shape), "float64"));
      const broadcast = gx.size !== x.size;
      sums.set(x, sums.has(x) ? noGrad(() => F.add(sums.get(x)!, value)) : value);
      const first = !started.has(x);
      started.add(x);
      backward.push({
        lhs: `∂L/∂${nameOf(x)}`,
        rhs,
        shape: shapeText(x.shape),
        computedShape: [...x.shape],
        note: `${first ? "" : "+ (adds to the line above for this tensor) "}the rule of ${node.def.name}${broadcast ? ", summed over the broadcast axes" : ""}`,
        value: x.size <= SHOW_VALUES_UP_TO ? tensorValue(value) : undefined,
      });
    });
  }
  let maxAbsDiff = 0;
  for (const [x, s] of sums) {
    const a = adj.get(x);
    if (!a) continue;
    for (let i = 0; i < s.size; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(s.data[i]! - a.data[i]!));
  }
  const warnings = degenerateLoss(loss, S.shape.at(-1) ?? 1);
  const sm = summary(model, input.shape.slice(1), { batch: input.shape[0], print: false });
  const kinds = [...new Set(order.map((t) => t._node!.def.name))];
  return {
    kind: "model",
    spec: model.constructor.name,
    layout: "batch-first",
    loss,
    l2,
    batch: input.shape[0] ?? null,
    sizes: {},
    standIns: null,
    legend: [
      `the graph recorded by the forward pass of ${model.constructor.name} on X [${X.shape.join("×")}], with ${loss === "cross-entropy" ? "cross-entropy against the labels y" : "mean squared error against y"}${l2 > 0 ? ` and (λ/2)Σ‖W‖² on the weights, λ = ${formatNumber(l2)}` : ""}`,
      "parameters by their state-dict names (as PyTorch names them); H<path>: the output of the submodule at <path>; t1, t2, …: other intermediate results",
      `ops that ran: ${kinds.join(", ")}; each backward line is one input's gradient by that op's own rule; a tensor used twice gets two lines, which add up`,
      ...[...types].map(([n, type]) => `${n}: output of ${type}`),
    ],
    forward,
    backward,
    layers: sm.rows.map((r) => ({ name: r.name, type: r.type, outputShape: r.outputShape.map(String), arithmetic: r.arithmetic, params: r.params })),
    totalParams: sm.totalParams,
    numeric: { loss: L.item(), maxAbsDiff, tolerance: 1e-9 },
    notes: [...warnings, "every shape is the shape the code computed; the contributions to each tensor, summed, agree with autograd (largest difference above)"],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Why a loss says nothing about the network: softmax over one class is 1 whatever the score, so cross-entropy is 0 and so is every gradient. */
export function degenerateLoss(loss: "cross-entropy" | "mse", classes: number): string[] {
  if (loss !== "cross-entropy" || classes !== 1) return [];
  return ["the network has one output: softmax over one class is $1$ whatever the score, so the cross-entropy loss is $L = 0$ and every gradient is $0$; for one output use mse (--loss mse), or give the network two outputs, one per class"];
}

/** Fails with a ValueError unless the arguments are a module and two tensors. */
export function expectModelArgs(where: string, model: unknown, input: unknown, target: unknown): void {
  if (!(model instanceof Module)) throw new ValueError(`${where}: the model must be a Module, found ${model === null ? "null" : typeof model}`);
  for (const [what, t] of [["input", input], ["target", target]] as const) {
    if (!(t instanceof Tensor)) throw new ValueError(`${where}: the ${what} must be a Tensor, found ${t === null ? "null" : typeof t}`);
  }
}
