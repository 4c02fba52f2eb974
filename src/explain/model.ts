import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { l2Penalty } from "../losses/penalty.js";
import { mse } from "../losses/regression.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { functionalCall, Module } from "../nn/module.js";
import { mlpSpec } from "../nn/build.js";
import { checkParameterCount, mlpParameters, parseMlpSpec } from "../nn/spec.js";
import * as F from "../ops/functions.js";
import { OPS, type OpName } from "../ops/index.js";
import { randint, randn } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { summary } from "../train/summary.js";
import type { Equation, ModelDerivation } from "./derivation.js";
import { group, instantiate, ruleOf, rulesOf, UPSTREAM } from "./formulas.js";
import { backwardPass, forwardText, isProduct, maxAbsDiff, type Recorded, recordedOps, ruleText, type Term } from "./graph.js";
import { formatNumber, tensorValue } from "./numbers.js";
import { type InputValue, toLeaf } from "./program.js";

/** Options of `explainModelSpec` and `explainModule`. */
export interface ExplainModelOptions {
  loss?: "cross-entropy" | "mse";
  /** λ of the penalty (λ/2)·Σ‖W‖² on the weights (default 0). */
  l2?: number;
  /** The batch size: numeric shapes (default: N stays symbolic). */
  batch?: number;
  layout?: "batch-first" | "features-first";
  /** Small data: `X`, the labels `y` (class indices) or `Y` (targets of the scores' shape), and optionally `W1`, `b1`, …. */
  values?: Readonly<Record<string, InputValue>>;
  /** Seed of the random weights and data used where none are given (default 0). */
  seed?: number;
}

/**
 * How layer ℓ computes Zℓ from Hℓ₋₁: as P5 writes it (X·W, W [in×out]), as PyTorch's Linear runs it
 * (X·Wᵀ, W [out×in]), or features-first (W·X, W [out×in], one example per column).
 */
type Template = "p5" | "torch" | "features-first";

interface Layer {
  W: Tensor;
  b: Tensor | null;
  relu: boolean;
  /** The module that computes the layer, when explaining a module. */
  linear?: Module;
  act?: Module;
}

/** The first `k` primes: distinct stand-in sizes (N, then each width) when N stays symbolic. */
const standIns = (k: number): number[] => {
  const p: number[] = [];
  for (let c = 2; p.length < k; c++) if (p.every((q) => c % q !== 0)) p.push(c);
  return p;
};
const sub = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x2080 + Number(d)));
/** The size symbols of an MLP with `hidden` hidden layers: `D`, `H` (or `H₁`, `H₂`, …), `C`. */
const sizeNamesOf = (hidden: number) =>
  ["D", ...Array.from({ length: hidden }, (_, i) => (hidden === 1 ? "H" : `H${sub(String(i + 1))}`)), "C"];

/**
 * P5's matrix form, named on the recorded graph: the forward pass runs the layers (as P5 writes them,
 * as PyTorch's Linear runs them, or features-first), the graph reader gives every op's term by its own
 * rule and formula, and this naming pass writes them with P5's names (`X`, `Zℓ`, `Hℓ`, `S`, `Wℓ`, `bℓ`):
 * a term that only passes its upstream on (the add of a bias) lends its name to the unnamed product
 * below it, the loss's rule is written with `P = softmax(S)`, and the penalty's terms read `λ·W`.
 */
