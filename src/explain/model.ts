import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { gradients } from "../autograd/engine.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { l2Penalty } from "../losses/penalty.js";
import { mse } from "../losses/regression.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import type { Module } from "../nn/module.js";
import { mlp, parseMlpSpec } from "../nn/spec.js";
import * as F from "../ops/functions.js";
import { randint, randn } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { summary } from "../train/summary.js";
import type { Equation, ModelDerivation } from "./derivation.js";
import { instantiate, ruleOf, UPSTREAM } from "./formulas.js";
import { tensorValue } from "./numbers.js";
import { type InputValue, toLeaf } from "./program.js";
import { degenerateLoss, expectModelArgs, explainTrace } from "./trace.js";

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

const STAND_INS = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47];
const sub = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x2080 + Number(d)));

/** The derivative of a matrix product, by the rule of matmul, for each template. */
function linearRules(t: Template, g: string, H: string, W: string): { dW: string; dH: string; z: string } {
  const mm = (i: number, A: string, B: string) => instantiate(ruleOf("matmul", i), { [UPSTREAM]: g, A, B });
  if (t === "p5") return { z: `${H} · ${W}`, dW: mm(1, H, W), dH: mm(0, H, W) };
  if (t === "features-first") return { z: `${W} · ${H}`, dW: mm(0, W, H), dH: mm(1, W, H) };
  // Z = H·Wᵀ: matmul's rules with B = Wᵀ give ∂(Wᵀ) = Hᵀ·ḡ, so ∂W = (Hᵀ·ḡ)ᵀ = ḡᵀ·H, and ∂H = ḡ·(Wᵀ)ᵀ = ḡ·W
  return { z: `${H} · ${W}ᵀ`, dW: `(${g})ᵀ · ${H}`, dH: mm(0, H, `${W}ᵀ`).replace("ᵀᵀ", "") };
}

