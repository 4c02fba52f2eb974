import { ValueError } from "../errors.js";
import { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import * as F from "../ops/functions.js";
import { PROGRAM_FUNCTIONS, vocabOf, type VocabName } from "../ops/vocab.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Expr, exprToText, type Program } from "./ast.js";
import { checkClaims } from "./check.js";
import type { AdjointStep, AdjointTerm, Factor, ForwardStep, Gradient, GraphEdge, GraphNode, ModelDerivation, Path, ProgramDerivation } from "./derivation.js";
import { dropUnitUpstream, gradSymbol, group, instantiate, ruleOf, ruleWith, UPSTREAM } from "./formulas.js";
import { type ExplainModelOptions, explainModule } from "./model.js";
import { DEFAULT_PRECISION, countText, factorText, formatFactor, formatNumber, formatValue, tensorValue } from "./numbers.js";
import { parseProgram } from "./parser.js";
import {
  type Evaluated, type InputValue, type Occurrence, type Step, type TreeNode,
  dependencies, evaluateProgram, localPartials, occurrenceVjps, totalGradients,
} from "./program.js";
import { type Claim, parseClaims } from "./values.js";

/** Options of `explainProgram`. */
export interface ExplainProgramOptions {
  /** The output (default: the last assignment). */
  of?: string;
  /** The variables to differentiate by (default: every input). */
  wrt?: readonly string[];
  /** Significant digits shown before trimming (default 10). */
  precision?: number;
  /** Claims to check, as `--check` takes them (`"y1=-0.08, dz/dw1=-0.2"`) or parsed. */
  check?: string | readonly Claim[];
  /** Relative tolerance of the checks (default 1e-6). */
  tol?: number;
}

/** The most chain-rule paths a gradient lists; the count of all of them is said. */
const MAX_PATHS = 32;
/** The most variables on a listed path, and the most path extensions tried while listing one gradient's paths. */
const MAX_PATH_LENGTH = 64;
const MAX_WORK = 20000;

/** The activations of the program language (relu, sigmoid, tanh), whose derivatives are written `σ'(u)`. */
const PROGRAM_ACTIVATIONS = PROGRAM_FUNCTIONS.map((f) => f.op).filter((op) => vocabOf(op).activation);
/** The vocabulary of a tree node's op (none for `var` and `num`). */
const vocabOfNode = (n: TreeNode) => (n.op === "var" || n.op === "num" ? undefined : vocabOf(n.op));

const isScalar = (t: Tensor) => t.size === 1;
/** Whether a sub-expression and every sub-expression in it have one element. */
const allScalar = (n: TreeNode): boolean => isScalar(n.value) && n.children.every(allScalar);
/** A number as an expression, written at `precision` digits (negative numbers as a negation). */
const num = (value: number, precision: number): Expr => {
  const pos = { line: 0, column: 0, offset: 0, end: 0 };
  const lit: Expr = { kind: "num", value: Math.abs(value), text: formatNumber(Math.abs(value), precision).replace("e−", "e-"), pos };
  return value < 0 ? { kind: "unary", op: "-", arg: lit, pos } : lit;
};
/** Whether gradients flow through an occurrence: not into class indices given to crossentropy. */
const differentiable = (o: Occurrence) =>
  o.path.every(({ node, child }) => !(node.op === "softmaxCrossEntropy" && child === 1 && node.children[1]!.value.ndim !== node.children[0]!.value.ndim));

/** @internal The program's variables and values after evaluation, with the explanation machinery. */
export class ProgramExplainer {
  private readonly partials = new Map<TreeNode, (Tensor | null)[]>();
  private readonly factors = new Map<TreeNode, Factor[]>();
  private readonly nodes = new Map<Factor, TreeNode>();
  /** Every variable and every sub-expression has one element. */
  readonly scalar: boolean;

  constructor(readonly ev: Evaluated, readonly precision: number) {
    this.scalar = [...ev.vars.values()].every(isScalar) && [...ev.steps.values()].every((s) => allScalar(s.root));
  }

  fmt = (v: number) => formatNumber(v, this.precision);

  /** The text of an expression with each variable replaced by its number and `reduced` sub-trees by theirs. */
  private substituted(n: TreeNode, reduced: Set<TreeNode>): Expr {
    if (n.op === "var" || reduced.has(n)) return num(n.value.item(), this.precision);
    if (n.op === "num") return n.expr;
    const kids = n.children.map((c) => this.substituted(c, reduced));
    const e = n.expr;
    if (n.op === "neg") return { kind: "unary", op: "-", arg: kids[0]!, pos: e.pos };
    if (e.kind === "binary") return { ...e, left: kids[0]!, right: kids[1]! };
    if (e.kind === "call") return { ...e, args: n.axis === undefined ? kids : [kids[0]!, e.args[1]!] };
    return e;
  }

  /** `ReLU(1·0.3 + 0.1)`, `ReLU(0.4)`, `0.4`: the expression with numbers, reduced one level at a time. */
  stages(root: TreeNode): string[] {
    if (!allScalar(root)) return [formatValue(tensorValue(root.value), this.precision)];
    const reduced = new Set<TreeNode>();
    const isCall = (n: TreeNode) => n.expr.kind === "call";
    const atomic = (n: TreeNode) => reduced.has(n) || n.op === "var" || n.op === "num";
    const callFree = (n: TreeNode): boolean => atomic(n) || (!isCall(n) && n.children.every(callFree));
    const live = (n = root, out: TreeNode[] = []): TreeNode[] => {
      if (atomic(n)) return out;
      out.push(n);
      for (const c of n.children) live(c, out);
      return out;
    };
    const out = [exprToText(this.substituted(root, reduced))];
    for (let guard = 0; guard < 64; guard++) {
      if (callFree(root)) break;
      const calls = live().filter(isCall);
      const args = calls.flatMap((c) => c.children.filter((ch) => !atomic(ch) && callFree(ch)));
      const next = args.length > 0 ? args : calls.filter((c) => c.children.every(atomic));
      next.forEach((n) => reduced.add(n));
      out.push(exprToText(this.substituted(root, reduced)));
    }
    out.push(this.fmt(root.value.item()));
    const text = exprToText(root.expr);
    return out.filter((s, i) => s !== out[i - 1] && s !== text);
  }

  forwardStep(s: Step): ForwardStep {
    return { name: s.name, expression: exprToText(s.root.expr), stages: this.stages(s.root), value: tensorValue(s.value), shape: [...s.value.shape] };
  }

  /** The local derivative of node `n` with respect to its child `i`, as a factor of a chain-rule product. */
  factor(step: Step, n: TreeNode, i: number): Factor {
    let cached = this.factors.get(n);
    if (!cached) this.factors.set(n, (cached = []));
    if (cached[i]) return cached[i]!;
    const c = n.children[i]!;
    if (!this.partials.has(n)) this.partials.set(n, localPartials(n));
    const value = this.partials.get(n)![i]?.item() ?? 0;
    const base = { value, step: step.name, of: n.text, by: c.text };
    let f: Factor;
    const v = vocabOfNode(n);
    const activation = v?.activation ? v.display : undefined;
    if (activation) {
      const u = c.value.item();
      f = { ...base, text: `${activation}'(${c.text})`, atValues: `${activation}'(${this.fmt(u)})`, unit: false, role: "activation" };
      if (n.op === "relu" && u === 0) f.kink = `$${activation}'(${c.text})$ at $${c.text} = 0$, the kink: taken as $0$, as PyTorch does`;
    } else if (n.op === "pow" && n.children[1]!.op === "num" && i === 0) {
      const p = n.children[1]!.value.item();
      const power = p - 1 === 1 ? group(c.text) : `${group(c.text)}^${formatFactor(p - 1)}`;
      f = { ...base, text: p - 1 === 0 ? this.fmt(p) : `${this.fmt(p)}·${power}`, unit: false, role: "other" };
    } else {
      // The op's formula with ḡ = 1: a rule that passes ḡ on is a structural 1; one that gives another operand names it.
      const op = n.op as VocabName;
      const rule = ruleOf(op, i);
      const text = dropUnitUpstream(ruleWith(op, i, "1", n.children.map((k) => k.text)));
      const other = n.children.find((k, j) => j !== i && group(k.text) === text);
      const role = rule === UPSTREAM ? "unit" : other ? (other.op === "num" ? "constant" : "operand") : /^−?\d+$/.test(text) ? "constant" : "other";
      f = { ...base, text, atValues: dropUnitUpstream(ruleWith(op, i, "1", n.children.map((k) => this.fmt(k.value.item())))), unit: role === "unit", role };
      const kinked = (n.op === "abs" && c.value.item() === 0) || ((n.op === "maximum" || n.op === "minimum") && n.children[0]!.value.item() === n.children[1]!.value.item());
      if (kinked) f.kink = `$${f.text}$ at a kink ($${n.text}$ with ${n.op === "abs" ? `$${c.text} = 0$` : "equal arguments"}): taken as $${this.fmt(value)}$, as PyTorch does`;
    }
    if (f.atValues === formatFactor(value, this.precision) || f.atValues === this.fmt(value)) delete f.atValues;
    cached[i] = f;
    this.nodes.set(f, n);
    return f;
  }

  /** The sub-expression a factor differentiates. */
  nodeOf(f: Factor): TreeNode | undefined {
    return this.nodes.get(f);
  }

  edgeFactors(step: Step, o: Occurrence): Factor[] {
    return o.path.map(({ node, child }) => this.factor(step, node, child));
  }

  private readonly counts = new Map<string, Map<string, bigint>>();

  /** How many chain-rule paths lead from `of` to `wrt`: exact (they double with each rung of a ladder), from one reverse sweep. */
  countPaths(of: string, wrt: string): bigint {
    let counts = this.counts.get(of);
    if (!counts) {
      counts = new Map([[of, 1n]]);
      const names = [...this.ev.steps.keys()];
      for (let i = names.length - 1; i >= 0; i--) {
        const c = counts.get(names[i]!);
        if (c === undefined) continue;
        for (const o of this.ev.steps.get(names[i]!)!.occurrences) counts.set(o.name, (counts.get(o.name) ?? 0n) + c);
      }
      this.counts.set(of, counts);
    }
    return counts.get(wrt) ?? 0n;
  }

  /**
   * The chain-rule paths from `of` to `wrt`, labelled, in the order of the program's text: all of them,
   * or when there are more than MAX_PATHS, the shortest ones up to that bound (`total` says how many
   * there are in all); null when none is short enough to list.
   */
  paths(of: string, wrt: string): { paths: Path[] | null; total: bigint } {
    const total = of === wrt ? 1n : this.countPaths(of, wrt);
    type Partial = { vars: string[]; factors: Factor[]; keys: number[] };
    const found: Partial[] = of === wrt ? [{ vars: [of], factors: [], keys: [] }] : [];
    // NOTE: breadth first, so that the shortest paths come first and a long program costs at most MAX_WORK extensions.
    let frontier: Partial[] = of === wrt ? [] : [{ vars: [of], factors: [], keys: [] }];
    let work = 0;
    while (frontier.length > 0 && found.length < MAX_PATHS && work < MAX_WORK && frontier[0]!.vars.length < MAX_PATH_LENGTH) {
      const next: Partial[] = [];
      for (const p of frontier) {
        const s = this.ev.steps.get(p.vars[p.vars.length - 1]!)!;
        s.occurrences.forEach((o, k) => {
          if (o.name !== wrt && !this.ev.steps.has(o.name)) return;
          work++;
          const q = { vars: [...p.vars, o.name], factors: [...p.factors, ...this.edgeFactors(s, o)], keys: [...p.keys, k] };
          (o.name === wrt ? found : next).push(q);
        });
        if (found.length >= MAX_PATHS || work >= MAX_WORK) break;
      }
      frontier = next;
    }
    if (found.length === 0 && total > 0n) return { paths: null, total };
    const byText = (a: Partial, b: Partial) => {
      for (let i = 0; i < Math.min(a.keys.length, b.keys.length); i++) if (a.keys[i] !== b.keys[i]) return a.keys[i]! - b.keys[i]!;
      return a.keys.length - b.keys.length;
    };
    const raw = found.slice(0, MAX_PATHS).sort(byText);
    const anyLong = raw.some((p) => p.vars.length > 2);
    const labels = raw.map((p) => (p.vars.length > 2 ? `through ${p.vars.slice(1, -1).join(", ")}` : anyLong ? "skip connection" : raw.length > 1 ? "direct" : ""));
    return { total, paths: raw.map((p, i) => {
      const same = labels.filter((l, j) => l === labels[i] && j < i).length;
      const count = labels.filter((l) => l === labels[i]).length;
      const label = count > 1 ? `${labels[i]}, use ${same + 1} of ${wrt}` : labels[i]!;
      return { label, vars: p.vars, factors: p.factors, value: p.factors.reduce((acc, f) => acc * f.value, 1) };
    }) };
  }

  /** The gradient of `of` with respect to each of `wrt`, with its paths. */
  gradients(of: string, wrt: readonly string[]): Gradient[] {
    const totals = totalGradients(this.ev, of, wrt);
    return wrt.map((w) => {
      const t = totals.get(w)!;
      const g: Gradient = { symbol: gradSymbol(of, w), of, wrt: w, value: tensorValue(t), shape: [...t.shape], paths: null };
      if (!this.scalar) g.pathsOmitted = "tensors: the backward pass shows the matrix form";
      else {
        const { paths, total } = this.paths(of, w);
        g.paths = paths;
        if (paths === null || BigInt(paths.length) < total) g.totalPaths = total.toString();
        if (paths === null) g.pathsOmitted = `${countText(total)} ${total === 1n ? "path" : "paths"}, too long to list: the backward pass shows how reverse mode sums ${total === 1n ? "it" : "them"}`;
      }
      return g;
    });
  }

  /** The vector-Jacobian product of node `n` for child `i` as text, from the op's formula, given the upstream text `g`. */
  vjpText(n: TreeNode, i: number, g: string): string {
    const c = n.children[i]!;
    let t: string;
    if (n.op === "sum" || n.op === "mean") {
      // NOTE: sum's formula is prose ("ḡ broadcast over the summed axes"); 𝟏 is a tensor of ones of the input's shape.
      const ones = n.axis === undefined ? (g === "1" ? "𝟏" : `${group(g)}·𝟏`) : `expand(${g})`;
      t = n.op === "mean" ? `${ones}/${c.value.size / n.value.size}` : ones;
    } else if (n.op === "softmaxCrossEntropy") {
      const rows = c.value.ndim === 2 ? c.value.shape[0]! : 1;
      const target = n.children[1]!;
      const y = target.value.ndim === c.value.ndim ? target.text : `onehot(${target.text})`;
      if (i === 0) {
        // NOTE: one-hot rows sum to 1, so the rule's Σⱼ y drops out for class indices.
        const general = instantiate(ruleOf("softmaxCrossEntropy", 0), { [UPSTREAM]: "1", h: c.text, y });
        const rule = y === target.text ? general : general.replace(`·Σⱼ ${y}`, "");
        t = dropUnitUpstream(rule) + (rows > 1 ? `/${rows}` : "");
      } else t = `−logsoftmax(${n.children[0]!.text})${rows > 1 ? `/${rows}` : ""}`;
      if (g !== "1") t = `${group(g)}·${group(t)}`;
    } else {
      t = ruleWith(n.op as VocabName, i, g, n.children.map((k) => k.text));
      if (g === "1") t = dropUnitUpstream(t);
    }
    if (vocabOfNode(n)?.shape === "broadcast" && c.value.size !== n.value.size) {
      if (c.value.size === 1) t = `Σ ${group(t)}`;
      else if (n.value.ndim === 2 && c.value.ndim <= 1) t = `Σₙ ${group(t)}`;
      else t = `sum of ${group(t)} over the broadcast axes`;
    }
    return t;
  }

  /** One assignment's local derivative with respect to one occurrence, for display: factors without the structural 1s. */
  localText(step: Step, o: Occurrence): { text: string; atValues: string; values: number[] } {
    const fs = this.edgeFactors(step, o).filter((f) => !f.unit);
    if (fs.length === 0) return { text: "1", atValues: "1", values: [1] };
    return {
      text: fs.map((f) => factorText(f.text)).join(" · "),
      atValues: fs.map((f) => factorText(f.atValues ?? formatFactor(f.value, this.precision))).join(" · "),
      values: fs.map((f) => f.value),
    };
  }

  /** The vector-Jacobian product of one occurrence's path as text, from the upstream text `g` down to the variable. */
  private pathVjpText(o: Occurrence, g: string): string {
    return o.path.reduce((acc, { node, child }) => this.vjpText(node, child, acc), g);
  }

  /**
   * Reverse mode at the level of variables: the output's adjoint, then each variable's, the sum of what
   * each use sends back (upstream × local, by the recorded ops' rules); the adjoints are autograd's.
   */
  backward(of: string): AdjointStep[] {
    const deps = dependencies(this.ev, of);
    const order = [of, ...[...deps].filter((v) => v !== of && this.ev.steps.has(v)).reverse(), ...[...deps].filter((v) => !this.ev.steps.has(v))];
    const adjoint = totalGradients(this.ev, of, order);
    adjoint.set(of, F.onesLike(this.ev.vars.get(of)!));
    const vjps = new Map<string, Tensor[]>();
    const listed = new Set<string>([of]);
    const steps: AdjointStep[] = [];
    // NOTE: each variable's uses, in program order, found once: a scan of every step per variable is quadratic.
    const uses = new Map<string, [Step, Occurrence, number][]>();
    for (const s of this.ev.steps.values()) s.occurrences.forEach((o, k) => uses.get(o.name)?.push([s, o, k]) ?? uses.set(o.name, [[s, o, k]]));
    for (const v of order) {
      const terms: AdjointTerm[] = [];
      for (const [s, o, k] of v === of ? [] : uses.get(v) ?? []) {
        if (!listed.has(s.name) || !differentiable(o)) continue;
        if (!vjps.has(s.name)) vjps.set(s.name, occurrenceVjps(s, adjoint.get(s.name)!));
        const upstream = gradSymbol(of, s.name);
        const l = this.scalar ? this.localText(s, o) : undefined;
        const local = l?.text ?? this.pathVjpText(o, s.name === of ? "1" : upstream);
        const value = tensorValue(vjps.get(s.name)![k]!);
        const upstreamValue = tensorValue(adjoint.get(s.name)!);
        terms.push({ from: s.name, upstream, upstreamValue, local, value, ...(l && { localAtValues: l.atValues, localValues: l.values }) });
      }
      if (v !== of && terms.length === 0) continue;
      listed.add(v);
      const t = adjoint.get(v)!;
      steps.push({ name: v, symbol: gradSymbol(of, v), terms, value: tensorValue(t), shape: [...t.shape] });
    }
    return steps;
  }

  graph(of: string, grads: Map<string, Tensor> | null): { nodes: GraphNode[]; edges: GraphEdge[] } {
    const deps = dependencies(this.ev, of);
    const nodes: GraphNode[] = [...deps].map((name) => {
      const t = this.ev.vars.get(name)!;
      const s = this.ev.steps.get(name);
      const g = grads?.get(name);
      return {
        name, kind: s ? "assigned" : "input", ...(s ? { expression: exprToText(s.root.expr) } : {}),
        value: tensorValue(t), shape: [...t.shape], grad: g ? tensorValue(g) : null,
      };
    });
    const edges: GraphEdge[] = [];
    for (const s of this.ev.steps.values()) {
      if (!deps.has(s.name)) continue;
      const seen = [...new Set(s.occurrences.map((o) => o.name))];
      for (const from of seen) {
        const occ = s.occurrences.filter((o) => o.name === from && differentiable(o));
        const to = s.name;
        if (occ.length === 0) edges.push({ from, to, local: "no gradient (class indices)", value: null });
        else if (this.scalar) {
          const value = occ.reduce((acc, o) => acc + this.edgeFactors(s, o).reduce((p, f) => p * f.value, 1), 0);
          edges.push({ from, to, local: occ.map((o) => this.localText(s, o).text).join(" + "), value });
        } else edges.push({ from, to, local: occ.map((o) => this.pathVjpText(o, gradSymbol(of, to))).join(" + "), value: null });
      }
    }
    return { nodes, edges };
  }

  /**
   * Where a forward value leaves a function's domain (division by zero, log of 0 or of a negative
   * number, square root of a negative number, a negative base to a fractional power) or overflows
   * float64, said at the step where it first happens; and softmax over one element, which is constant.
   */
  domainNotes(): string[] {
    const notes: string[] = [];
    const elements = (t: Tensor) => (t.ndim === 0 ? [t.item()] : (t.toArray() as unknown[]).flat(Infinity) as number[]);
    const finite = (t: Tensor) => elements(t).every(Number.isFinite);
    for (const s of this.ev.steps.values()) {
      // NOTE: children first, so that a note is said where the value first leaves the domain.
      const visit = (n: TreeNode): void => {
        n.children.forEach(visit);
        const [a, b] = n.children;
        if ((n.op === "softmax" || n.op === "logsoftmax" || n.op === "softmaxCrossEntropy") && a!.value.ndim > 0 && a!.value.shape.at(n.axis ?? -1) === 1) {
          notes.push(`$${s.name}$: $${n.text}$ runs over one element, so it is constant ($${n.op === "softmax" ? "softmax = 1" : n.op === "logsoftmax" ? "logsoftmax = 0" : "loss = 0"}$) and its gradient is $0$`);
        }
        if (n.op === "var" || n.op === "num" || finite(n.value) || !n.children.every((c) => finite(c.value))) return;
        const scalars = n.value.size === 1 && n.children.every((c) => c.value.size === 1);
        const v = (c: TreeNode) => `$${c.text} = ${this.fmt(c.value.item())}$`;
        const gives = scalars ? ` gives $${this.fmt(n.value.item())}$` : ` gives ±∞ or NaN in ${elements(n.value).filter((e) => !Number.isFinite(e)).length} of ${n.value.size} elements`;
        let what: string;
        if (n.op === "div") what = `division by zero: $${n.text}$${scalars ? ` with ${v(b!)}` : ""}`;
        else if (n.op === "log") what = `log of ${elements(a!.value).some((e) => e < 0) ? "a negative number" : "0"}: $${n.text}$${scalars ? ` with ${v(a!)}` : ""}`;
        else if (n.op === "sqrt") what = `square root of a negative number: $${n.text}$${scalars ? ` with ${v(a!)}` : ""}`;
        else if (n.op === "pow" && elements(a!.value).some((e) => e < 0)) what = `a negative base to a fractional power: $${n.text}$${scalars ? ` with ${v(a!)}, ${v(b!)}` : ""}`;
        else if (n.op === "pow" && elements(a!.value).some((e) => e === 0)) what = `0 to a negative power (a division by zero): $${n.text}$${scalars ? ` with ${v(a!)}, ${v(b!)}` : ""}`;
        else what = `overflow (beyond the largest float64, about $1.8e308$): $${n.text}$${scalars ? ` at ${n.children.filter((c) => c.op !== "num").map(v).join(", ")}` : ""}`;
        notes.push(`$${s.name}$: ${what}${gives}`);
      };
      visit(s.root);
    }
    return notes;
  }

  /** Definitions of the activation derivatives used, from the ops' formulas, and kink conventions met. */
  notes(grads: readonly Gradient[], backward: readonly AdjointStep[]): string[] {
    const notes: string[] = [];
    const used = new Set<string>();
    const kinks = new Set<string>();
    const visit = (fs: readonly Factor[]) => fs.forEach((f) => {
      const a = PROGRAM_ACTIVATIONS.find((op) => f.text.startsWith(`${vocabOf(op).display}'`));
      if (a) used.add(a);
      if (f.kink) kinks.add(f.kink);
    });
    grads.forEach((g) => g.paths?.forEach((p) => visit(p.factors)));
    const adjoints = new Set(backward.map((b) => b.name));
    for (const s of this.ev.steps.values()) for (const o of s.occurrences) if (this.scalar && adjoints.has(o.name)) visit(this.edgeFactors(s, o));
    for (const op of PROGRAM_ACTIVATIONS.filter((x) => used.has(x))) {
      const a = vocabOf(op).display;
      const rule = ruleOf(op, 0);
      const def = dropUnitUpstream(instantiate(rule, { [UPSTREAM]: "1", x: "u" }));
      notes.push(`$${a}'(u) = ${def}$, from the rule of ${op}: $∂x = ${rule}$${op === "relu" ? "; $ReLU'(0) = 0$ at the kink, as PyTorch" : ""}`);
    }
    notes.push(...kinks);
    return notes;
  }
}

function resolveWrt(ev: Evaluated, wrt: readonly string[] | undefined): string[] {
  if (wrt === undefined || wrt.length === 0) {
    // every input, but class indices given to crossentropy
    const uses = new Set([...ev.steps.values()].flatMap((s) => s.occurrences.filter(differentiable).map((o) => o.name)));
    return [...ev.inputs.keys()].filter((name) => uses.has(name));
  }
  const unknown = wrt.filter((w) => !ev.vars.has(w));
  if (unknown.length > 0) throw new ValueError(`--wrt: no variable named ${unknown.join(", ")} in the program; its variables are ${[...ev.vars.keys()].join(", ")}`);
  return [...wrt];
}

/**
 * Evaluates a program with the library's autograd (float64) and returns its worked solution: the forward
 * pass with numbers substituted, every requested gradient as a sum over chain-rule paths of products of
 * local derivatives (symbolic, with numbers, the result), reverse mode one variable at a time, the graph,
 * and, given claims, their checks.
 *
 * @example
 * const d = explainProgram("x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)",
 *   { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 }, { wrt: ["w0", "x0"] });
 * d.gradients[1].paths!.length; // 2: through y1, x1 and the skip connection
 * console.log(formatText(d));
 */
export function explainProgram(
  source: string | Program,
  values: Readonly<Record<string, InputValue>>,
  options?: ExplainProgramOptions,
): ProgramDerivation {
  const opts = checkOptions("explainProgram", options, ["of", "wrt", "precision", "check", "tol"]);
  const isProgram = (p: unknown): p is Program => typeof p === "object" && p !== null && Array.isArray((p as Program).assignments) && (p as Program).assignments.length > 0;
  if (typeof source !== "string" && !isProgram(source)) throw new ValueError(`explainProgram: the program must be a string such as "y = x*w" or a parsed program, found ${source === null ? "null" : typeof source}`);
  if (typeof values !== "object" || values === null || Array.isArray(values)) throw new ValueError(`explainProgram: the values must be an object of name: value, found ${values === null ? "null" : Array.isArray(values) ? "an array" : typeof values}`);
  return explainEvaluated(evaluateProgram(typeof source === "string" ? parseProgram(source) : source, values), opts);
}

/** @internal `explainProgram` after evaluation (a test counts its reads of the steps). */
export function explainEvaluated(ev: Evaluated, opts: ExplainProgramOptions): ProgramDerivation {
  const program = ev.program;
  const precision = opts.precision ?? DEFAULT_PRECISION;
  if (!(Number.isInteger(precision) && precision >= 1 && precision <= 17)) throw new ValueError(`precision must be an integer from 1 to 17, found ${precision}`);
  const of = opts.of ?? program.assignments[program.assignments.length - 1]!.name;
  if (!ev.vars.has(of)) throw new ValueError(`--of: no variable named ${of}; the program assigns ${[...ev.steps.keys()].join(", ")}`);
  const wrt = resolveWrt(ev, opts.wrt);
  const x = new ProgramExplainer(ev, precision);
  const output = ev.vars.get(of)!;
  const scalarOut = output.size === 1;
  const gradients = scalarOut ? x.gradients(of, wrt) : [];
  const backward = scalarOut ? x.backward(of) : [];
  const grads = scalarOut ? totalGradients(ev, of, [...dependencies(ev, of)]) : null;
  const warnings = x.domainNotes();
  const notes = [...warnings, ...x.notes(gradients, backward)];
  if (!scalarOut) notes.push(`$${of}$ has shape $${output.shape.join("×")}$: gradients need a scalar output (reduce it first, e.g. $L = sum(${of})$)`);
  const d: ProgramDerivation = {
    kind: "program", source: program.source, of, wrt, precision,
    inputs: [...ev.inputs].map(([name, t]) => ({ name, value: tensorValue(t), shape: [...t.shape] })),
    forward: [...ev.steps.values()].map((s) => x.forwardStep(s)),
    gradients, backward, graph: x.graph(of, grads), notes,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  if (opts.check !== undefined) {
    const claims = typeof opts.check === "string" ? parseClaims(opts.check) : opts.check;
    d.tolerance = opts.tol ?? 1e-6;
    if (!(d.tolerance >= 0)) throw new ValueError(`--tol must be a number ≥ 0, found ${d.tolerance}`);
    d.checks = checkClaims(x, d, claims, d.tolerance);
  }
  return d;
}

/**
 * The structured worked solution that `chainrule explain` formats: of a program with its input values
 * (see `explainProgram`), or of a module's backward pass on one input and target (see `explainModule`).
 *
 * @example
 * const d = explain("x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)",
 *   { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 });
 * d.gradients.find((g) => g.wrt === "x0")!.value; // 0.94
 * explain(new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2)), x, labels).backward[0].rhs; // "(P − Y)/5"
 */
export function explain(source: string | Program, values: Readonly<Record<string, InputValue>>, opts?: ExplainProgramOptions): ProgramDerivation;
export function explain(model: Module, input: Tensor, target: Tensor, opts?: Pick<ExplainModelOptions, "loss" | "l2">): ModelDerivation;
export function explain(a: string | Program | Module, b: unknown, c?: unknown, d?: unknown): ProgramDerivation | ModelDerivation {
  if (a instanceof Module) return explainModule(a, b as Tensor, c as Tensor, checkOptions("explain", d as Pick<ExplainModelOptions, "loss" | "l2"> | undefined, ["loss", "l2"]));
  return explainProgram(a, b as Readonly<Record<string, InputValue>>, checkOptions("explain", c as ExplainProgramOptions | undefined, ["of", "wrt", "precision", "check", "tol"]));
}
