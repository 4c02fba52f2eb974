import { describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import { DIFFERENTIABLE_OPS, OPS, type OpName, Tensor } from "../../src/index.js";
import * as functions from "../../src/ops/functions.js";
import { ACTIVATION_NAMES, OP_OF } from "../../src/explain/explain-program.js";
import { LATEX_FN } from "../../src/explain/source-text.js";
import { OPERATOR_WORDS } from "../../src/explain/latex.js";
import { CALL } from "../../src/explain/trace.js";
import { COMPOSITES, OP_SPECS } from "./op-specs.js";

const names = Object.keys(OPS) as OpName[];

describe("the op registry", () => {
  it("holds each op under its own name, with its formula as data and its vocabulary", () => {
    for (const k of names) {
      const def = OPS[k];
      expect(def.name, k).toBe(k);
      expect(typeof def.formula, k).toBe("object");
      for (const rule of Object.values(def.formula)) expect(typeof rule, k).toBe("string");
      // an op with a gradient names a rule per role; one without says why
      if (def.vjp === null) expect([Object.keys(def.formula).length, typeof def.remark], k).toEqual([0, "string"]);
      else expect(Object.keys(def.formula).length, k).toBeGreaterThan(0);
      expect(["call", "infix"], k).toContain(def.vocab.form);
      for (const field of ["name", "display", "latex"] as const) expect(typeof def.vocab[field], `${k}.vocab.${field}`).toBe("string");
    }
  });

  // NOTE: the functional API's internal helpers (marked @internal there) are the only ones src/index.ts leaves out.
  const INTERNAL = new Set(["asTensor", "matmulT", "requireFloat", "sliceBackward", "sliceRaw"]);
  it("exports every function of the functional API from src/index.ts", () => {
    expect(Object.keys(functions).filter((k) => !INTERNAL.has(k) && !(k in lib))).toEqual([]);
  });

  // NOTE: cast is the method `to`; concat and scatterAdd take several tensors; softmaxCrossEntropy is a loss.
  const NO_METHOD = new Set(["cast", "sliceBackward", "concat", "scatterAdd", "softmaxCrossEntropy"]);
  it("gives every op a Tensor method", () => {
    expect(names.filter((k) => !NO_METHOD.has(k) && typeof (Tensor.prototype as unknown as Record<string, unknown>)[k] !== "function")).toEqual([]);
  });

  it("has an op-spec row for every differentiable op, and every row names an op that exists", () => {
    const rowOps = new Set<string>(OP_SPECS.map((s) => s.op));
    expect(DIFFERENTIABLE_OPS.filter((k) => !rowOps.has(k))).toEqual([]);
    expect([...rowOps].filter((op) => !(op in OPS) && !(COMPOSITES as readonly string[]).includes(op))).toEqual([]);
    expect(COMPOSITES.filter((op) => op in OPS)).toEqual([]);
  });
});

// NOTE: explain still keeps its own tables; until it reads `vocab`, they must say what the registry says.
describe("explain's tables agree with the registry's vocab", () => {
  it("program-language names (OP_OF)", () => {
    for (const [prog, op] of Object.entries(OP_OF)) if (op! in OPS) expect(OPS[op as OpName].vocab.name, op).toBe(prog);
  });

  it("activation display names (ACTIVATION_NAMES) and the activation flag", () => {
    for (const [prog, display] of Object.entries(ACTIVATION_NAMES)) {
      const op = OP_OF[prog as keyof typeof OP_OF] as OpName;
      expect([OPS[op].vocab.display, OPS[op].vocab.activation], op).toEqual([display, true]);
    }
  });

  it("the program's LaTeX (LATEX_FN, \\operatorname{…} otherwise)", () => {
    for (const [prog, op] of Object.entries(OP_OF)) {
      if (!(op! in OPS) || OPS[op as OpName].vocab.form !== "call") continue;
      expect(OPS[op as OpName].vocab.latex, op).toBe(LATEX_FN[prog as keyof typeof LATEX_FN] ?? `\\operatorname{${prog}}`);
    }
  });

  // NOTE: two known differences, to settle when explain reads `vocab`: rich text writes the word
  // "sigmoid" where the program's LaTeX writes σ, and the word "matmul" where a program writes `@`.
  const RICH_TEXT_DIFFERS = new Set(["sigmoid", "matmul"]);
  it("rich-text operator words (OPERATOR_WORDS)", () => {
    for (const [word, latex] of OPERATOR_WORDS) {
      const def = names.map((k) => OPS[k]).find((d) => d.vocab.name.toLowerCase() === word);
      if (def === undefined || RICH_TEXT_DIFFERS.has(def.name)) continue;
      expect(def.vocab.latex, word).toBe(latex);
    }
  });

  // NOTE: the graph's node labels are short symbols (σ, √) where they differ from the display name.
  const SYMBOL_DIFFERS = new Set(["sigmoid", "sqrt"]);
  it("graph node labels (trace CALL)", () => {
    for (const [op, label] of Object.entries(CALL)) if (!SYMBOL_DIFFERS.has(op)) expect(OPS[op as OpName].vocab.display, op).toBe(label);
  });
});
