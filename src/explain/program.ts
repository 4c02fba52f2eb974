import { ValueError } from "../errors.js";
import { gradients } from "../autograd/engine.js";
import * as F from "../ops/functions.js";
import { crossEntropy } from "../losses/cross-entropy.js";
import { scalar, tensor } from "../tensor/create.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { operatorOp, type VocabName } from "../ops/vocab.js";
import { AXIS_FUNCTIONS, type Assignment, type Expr, exprToText, type Program } from "./ast.js";
import { localVjp } from "./graph.js";
import { formatNumber } from "./numbers.js";

/** What a node of an expression tree computes: `var`, `num`, or the op (a primitive of the registry or a composite with a vocabulary). */
export type NodeOp = "var" | "num" | VocabName;

/** A node of an assignment's expression tree: a sub-expression as the person wrote it, with its value. */
export interface TreeNode {
  op: NodeOp;
  expr: Expr;
  /** The sub-expression as Unicode text (`x0·w0 + b0`). */
  text: string;
  children: TreeNode[];
  /** The variable of a `var` node. */
  name?: string;
  /** The integer axis of sum, mean, softmax, logsoftmax. */
  axis?: number;
  /** The value computed in the program's graph. */
  value: Tensor;
}

/** One place where a variable occurs in an assignment: the tree path from the root to it. */
export interface Occurrence {
  name: string;
  path: { node: TreeNode; child: number }[];
}

/** An assignment, evaluated. */
export interface Step {
  assignment: Assignment;
  name: string;
  root: TreeNode;
  value: Tensor;
  occurrences: Occurrence[];
}

/** A program evaluated with the library's autograd in float64; every tensor is named after its variable. */
export interface Evaluated {
  program: Program;
  inputs: Map<string, Tensor>;
  steps: Map<string, Step>;
  /** Every variable: inputs, then assignments in order. */
  vars: Map<string, Tensor>;
}

/** A value given for an input: a number, nested arrays (a tensor) or a tensor. */
export type InputValue = number | readonly unknown[] | Tensor;

function axisValue(e: Expr): number {
  return e.kind === "unary" ? -axisValue(e.arg) : e.kind === "num" ? e.value : NaN;
}

/** Builds the expression tree of `e` (unary plus and parentheses are transparent; `−2` is a number). */
export function buildTree(e: Expr): TreeNode {
  const node = (op: NodeOp, children: TreeNode[] = [], extra: Partial<TreeNode> = {}): TreeNode => {
    const n = { op, expr: e, children, value: undefined as unknown as Tensor, ...extra } as TreeNode;
    // NOTE: the text is written when first read: every subtree's text up front is quadratic in the depth.
    let text: string | undefined;
    Object.defineProperty(n, "text", { get: () => (text ??= exprToText(e)), enumerable: true });
    return n;
  };
  switch (e.kind) {
    case "num": return node("num");
    case "var": return node("var", [], { name: e.name });
    case "unary": return e.op === "+" ? buildTree(e.arg) : e.arg.kind === "num" ? node("num") : node("neg", [buildTree(e.arg)]);
    case "binary": return node(operatorOp(e.op)!, [buildTree(e.left), buildTree(e.right)]);
    case "call": {
      const axisFn = AXIS_FUNCTIONS.has(e.fn) && e.args.length === 2;
      const args = axisFn ? e.args.slice(0, 1) : e.args;
      return node(e.fn, args.map(buildTree), axisFn ? { axis: axisValue(e.args[1]!) } : {});
    }
  }
}

/** The value of a `num` node. */
function numValue(n: TreeNode): number {
  return n.expr.kind === "unary" ? -(n.expr.arg as { value: number }).value : (n.expr as { value: number }).value;
}

// NOTE: the functional API by lowercase name (`logsoftmax` is `logSoftmax`): each op runs under its own name.
const FUNCTIONAL = Object.fromEntries(Object.entries(F).map(([k, f]) => [k.toLowerCase(), f])) as Record<string, (...args: unknown[]) => Tensor>;

