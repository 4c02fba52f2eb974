import { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Program } from "./ast.js";
import type { ModelDerivation, ProgramDerivation } from "./derivation.js";
import { type ExplainProgramOptions, explainProgram } from "./explain-program.js";
import { type ExplainModelOptions, explainModule } from "./model.js";
import type { InputValue } from "./program.js";

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