function build(
  layers: Layer[],
  X: Tensor,
  target: Tensor,
  t: Template,
  opts: { loss: "cross-entropy" | "mse"; l2: number; symbols: Map<number, string> | null; spec: string; sizeNames: string[]; sizes: number[]; batch: number | null; withValues: boolean },
): ModelDerivation {
  const { loss, l2, symbols } = opts;
  const L = layers.length;
  const shapeOf = (x: Tensor) => x.shape.map((d) => symbols?.get(d) ?? String(d));
  const rowAxis = t === "features-first" ? 1 : 0;
  const hName = (l: number) => (l === 0 ? "X" : `H${l}`);
  const zName = (l: number) => (l === L ? "S" : `Z${l}`);
  const Ws = layers.map((_, i) => `W${i + 1}`);
  // forward, keeping every intermediate
  const Z: Tensor[] = [], H: Tensor[] = [X];
  layers.forEach((ly, i) => {
    let z: Tensor;
    if (ly.linear) z = ly.linear.call(H[i]!);
    else {
      const prod = t === "p5" ? F.matmul(H[i]!, ly.W) : t === "features-first" ? F.matmul(ly.W, H[i]!) : F.matmul(H[i]!, F.transpose(ly.W));
      z = ly.b ? F.add(prod, ly.b) : prod;
    }
    Z.push(z);
    if (i < L - 1) H.push(ly.relu ? (ly.act ? ly.act.call(z) : F.relu(z)) : z);
  });
  const S = Z[L - 1]!;
  const scores = t === "features-first" ? F.transpose(S) : S;
  let lossT = loss === "cross-entropy" ? crossEntropy(scores, target) : mse(scores, target);
  if (l2 > 0) lossT = F.add(lossT, l2Penalty(layers.map((ly) => ly.W), l2));
  const tracked = [S, ...Z.slice(0, -1), ...H.slice(1), ...layers.flatMap((ly) => (ly.b ? [ly.W, ly.b] : [ly.W]))];
  const autoGrads = gradients(lossT, tracked, { retainGraph: true });
  const auto = new Map(tracked.map((x, i) => [x, autoGrads[i]!]));
  const n = X.shape[rowAxis]!;
  const N = symbols?.get(n) ?? String(n);
  const C = shapeOf(S)[t === "features-first" ? 0 : 1]!;
  const eqs: Equation[] = [];
  let maxDiff = 0;
  const eq = (lhs: string, rhs: string, x: Tensor, formula: Tensor, note?: string) => {
    const diff = F.max(F.abs(F.sub(formula, auto.get(x)!))).item();
    maxDiff = Math.max(maxDiff, diff);
    eqs.push({ lhs, rhs, shape: shapeOf(x), computedShape: [...x.shape], maxAbsDiff: diff, ...(note ? { note } : {}), ...(opts.withValues ? { value: tensorValue(formula) } : {}) });
  };
  // ∂L/∂S from the fused loss's rule with ḡ = 1/N (the mean), or from mse = mean((S − Y)²)
  let dZ: Tensor;
  if (loss === "cross-entropy") {
    const Yt = target.ndim === 1 ? F.oneHot(target, S.shape[t === "features-first" ? 0 : 1], { dtype: "float64" }) : target;
    const Ymat = t === "features-first" ? F.transpose(Yt) : Yt;
    dZ = F.div(F.sub(F.softmax(S, t === "features-first" ? 0 : -1), Ymat), n);
    const rule = instantiate(ruleOf("softmaxCrossEntropy", 0), { [UPSTREAM]: "1", h: "S", y: "Y" }).replace(/^1 · /, "").replace("softmax(S)", "P").replace("·Σⱼ Y", "");
    eq("∂L/∂S", `${rule}/${N}`, S, dZ, `$P = softmax(S)$ by ${t === "features-first" ? "column" : "row"}, $Y$ one-hot labels; the rule of the fused loss, $∂h = ${ruleOf("softmaxCrossEntropy", 0)}$, with $ḡ = 1/${N}$ from the mean${ruleOf("softmaxCrossEntropy", 0).includes("Σⱼ y") ? " and $Σⱼ Y = 1$ (one-hot rows)" : ""}`);
  } else {
    dZ = F.div(F.mul(F.sub(S, t === "features-first" ? F.transpose(target) : target), 2), S.size);
    eq("∂L/∂S", `2(S − Y)/(${N}·${C})`, S, dZ, `the rule of pow, $∂a = ${ruleOf("pow", 0)}$, on $(S − Y)^2$, with $ḡ = 1/(${N}·${C})$ from the mean`);
  }
  for (let l = L; l >= 1; l--) {
    const ly = layers[l - 1]!;
    const g = `∂L/∂${zName(l)}`;
    const r = linearRules(t, g, hName(l - 1), Ws[l - 1]!);
    const Hprev = H[l - 1]!;
    let dW = t === "p5" ? F.matmul(F.transpose(Hprev), dZ) : t === "features-first" ? F.matmul(dZ, F.transpose(Hprev)) : F.matmul(F.transpose(dZ), Hprev);
    let wText = r.dW;
    if (l2 > 0) {
      dW = F.add(dW, F.mul(ly.W, l2));
      wText += ` + λ·${Ws[l - 1]}`;
    }
    const penalty = l2 > 0 ? `; $+ λ·${Ws[l - 1]}$ from $(λ/2)‖${Ws[l - 1]}‖²$ (the rule of mul on $${Ws[l - 1]}·${Ws[l - 1]}$ gives $2·${Ws[l - 1]}$)` : "";
    eq(`∂L/∂${Ws[l - 1]}`, wText, ly.W, dW, `the rule of matmul, $${t === "torch" ? "∂B = Aᵀ · ḡ$ with $B = Wᵀ$" : t === "p5" ? "∂B = Aᵀ · ḡ$" : "∂A = ḡ · Bᵀ$"}${penalty}`);
    if (ly.b) {
      const db = F.reshape(F.sum(dZ, rowAxis, true), ly.b.shape);
      const addRule = ruleOf("add", 1);
      eq(`∂L/∂b${l}`, `Σₙ ${instantiate(addRule, { [UPSTREAM]: g })}`, ly.b, db, `the rule of add, $∂b = ${addRule}$, summed over the ${t === "features-first" ? "columns" : "rows"} (examples) where $b${l}$ was broadcast`);
    }
    if (l === 1) break;
    const W = ly.W;
    const dH = t === "p5" ? F.matmul(dZ, F.transpose(W)) : t === "features-first" ? F.matmul(F.transpose(W), dZ) : F.matmul(dZ, W);
    eq(`∂L/∂${hName(l - 1)}`, r.dH, H[l - 1]!, dH, `the rule of matmul, $${t === "features-first" ? "∂B = Aᵀ · ḡ" : "∂A = ḡ · Bᵀ"}$`);
    const reluRule = ruleOf("relu", 0);
    dZ = F.mul(dH, F.gt(Z[l - 2]!, 0));
    eq(`∂L/∂${zName(l - 1)}`, instantiate(reluRule, { [UPSTREAM]: `∂L/∂${hName(l - 1)}`, x: zName(l - 1) }), Z[l - 2]!, dZ, `the rule of relu, $∂x = ${reluRule}$ (0 at the kink)`);
  }
  const fwd: Equation[] = [];
  const fq = (lhs: string, rhs: string, x: Tensor) => fwd.push({ lhs, rhs, shape: shapeOf(x), computedShape: [...x.shape] });
  layers.forEach((ly, i) => {
    const r = linearRules(t, "", hName(i), Ws[i]!);
    fq(zName(i + 1), ly.b ? `${r.z} + b${i + 1}` : r.z, Z[i]!);
    if (i < L - 1) fq(hName(i + 1), `ReLU(${zName(i + 1)})`, H[i + 1]!);
  });
  const penaltyText = l2 > 0 ? ` + (λ/2)(${Ws.map((w) => `‖${w}‖²`).join(" + ")})` : "";
  if (loss === "cross-entropy") fwd.push({ lhs: "L", rhs: `−(1/${N}) Σₙ Σⱼ Yₙⱼ log softmax(S)ₙⱼ${penaltyText}`, shape: [], computedShape: [...lossT.shape] });
  else fwd.push({ lhs: "L", rhs: `(1/(${N}·${C})) Σ (S − Y)²${penaltyText}`, shape: [], computedShape: [...lossT.shape] });
  // NOTE: the real number of classes, not a stand-in size the symbolic shapes ran with.
  const warnings = degenerateLoss(loss, opts.sizes[opts.sizes.length - 1]!);
  const sizeText = opts.sizeNames.map((s, i) => `$${s} = ${opts.sizes[i]}$`).join(", ");
  const layout = t === "features-first" ? "one example per column" : "one example per row";
  const weightNote = t === "p5"
    ? `weights as P5 writes them, $${Ws[0]}$ is $${opts.sizeNames[0]}×${opts.sizeNames[1]}$ and $Z = X·W + b$ (PyTorch's Linear stores the transpose, $out×in$, and computes $X·Wᵀ$)`
    : `weights as PyTorch lays them, $out×in$`;
  return {
    kind: "model",
    spec: opts.spec,
    layout: t === "features-first" ? "features-first" : "batch-first",
    loss,
    l2,
    batch: opts.batch,
    sizes: Object.fromEntries(opts.sizeNames.map((s, i) => [s, opts.sizes[i]!])),
    standIns: symbols ? Object.fromEntries([...symbols].map(([v, s]) => [s, v])) : null,
    legend: [
      `$X$: the minibatch, ${layout}; ${opts.batch === null ? "$N$ examples (symbolic)" : `$N = ${opts.batch}$ examples`}; ${sizeText}`,
      `${L} linear layers with ReLU between them; ${weightNote}`,
      loss === "cross-entropy" ? "loss: mean softmax cross-entropy over the minibatch" : "loss: mean squared error over every element",
      ...(l2 > 0 ? [`L2 penalty $(λ/2)Σ‖W‖²$ on the weights, $λ = ${l2}$`] : []),
    ],
    forward: fwd,
    backward: eqs,
    numeric: { loss: lossT.item(), maxAbsDiff: maxDiff, tolerance: X.dtype === "float64" ? 1e-9 : 1e-4 },
    notes: [...warnings, "every shape is the shape the code computed; every equation was evaluated with the library's ops and compared with autograd"],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function checkedLoss(opts: ExplainModelOptions): "cross-entropy" | "mse" {
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
  const hidden = sizes.length - 2;
  const sizeNames = ["D", ...(hidden === 1 ? ["H"] : Array.from({ length: hidden }, (_, i) => `H${sub(String(i + 1))}`)), "C"];
  const g = new Generator(opts.seed ?? 0);
  const v = opts.values;
  const X0 = v?.X !== undefined ? toLeaf("X", v.X).detach() : undefined;
  let batch = opts.batch ?? null;
  if (batch !== null && !(Number.isInteger(batch) && batch > 0)) throw new ValueError(`--batch must be a positive integer, found ${batch}`);
  if (X0) batch = X0.shape[t === "features-first" ? 1 : 0]!;
  const symbolic = batch === null;
  const real = symbolic ? STAND_INS.slice(1, sizes.length + 1) : sizes;
  const n = symbolic ? STAND_INS[0]! : batch!;
  const symbols = symbolic ? new Map<number, string>([[n, "N"], ...real.map((s, i): [number, string] => [s, sizeNames[i]!])]) : null;
  const param = (name: string, shape: number[], scale: number) =>
    v?.[name] !== undefined ? toLeaf(name, v[name]!) : randn(shape, { dtype: "float64", generator: g }).mul(scale).detach().requiresGrad_().named(name);
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < real.length; i++) {
    const [a, b] = [real[i]!, real[i + 1]!];
    const W = param(`W${i + 1}`, t === "p5" ? [a, b] : [b, a], 1 / Math.sqrt(a));
    const bias = param(`b${i + 1}`, t === "features-first" ? [b, 1] : [b], 0.1);
    layers.push({ W, b: bias, relu: i + 2 < real.length });
  }
  const D = real[0]!, C = real[real.length - 1]!;
  const X = X0 ?? randn(t === "features-first" ? [D, n] : [n, D], { dtype: "float64", generator: g });
  let target: Tensor;
  if (loss === "cross-entropy") {
    const y = v?.y ?? v?.Y;
    target = y !== undefined ? F.cast(toLeaf("y", y).detach(), "int32") : randint(0, C, [n], { generator: g, dtype: "int32" });
    if (target.ndim !== 1) throw new ValueError(`explain --model: y must hold ${n} class indices, found shape ${target.shape.join("×")}`);
  } else {
    target = v?.Y !== undefined ? toLeaf("Y", v.Y).detach() : randn([n, C], { dtype: "float64", generator: g });
  }
  const d = build(layers, X, target, t, { loss, l2, symbols, spec, sizeNames, sizes, batch, withValues: X0 !== undefined });
  const s = summary(mlp(sizes), [sizes[0]!], { batch: batch ?? undefined, layout: t === "features-first" ? "features-first" : "batch-first", print: false });
  d.layers = s.rows.map((r) => ({ name: r.name, type: r.type, outputShape: r.outputShape.map(String), arithmetic: r.arithmetic, params: r.params }));
  d.totalParams = s.totalParams;
  return d;
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
    sizeNames: ["D", ...layers.slice(1).map((_, i) => (layers.length === 2 ? "H" : `H${sub(String(i + 1))}`)), "C"],
    sizes, batch: X.shape[0]!, withValues: true,
  });
}