/** Applies the op of `n` to argument tensors with the library's functions, so that the graph records it. */
export function applyOp(n: TreeNode, args: Tensor[]): Tensor {
  const [a, b] = args as [Tensor, Tensor];
  // NOTE: a target of the logits' shape is a distribution per row; otherwise it holds class indices.
  if (n.op === "softmaxCrossEntropy") return crossEntropy(a, shapesEqual(a.shape, b.shape) ? b : F.cast(b.detach(), "int32"));
  return FUNCTIONAL[n.op.toLowerCase()]!(...args, ...(n.axis === undefined ? [] : [n.axis]));
}

/** Evaluates a tree; `leaf` gives the tensor of each variable occurrence. Records values when `record`. */
export function evaluate(n: TreeNode, leaf: (n: TreeNode) => Tensor, record = false): Tensor {
  let v: Tensor;
  if (n.op === "var") v = leaf(n);
  else if (n.op === "num") v = scalar(numValue(n), { dtype: "float64" });
  else v = applyOp(n, n.children.map((c) => evaluate(c, leaf, record)));
  if (record) n.value = v;
  return v;
}

function occurrencesOf(root: TreeNode): Occurrence[] {
  const out: Occurrence[] = [];
  const walk = (n: TreeNode, path: Occurrence["path"]) => {
    if (n.op === "var") out.push({ name: n.name!, path });
    n.children.forEach((c, i) => walk(c, [...path, { node: n, child: i }]));
  };
  walk(root, []);
  return out;
}

/** Converts a given value to a float64 leaf tensor named `name` that requires a gradient. */
export function toLeaf(name: string, v: InputValue): Tensor {
  const t = v instanceof Tensor ? F.cast(v.detach(), "float64").detach()
    : typeof v === "number" ? scalar(v, { dtype: "float64" })
    : tensor(v as number[], { dtype: "float64" });
  return t.requiresGrad_().named(name);
}

/**
 * Evaluates a parsed program with the library's autograd in float64. Every input must have a value,
 * and no assigned name may also be given one. An `overrides` entry replaces an assignment's value
 * while its gradient still flows as the assignment's own (a person's wrong value, carried on).
 * @throws ValueError listing the names without values.
 */
