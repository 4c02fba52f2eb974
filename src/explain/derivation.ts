import type { Value } from "./numbers.js";

/**
 * The structured worked solution that every format prints (text, Markdown, LaTeX, JSON, DOT, SVG), the
 * web page shows and the tests read. Math is Unicode text (`∂z/∂w0`, `ReLU'(y1 + x0)`, `H1ᵀ · ∂L/∂S`);
 * `mathToLatex` converts it. Text that mixes words and math (`notes`, `firstWrongStep`, `slips`, `why`,
 * `note`, `legend`) marks the math with `$…$`: `richToText` drops the marks, `richToLatex` typesets them.
 * Every number is a float64 computed by the library's own ops and gradient rules.
 */
export type Derivation = ProgramDerivation | ModelDerivation | NamedDerivation;

/** The worked solution of a program (`explainProgram`). */
export interface ProgramDerivation {
  kind: "program";
  source: string;
  /** The output whose gradients are shown. */
  of: string;
  wrt: string[];
  /** Significant digits shown before trimming. */
  precision: number;
  inputs: { name: string; value: Value; shape: number[] }[];
  forward: ForwardStep[];
  gradients: Gradient[];
  /** Reverse mode at the level of the program's variables, output first. Empty when the output is not a scalar. */
  backward: AdjointStep[];
  graph: { nodes: GraphNode[]; edges: GraphEdge[] };
  /** Definitions used (`ReLU'(u) = 1[u > 0]`) and conventions (the kink of ReLU at 0). */
  notes: string[];
  /** The notes that say a value left a function's domain or overflowed, or is constant; the CLI also prints them on stderr. */
  warnings?: string[];
  checks?: Check[];
  /** The relative tolerance of the checks. */
  tolerance?: number;
}

/** One assignment evaluated: `x1 = ReLU(x0·w0 + b0) = ReLU(1·0.3 + 0.1) = ReLU(0.4) = 0.4`. */
export interface ForwardStep {
  name: string;
  /** The right-hand side as written (normalized spacing and operators). */
  expression: string;
  /** The right-hand side with numbers substituted, then reduced one level at a time; the last is the value. Empty for tensors. */
  stages: string[];
  value: Value;
  shape: number[];
}

/** One factor of a chain-rule path: the local derivative of one sub-expression with respect to one operand. */
export interface Factor {
  /** The local derivative as the person would write it: `ReLU'(y1 + x0)`, `w1`, `1`, `−1`. */
  text: string;
  value: number;
  /** The local derivative with its argument evaluated (`ReLU'(0.62)`), where that reads differently from `value`. */
  atValues?: string;
  /** A structural 1 (a sum passing its gradient on), left out of products unless nothing else is left. */
  unit: boolean;
  /** The assignment it belongs to. */
  step: string;
  /** The sub-expression differentiated and the operand it is differentiated by. */
  of: string;
  by: string;
  /** What the factor is, for naming slips: an activation's derivative, the other operand of a product, a constant. */
  role: "activation" | "operand" | "constant" | "unit" | "other";
  /** A ReLU (or abs, max, min) derivative taken exactly at its kink, where the convention decides the value. */
  kink?: string;
}

/** One path from the output to an input: its factors, their product. */
export interface Path {
  /** `through y1, x1`, `skip connection`, `direct`. */
  label: string;
  /** The variables the path passes, output first, input last. */
  vars: string[];
  factors: Factor[];
  value: number;
}

/** A gradient of the output with respect to one variable. */
export interface Gradient {
  /** `∂z/∂w0`. */
  symbol: string;
  of: string;
  wrt: string;
  /** From one reverse pass through the program's graph (`gradients`). */
  value: Value;
  shape: number[];
  /** The chain rule, path by path (scalar programs): all paths, or the shortest ones when `totalPaths` is set; null when there are tensors or no path is short enough to list. */
  paths: Path[] | null;
  /** Why `paths` is null. */
  pathsOmitted?: string;
  /** How many paths there are in all (a decimal integer) when `paths` lists only some of them or none. */
  totalPaths?: string;
}