function build(
  layers: Layer[],
  X: Tensor,
  target: Tensor,
  t: Template,
  opts: { loss: "cross-entropy" | "mse"; l2: number; symbols: Map<number, string> | null; spec: string; sizes: number[]; batch: number | null; withValues: boolean },
): ModelDerivation {
  const { loss, l2, symbols } = opts;
  const sizeNames = sizeNamesOf(layers.length - 1);
  const ff = t === "features-first";
  const L = layers.length;
  const shapeOf = (x: Tensor) => x.shape.map((d) => symbols?.get(d) ?? String(d));
  const names = new Map<Tensor, string>([[X, "X"]]);
  const Z: Tensor[] = [], H: Tensor[] = [X];
  layers.forEach((ly, i) => {
    names.set(ly.W, `W${i + 1}`);
    if (ly.b) names.set(ly.b, `b${i + 1}`);
    Z.push(ly.linear?.call(H[i]!) ?? F.add(ff ? F.matmul(ly.W, H[i]!) : F.matmul(H[i]!, ly.W), ly.b!));
    names.set(Z[i]!, i === L - 1 ? "S" : `Z${i + 1}`);
    if (i < L - 1) H.push(ly.relu ? (ly.act ? ly.act.call(Z[i]!) : F.relu(Z[i]!)) : Z[i]!);
    if (i < L - 1) names.set(H[i + 1]!, `H${i + 1}`);
  });
  const S = Z[L - 1]!;
  // P5's order: ∂L/∂S, then layer by layer down, W, b, the layer's input and what the activation took.
  const order = [...new Set(layers.map((ly, i) => [ly.W, ...(ly.b ? [ly.b] : []), ...(i > 0 ? [H[i]!, Z[i - 1]!] : [])]).reverse().flat())];
  const scores = ff ? F.transpose(S) : S;
  const data = loss === "cross-entropy" ? crossEntropy(scores, target) : mse(scores, target);
  const penalty = l2 > 0 ? l2Penalty(layers.map((ly) => ly.W), l2) : null;
  const lossT = penalty ? F.add(data, penalty) : data;
  const ops = recordedOps(lossT);
  const inPenalty = new Set(penalty ? recordedOps(penalty).map((r) => r.out) : []);
  const { adjoint, terms } = backwardPass(lossT, ops, [...names.keys()]);
  const n = X.shape[ff ? 1 : 0]!;
  const N = symbols?.get(n) ?? String(n);
  const C = shapeOf(S)[ff ? 0 : 1]!;
  // An unnamed tensor whose one term is its user's upstream unchanged (a bias's add) takes that user's name.
  const alias = new Map<Tensor, string>();
  const nameOf = (x: Tensor) => names.get(x) ?? alias.get(x) ?? "?";
  const textOf = (term: Term) => ruleText(term.r, term.j, `∂L/∂${nameOf(term.r.out)}`, nameOf);
  for (const term of terms) if (!names.has(term.x) && !term.broadcast && textOf(term) === `∂L/∂${nameOf(term.r.out)}`) alias.set(term.x, nameOf(term.r.out));
  const eqs: Equation[] = [];
  let maxDiff = 0;
  // NOTE: an indicator in a rule (`1[x > 0]`) is 0 on its boundary, the convention at a kink.
  const rule = (op: OpName, j: number) => `the rule of ${op}, $∂${rulesOf(OPS[op].formula)[j]!.role} = ${ruleOf(op, j)}$${ruleOf(op, j).includes("1[") ? " (0 at the kink)" : ""}`;
  for (const x of [S, ...order]) {
    const mine = terms.filter((term) => term.x === x);
    const value = mine.map((term) => term.value).reduce((a, b) => F.add(a, b));
    const main = mine.filter((term) => !inPenalty.has(term.r.out));
    const pen = mine.filter((term) => inPenalty.has(term.r.out));
    const name = nameOf(x);
    let rhs: string, note: string;
    if (x === S) ({ rhs, note } = lossGradient(loss, "S", N, C, ff ? "column" : "row"));
    else {
      const { r, j, broadcast } = main[0]!;
      rhs = main.map((term) => (term.broadcast ? `Σₙ ${textOf(term)}` : textOf(term))).join(" + ");
      const transposed = isProduct(r) && j < 2 && r.attrs[j === 0 ? "transA" : "transB"] ? ` with $${rulesOf(OPS[r.op].formula)[j]!.role} = ${name}ᵀ$` : "";
      note = `${rule(r.op, j)}${transposed}${broadcast ? `, summed over the ${ff ? "columns" : "rows"} (examples) where $${name}$ was broadcast` : ""}`;
    }
    if (pen.length > 0) {
      rhs += ` + λ·${name}`;
      note += `; $+ λ·${name}$ from $(λ/2)‖${name}‖²$ (the rule of ${pen[0]!.r.op} on $${name}·${name}$ gives $2·${name}$)`;
    }
    const diff = maxAbsDiff(value, adjoint.get(x)!);
    maxDiff = Math.max(maxDiff, diff);
    eqs.push({ lhs: `∂L/∂${name}`, rhs, shape: shapeOf(x), computedShape: [...x.shape], maxAbsDiff: diff, note, ...(opts.withValues ? { value: tensorValue(value) } : {}) });
  }
  // The forward pass: every named tensor an op computed, unnamed products written inline.
  const tight = (r: Recorded) => isProduct(r) || r.op === "mul";
  const arg = (x: Tensor, outer: Recorded, j: number): string => {
    if (names.has(x) || x._node === null) return group(names.get(x) ?? "?");
    const inner = ops.find((r) => r.out === x)!;
    const text = forwardText(inner, arg);
    return outer.op === "add" && (j === 0 || tight(inner)) ? text : group(text);
  };
  const fwd: Equation[] = ops.filter((r) => names.has(r.out)).map((r) => ({ lhs: names.get(r.out)!, rhs: forwardText(r, arg), shape: shapeOf(r.out), computedShape: [...r.out.shape] }));
  const Ws = layers.map((_, i) => `W${i + 1}`);
  const penaltyText = l2 > 0 ? ` + (λ/2)(${Ws.map((w) => `‖${w}‖²`).join(" + ")})` : "";
  fwd.push({ lhs: "L", rhs: lossText(loss, "S", N, C) + penaltyText, shape: [], computedShape: [...lossT.shape] });
  // NOTE: the real number of classes, not a stand-in size the symbolic shapes ran with.
  const warnings = degenerateLoss(loss, opts.sizes[opts.sizes.length - 1]!);
  const sizeText = sizeNames.map((s, i) => `$${s} = ${opts.sizes[i]}$`).join(", ");
  const layout = ff ? "one example per column" : "one example per row";
  const weightNote = t === "p5"
    ? `weights as P5 writes them, $${Ws[0]}$ is $${sizeNames[0]}×${sizeNames[1]}$ and $Z = X·W + b$ (PyTorch's Linear stores the transpose, $out×in$, and computes $X·Wᵀ$)`
    : `weights as PyTorch lays them, $out×in$`;
  return {
    kind: "model", spec: opts.spec, layout: ff ? "features-first" : "batch-first", loss, l2, batch: opts.batch,
    sizes: Object.fromEntries(sizeNames.map((s, i) => [s, opts.sizes[i]!])),
    standIns: symbols ? Object.fromEntries([...symbols].map(([v, s]) => [s, v])) : null,
    legend: [
      `$X$: the minibatch, ${layout}; ${opts.batch === null ? "$N$ examples (symbolic)" : `$N = ${opts.batch}$ examples`}; ${sizeText}`,
      `${L} linear layers with ReLU between them; ${weightNote}`,
      loss === "cross-entropy" ? "loss: mean softmax cross-entropy over the minibatch" : "loss: mean squared error over every element",
      ...(l2 > 0 ? [`L2 penalty $(λ/2)Σ‖W‖²$ on the weights, $λ = ${l2}$`] : []),
    ],
    forward: fwd, backward: eqs,
    numeric: { loss: lossT.item(), maxAbsDiff: maxDiff, tolerance: X.dtype === "float64" ? 1e-9 : 1e-4 },
    notes: [...warnings, "every shape is the shape the code computed; every equation was evaluated with the library's ops and compared with autograd"],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** The mean loss over `N` rows of `C` scores named `s`: cross-entropy against one-hot `Y`, or the squared error. */
export const lossText = (loss: "cross-entropy" | "mse", s: string, N: string, C: string) =>
  loss === "cross-entropy" ? `−(1/${N}) Σₙ Σⱼ Yₙⱼ log softmax(${s})ₙⱼ` : `(1/(${N}·${C})) Σ (${s} − Y)²`;

/** ∂L/∂s of `lossText`, instantiated from the loss's rule, and where it comes from. */
export function lossGradient(loss: "cross-entropy" | "mse", s: string, N: string, C: string, by = "row"): { rhs: string; note: string } {
  const sce = ruleOf("softmaxCrossEntropy", 0);
  if (loss === "mse") return { rhs: `2(${s} − Y)/(${N}·${C})`, note: `the rule of mul, $∂a = ${ruleOf("mul", 0)}$, on $(${s} − Y)·(${s} − Y)$, with $ḡ = 1/(${N}·${C})$ from the mean` };
  return {
    rhs: `${instantiate(sce, { [UPSTREAM]: "1", h: s, y: "Y" }).replace(/^1 · /, "").replace(`softmax(${s})`, "P").replace("·Σⱼ Y", "")}/${N}`,
    note: `$P = softmax(${s})$ by ${by}, $Y$ one-hot labels; the rule of the fused loss, $∂h = ${sce}$, with $ḡ = 1/${N}$ from the mean${sce.includes("Σⱼ y") ? " and $Σⱼ Y = 1$ (one-hot rows)" : ""}`,
  };
}

export function checkedLoss(opts: { loss?: string }): "cross-entropy" | "mse" {
  const loss = opts.loss ?? "cross-entropy";
  if (loss !== "cross-entropy" && loss !== "mse") throw new ValueError(`--loss must be cross-entropy or mse, found ${String(loss)}`);
  return loss;
}

/**
 * The backward pass of the MLP of a spec such as `"784-1024-512-10"` (Linear layers with ReLU between
 * them) as matrix equations with the shape of every term, for P5: `∂L/∂S = (P − Y)/N [N×C]`,
 * `∂L/∂W2 = H1ᵀ · ∂L/∂S + λ·W2 [H×C]`, … Each right side is instantiated from the ops' own formula
 * text; each shape is the shape the code computed (on stand-in sizes when N stays symbolic); each
 * equation is evaluated and compared with autograd.
 *
 * @example formatText(explainModelSpec("784-1024-10", { l2: 1e-4 }));
 */
export function explainModelSpec(spec: string, options?: ExplainModelOptions): ModelDerivation {
  const opts = checkOptions("explainModelSpec", options, ["loss", "l2", "batch", "layout", "values", "seed"]);
  const sizes = parseMlpSpec(spec);
  const loss = checkedLoss(opts);
  const l2 = opts.l2 ?? 0;
  if (!(l2 >= 0)) throw new ValueError(`--l2 must be a number ≥ 0, found ${l2}`);
  const t: Template = opts.layout === "features-first" ? "features-first" : "p5";
  const sizeNames = sizeNamesOf(sizes.length - 2);
  const g = new Generator(opts.seed ?? 0);
  const v = opts.values;
  const X0 = v?.X !== undefined ? toLeaf("X", v.X).detach() : undefined;
  let batch = opts.batch ?? null;
  if (batch !== null && !(Number.isInteger(batch) && batch > 0)) throw new ValueError(`--batch must be a positive integer, found ${batch}`);
  if (X0) batch = X0.shape[t === "features-first" ? 1 : 0]!;
  const symbolic = batch === null;
  const stand = standIns(sizes.length + 1);
  // NOTE: with a batch the network is built at its real sizes (in float64): the same cap as mlp's
  if (!symbolic) checkParameterCount("explain --model", mlpParameters(sizes));
  const real = symbolic ? stand.slice(1) : sizes;
  const n = symbolic ? stand[0]! : batch!;
  const symbols = symbolic ? new Map<number, string>([[n, "N"], ...real.map((s, i): [number, string] => [s, sizeNames[i]!])]) : null;
  const param = (name: string, shape: number[], scale: number) =>
    v?.[name] !== undefined ? toLeaf(name, v[name]!) : randn(shape, { dtype: "float64", generator: g }).mul(scale).detach().requiresGrad_().named(name);
  const layers: Layer[] = real.slice(1).map((b, i) => ({
    W: param(`W${i + 1}`, t === "p5" ? [real[i]!, b] : [b, real[i]!], 1 / Math.sqrt(real[i]!)),
    b: param(`b${i + 1}`, t === "features-first" ? [b, 1] : [b], 0.1),
    relu: i + 2 < real.length,
  }));
  const D = real[0]!, C = real[real.length - 1]!;
  const X = X0 ?? randn(t === "features-first" ? [D, n] : [n, D], { dtype: "float64", generator: g });
  let target: Tensor;
  if (loss === "cross-entropy") {
    const y = v?.y ?? v?.Y;
    target = y !== undefined ? F.cast(toLeaf("y", y).detach(), "int32") : randint(0, C, [n], { generator: g, dtype: "int32" });
    if (target.ndim !== 1) throw new ValueError(`explain --model: y must hold ${n} class indices, found shape ${target.shape.join("×")}`);
  } else target = v?.Y !== undefined ? toLeaf("Y", v.Y).detach() : randn([n, C], { dtype: "float64", generator: g });
  const d = build(layers, X, target, t, { loss, l2, symbols, spec, sizes, batch, withValues: X0 !== undefined });
  return { ...d, ...layerRows(summary(mlpSpec(spec), [sizes[0]!], { batch: batch ?? undefined, layout: d.layout, print: false })) };
}

/**
 * The backward pass of a module built in code, as matrix equations, on one input and target: a
 * `Sequential` of `Linear` layers with `ReLU` between them (weights as PyTorch lays them, so
 * `Z = X·Wᵀ + b` and `∂L/∂W = (∂L/∂Z)ᵀ · X`). The forward pass runs the modules themselves.
 *
 * @example explainModule(new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2)), x, labels);
 */
export function explainModule(model: Module, input: Tensor, target: Tensor, options?: Omit<ExplainModelOptions, "values" | "batch" | "layout" | "seed">): ModelDerivation {
  const opts = checkOptions("explainModule", options, ["loss", "l2"]);
  expectModelArgs("explainModule", model, input, target);
  const loss = checkedLoss(opts);
  const mods = model instanceof Sequential ? [...model] : [model];
  const layers: Layer[] = [];
  for (const m of mods) {
    if (m instanceof Linear) layers.push({ W: m.weight, b: m.bias, relu: false, linear: m });
    else if (m instanceof ReLU && layers.length > 0 && !layers[layers.length - 1]!.relu) Object.assign(layers[layers.length - 1]!, { relu: true, act: m });
    // NOTE: any other module is explained from the graph its forward pass records, op by op.
    else return explainTrace(model, input, target, opts);
  }
  if (layers.length === 0) return explainTrace(model, input, target, opts);
  const sizes = [layers[0]!.W.shape[1]!, ...layers.map((l) => l.W.shape[0]!)];
  const X = F.cast(input.detach(), layers[0]!.W.dtype);
  return build(layers, X, target, "torch", {
    loss, l2: opts.l2 ?? 0, symbols: null, spec: sizes.join("-"),
    sizes, batch: X.shape[0]!, withValues: true,
  });
}

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
  for (const [name, t] of model.namedParameters()) {
    state[name] = F.cast(t.detach(), "float64").detach().requiresGrad_(t.requiresGrad);
    names.set(state[name]!, name);
  }
  const params = [...names.keys()];
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
      shape: shapeText(x.shape), computedShape: [...x.shape],
      note: `${first ? "" : "+ (adds to the line above for this tensor) "}the rule of ${r.op}${broadcast ? ", summed over the broadcast axes" : ""}`,
      value: x.size <= SHOW_VALUES_UP_TO ? tensorValue(value) : undefined,
    };
  })];
  const diff = Math.max(0, ...[...sums].map(([x, s]) => maxAbsDiff(s, adjoint.get(x)!)));
  const warnings = degenerateLoss(loss, S.shape.at(-1) ?? 1);
  const sm = summary(model, input.shape.slice(1), { batch: input.shape[0], print: false });
  const kinds = [...new Set(ops.map((r) => r.op))];
  return {
    kind: "model", spec: model.constructor.name, layout: "batch-first", loss, l2, batch: input.shape[0] ?? null, sizes: {}, standIns: null,
    legend: [
      `the graph recorded by the forward pass of ${model.constructor.name} on X [${X.shape.join("×")}], with ${loss === "cross-entropy" ? "cross-entropy against the labels y" : "mean squared error against y"}${l2 > 0 ? ` and (λ/2)Σ‖W‖² on the weights, λ = ${formatNumber(l2)}` : ""}`,
      "parameters by their state-dict names (as PyTorch names them); H<path>: the output of the submodule at <path>; t1, t2, …: other intermediate results",
      `ops that ran: ${kinds.join(", ")}; each backward line is one input's gradient by that op's own rule; a tensor used twice gets two lines, which add up`,
      ...[...types].map(([n, type]) => `${n}: output of ${type}`),
    ],
    forward, backward,
    ...layerRows(sm),
    numeric: { loss: L.item(), maxAbsDiff: diff, tolerance: 1e-9 },
    notes: [...warnings, "every shape is the shape the code computed; the contributions to each tensor, summed, agree with autograd (largest difference above)"],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Each layer's output shape and parameter count with its arithmetic (P2, P3), from `summary`. */
const layerRows = (sm: ReturnType<typeof summary>): Pick<ModelDerivation, "layers" | "totalParams"> => ({
  layers: sm.rows.map((r) => ({ name: r.name, type: r.type, outputShape: r.outputShape.map(String), arithmetic: r.arithmetic, params: r.params })),
  totalParams: sm.totalParams,
});

/** Why a loss says nothing about the network: softmax over one class is 1 whatever the score, so cross-entropy is 0 and so is every gradient. */
export function degenerateLoss(loss: "cross-entropy" | "mse", classes: number): string[] {
  if (loss !== "cross-entropy" || classes !== 1) return [];
  return ["the network has one output: softmax over one class is $1$ whatever the score, so the cross-entropy loss is $L = 0$ and every gradient is $0$; for one output use mse (--loss mse), or give the network two outputs, one per class"];
}

/** Fails with a ValueError unless the arguments are a module and two tensors. */
function expectModelArgs(where: string, model: unknown, input: unknown, target: unknown): void {
  if (!(model instanceof Module)) throw new ValueError(`${where}: the model must be a Module, found ${model === null ? "null" : typeof model}`);
  for (const [what, t] of [["input", input], ["target", target]] as const) {
    if (!(t instanceof Tensor)) throw new ValueError(`${where}: the ${what} must be a Tensor, found ${t === null ? "null" : typeof t}`);
  }
}