export function evaluateProgram(
  program: Program,
  values: Readonly<Record<string, InputValue>>,
  overrides: ReadonlyMap<string, number> = new Map(),
): Evaluated {
  const assigned = new Set(program.assignments.map((a) => a.name));
  const both = Object.keys(values).filter((k) => assigned.has(k));
  if (both.length > 0) throw new ValueError(`${both.join(", ")} ${both.length === 1 ? "is" : "are"} assigned in the program and also given a value; give values only to inputs`);
  const roots = program.assignments.map((a) => buildTree(a.expr));
  const occurrences = roots.map(occurrencesOf);
  const used = new Set(occurrences.flat().map((o) => o.name));
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) {
    const inputs = [...used].filter((u) => !assigned.has(u));
    throw new ValueError(`${unused.join(", ")} ${unused.length === 1 ? "is not a variable" : "are not variables"} of the program; its inputs are ${inputs.join(", ") || "none"} (it assigns ${[...assigned].join(", ")})`);
  }
  for (const [k, v] of Object.entries(values)) {
    const data = v instanceof Tensor ? [...v.data] : typeof v === "number" ? [v] : (v as unknown[]).flat(Infinity);
    const bad = data.find((x) => typeof x === "number" && !Number.isFinite(x));
    if (bad !== undefined) throw new ValueError(`${k}: ${formatNumber(bad as number)} is not a finite number; give every input a finite value`);
  }
  const missing: string[] = [];
  const defined = new Set<string>();
  occurrences.forEach((os, i) => {
    for (const o of os) if (!Object.hasOwn(values, o.name) && !defined.has(o.name) && !missing.includes(o.name)) missing.push(o.name);
    defined.add(program.assignments[i]!.name);
  });
  if (missing.length > 0) {
    const late = missing.filter((m) => assigned.has(m));
    const unset = missing.filter((m) => !assigned.has(m));
    const parts = [];
    if (unset.length > 0) parts.push(`no value for ${unset.join(", ")}: set ${unset.length === 1 ? "it" : "them"} with --set ${unset.map((m) => `${m}=…`).join(",")} or --values file.json`);
    if (late.length > 0) parts.push(`${late.join(", ")} ${late.length === 1 ? "is" : "are"} used before ${late.length === 1 ? "its" : "their"} assignment`);
    throw new ValueError(parts.join("; "));
  }
  const inputs = new Map<string, Tensor>();
  for (const o of occurrences.flat()) if (!assigned.has(o.name) && !inputs.has(o.name)) inputs.set(o.name, toLeaf(o.name, values[o.name]!));
  const vars = new Map(inputs);
  const steps = new Map<string, Step>();
  program.assignments.forEach((a, i) => {
    const root = roots[i]!;
    let value = evaluate(root, (n) => vars.get(n.name!)!, true);
    // NOTE: `y = x` gets its own tensor, so that y and x stay two variables of the graph.
    if (root.op === "var" || root.op === "num") value = F.add(value, 0);
    // NOTE: a step computed from constants only is a leaf of the graph, so that reverse mode reaches it too.
    if (!value.requiresGrad) value = value.detach().requiresGrad_();
    const o = overrides.get(a.name);
    if (o !== undefined) value = F.add(value, F.sub(scalar(o, { dtype: "float64" }), value.detach()));
    value.name = a.name;
    vars.set(a.name, value);
    steps.set(a.name, { assignment: a, name: a.name, root, value, occurrences: occurrences[i]! });
  });
  return { program, inputs, steps, vars };
}

/** The variables `of` depends on (itself included), in program order: inputs first, then assignments. */
export function dependencies(ev: Evaluated, of: string): Set<string> {
  const seen = new Set<string>([of]);
  const stack = [of];
  while (stack.length > 0) {
    for (const o of ev.steps.get(stack.pop()!)?.occurrences ?? []) {
      if (!seen.has(o.name)) {
        seen.add(o.name);
        stack.push(o.name);
      }
    }
  }
  return new Set([...ev.vars.keys()].filter((k) => seen.has(k)));
}

/** ∂of/∂v for each variable v, from one reverse pass through the program's graph. */
export function totalGradients(ev: Evaluated, of: string, wrt: readonly string[]): Map<string, Tensor> {
  const out = ev.vars.get(of)!;
  const live = wrt.filter((w) => ev.vars.get(w)!.requiresGrad);
  const result = new Map<string, Tensor>(wrt.map((w) => [w, F.zerosLike(ev.vars.get(w)!)]));
  if (!out.requiresGrad) return result;
  const gs = gradients(out, live.map((w) => ev.vars.get(w)!), { retainGraph: true });
  live.forEach((w, i) => result.set(w, gs[i]!));
  return result;
}

/** The local partial derivatives of a node with respect to each child (null for constants), by the rule of the op the graph recorded. */
export function localPartials(n: TreeNode): (Tensor | null)[] {
  const gs = localVjp(n.value, n.children.map((c) => c.value), F.onesLike(n.value));
  return gs.map((g, i) => (n.children[i]!.op === "num" ? null : g));
}

/**
 * What reverse mode sends from one assignment to each variable occurrence in it: `upstream` carried
 * down the expression tree through the recorded ops' own rules.
 */
export function occurrenceVjps(step: Step, upstream: Tensor): Tensor[] {
  const out: Tensor[] = [];
  const sweep = (n: TreeNode, g: Tensor) => {
    if (n.op === "var") out.push(g);
    else localVjp(n.value, n.children.map((c) => c.value), g).forEach((gc, i) => sweep(n.children[i]!, gc ?? F.zerosLike(n.children[i]!.value)));
  };
  sweep(step.root, upstream);
  return out;
}