/** One term of an adjoint: what one use of the variable sends back, upstream × local. */
export interface AdjointTerm {
  /** The assignment that uses the variable. */
  from: string;
  /** `∂z/∂y1`: the adjoint of `from`. */
  upstream: string;
  upstreamValue: Value;
  /** Scalars: the local derivative as a product (`ReLU'(x0·w0 + b0) · x0`); tensors: the whole vector-Jacobian product (`H1ᵀ · ∂L/∂S`). */
  local: string;
  /** Scalars: the local derivative with its arguments evaluated (`ReLU'(0.4) · 1`). */
  localAtValues?: string;
  /** Scalars: the local derivative's factors' values. */
  localValues?: number[];
  value: Value;
}

/** One step of reverse mode: a variable's adjoint, the sum of its terms. */
export interface AdjointStep {
  name: string;
  symbol: string;
  terms: AdjointTerm[];
  value: Value;
  shape: number[];
}

/** A node of the drawn graph: one variable. */
export interface GraphNode {
  name: string;
  kind: "input" | "assigned";
  expression?: string;
  value: Value;
  shape: number[];
  /** ∂output/∂name; null when the output does not depend on it or is not a scalar. */
  grad: Value | null;
}

/** An edge of the drawn graph: `from` is used in the assignment of `to`; `local` is ∂to/∂from. */
export interface GraphEdge {
  from: string;
  to: string;
  local: string;
  value: Value | null;
}

/** One checked claim. */
export interface Check {
  /** The claim as written: `dz/dw1=-0.2`. */
  claim: string;
  /** `y1` or `∂z/∂w1`. */
  target: string;
  claimed: number;
  correct: number | null;
  ok: boolean;
  /** For a wrong claim: the first wrong step, and the slip that reproduces the claim when one does. */
  firstWrongStep: string | null;
  /** The correct derivation of the claimed quantity, one line. */
  derivation?: string;
  /** Named slips that reproduce the claimed value. */
  slips?: string[];
  /** Where the first wrong step lies: this claim's own step, or an upstream claim. */
  upstream?: string;
}

/** A line of a matrix derivation: `∂L/∂W2 = H1ᵀ · ∂L/∂S + λ·W2   [H×C]`. */
export interface Equation {
  lhs: string;
  rhs: string;
  /** The shape with symbols (`["N", "C"]`), and the shape the code computed. */
  shape: string[];
  computedShape: number[];
  note?: string;
  value?: Value;
  /** Max |this line's formula evaluated − autograd| when there are numbers. */
  maxAbsDiff?: number;
}

/** The backward pass of a network as matrix equations (`explainModelSpec`). */
export interface ModelDerivation {
  kind: "model";
  spec: string;
  layout: "batch-first" | "features-first";
  loss: "cross-entropy" | "mse";
  l2: number;
  /** The batch size when given; null keeps N symbolic. */
  batch: number | null;
  /** Size symbols and their values (`D: 784`). */
  sizes: Record<string, number>;
  /** When N stays symbolic: the distinct sizes the code ran with in place of each symbol, so that every computed shape maps back to one symbol. */
  standIns: Record<string, number> | null;
  /** What the equations' symbols mean. */
  legend: string[];
  /** The inputs' values, where the derivation shows its numbers (`explainAttention`). */
  inputs?: { name: string; value: Value; shape: string[] }[];
  forward: Equation[];
  backward: Equation[];
  /** Each layer's output shape and parameter count with its arithmetic (P2, P3), from `summary`. */
  layers?: { name: string; type: string; outputShape: string[]; arithmetic: string; params: number }[];
  totalParams?: number;
  /** Numbers: whether each equation, evaluated, matched autograd. */
  numeric: { loss: number; maxAbsDiff: number; tolerance: number } | null;
  notes: string[];
  /** The notes that say the result is degenerate (a loss that is 0 whatever the weights); the CLI also prints them on stderr. */
  warnings?: string[];
}

/** A named derivation such as softmax-cross-entropy, confirmed numerically. */
export interface NamedDerivation {
  kind: "named";
  name: string;
  title: string;
  /** Each step: math (Unicode) and why, in text with `$…$` around inline math. */
  steps: { math: string; why: string }[];
  numeric: { label: string; formula: Value; autograd: Value; maxAbsDiff: number }[];
  /** The inputs of the numerical check. */
  sample: { name: string; value: Value }[];
  seed: number;
  tolerance: number;
  notes: string[];
}
