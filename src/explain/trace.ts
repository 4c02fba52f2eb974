import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { l2Penalty } from "../losses/penalty.js";
import { mse } from "../losses/regression.js";
import { functionalCall, Module } from "../nn/module.js";
import * as F from "../ops/functions.js";
import { Tensor } from "../tensor/tensor.js";
import { summary } from "../train/summary.js";
import type { Equation, ModelDerivation } from "./derivation.js";
import { group } from "./formulas.js";
import { backwardPass, forwardText, maxAbsDiff, recordedOps, ruleText } from "./graph.js";
import { formatNumber, tensorValue } from "./numbers.js";

const SHOW_VALUES_UP_TO = 16;

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
  let S: Tensor;
  try {
    S = functionalCall(model, state, X);
  } finally {
    for (const [m, original] of patched) m.call = original;
  }
  if (!names.has(S)) names.set(S, "S");
  const data = loss === "cross-entropy" ? crossEntropy(S, Y) : mse(S, Y);
  const L = l2 > 0 ? F.add(data, l2Penalty(model.namedParameters().map(([n]) => n).filter((n) => !n.endsWith("bias")).map((n) => state[n]!), l2)) : data;
  names.set(L, "L");
  if (!L.requiresGrad) throw new ValueError(`explain: ${model.constructor.name} has no parameter that requires a gradient: there is nothing to differentiate`);

  const ops = recordedOps(L);
  let k = 0, c = 0;
  for (const r of ops) if (!names.has(r.out)) names.set(r.out, `t${++k}`);
  const nameOf = (t: Tensor): string => {
    const n = names.get(t);
    if (n !== undefined) return n;
    if (t.size === 1 && t.dtype !== "int32") return formatNumber(t.data[0]!);
    const fresh = t.dtype === "int32" ? `index${++c}` : `c${++c}`;
    names.set(t, fresh);
    return fresh;
  };
  const shapeText = (s: readonly number[]) => s.map(String);
  const forward: Equation[] = ops.map((r) => ({ lhs: nameOf(r.out), rhs: forwardText(r, (t) => group(nameOf(t))), shape: shapeText(r.out.shape), computedShape: [...r.out.shape] }));
  const { adjoint, terms, sums } = backwardPass(L, ops, params);
  const started = new Set<Tensor>();
  const backward: Equation[] = [{ lhs: "∂L/∂L", rhs: "1", shape: [], computedShape: [] }, ...terms.map(({ r, j, x, value, broadcast }) => {
    const first = !started.has(x);
    started.add(x);
    return {
      lhs: `∂L/∂${nameOf(x)}`,
      rhs: ruleText(r, j, `∂L/∂${nameOf(r.out)}`, nameOf),
      shape: shapeText(x.shape),
      computedShape: [...x.shape],
      note: `${first ? "" : "+ (adds to the line above for this tensor) "}the rule of ${r.op}${broadcast ? ", summed over the broadcast axes" : ""}`,
      value: x.size <= SHOW_VALUES_UP_TO ? tensorValue(value) : undefined,
    };
  })];
  const diff = Math.max(0, ...[...sums].map(([x, s]) => maxAbsDiff(s, adjoint.get(x)!)));
  const warnings = degenerateLoss(loss, S.shape.at(-1) ?? 1);
  const sm = summary(model, input.shape.slice(1), { batch: input.shape[0], print: false });
  const kinds = [...new Set(ops.map((r) => r.op))];
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
    ...layerRows(sm),
    numeric: { loss: L.item(), maxAbsDiff: diff, tolerance: 1e-9 },
    notes: [...warnings, "every shape is the shape the code computed; the contributions to each tensor, summed, agree with autograd (largest difference above)"],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Each layer's output shape and parameter count with its arithmetic (P2, P3), from `summary`. */
export const layerRows = (sm: ReturnType<typeof summary>): Pick<ModelDerivation, "layers" | "totalParams"> => ({
  layers: sm.rows.map((r) => ({ name: r.name, type: r.type, outputShape: r.outputShape.map(String), arithmetic: r.arithmetic, params: r.params })),
  totalParams: sm.totalParams,
});

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
