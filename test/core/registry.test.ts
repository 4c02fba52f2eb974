import { describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import { DIFFERENTIABLE_OPS, OPS, type OpName, Tensor } from "../../src/index.js";
import * as functions from "../../src/ops/functions.js";
import * as Unary from "../../src/ops/unary.js";
import { Generator } from "../../src/index.js";
import { readdirSync, readFileSync } from "node:fs";
import { PROGRAM_FUNCTIONS, VOCAB_NAMES, programOp, vocabOf } from "../../src/ops/vocab.js";
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

  it("builds its unary entries from src/ops/unary.ts, each function carrying the definition registered under its name", () => {
    for (const [name, f] of Object.entries(Unary)) {
      expect(f.def.name, name).toBe(name);
      expect(OPS[name as OpName], name).toBe(f.def);
    }
  });

  it("records only registered definitions on the graph, for every op-spec row", () => {
    const registered = new Set<unknown>(Object.values(OPS));
    const unregistered = new Set<string>();
    for (const spec of OP_SPECS) {
      const xs = spec.inputs(new Generator(1)).map((x) => x.requiresGrad_());
      const seen = new Set<Tensor>();
      const walk = (t: Tensor): void => {
        if (seen.has(t) || t._node === null) return;
        seen.add(t);
        if (!registered.has(t._node.def)) unregistered.add(`${spec.label}: ${t._node.def.name}`);
        for (const x of t._node.inputs) walk(x);
      };
      walk(spec.fn(...xs));
    }
    expect([...unregistered]).toEqual([]);
  });

  // NOTE: the functional API's internal helpers (marked @internal there) are the only ones src/index.ts leaves out.
  const INTERNAL = new Set(["asTensor", "matmulT", "addmmT", "requireFloat", "sliceBackward", "sliceRaw"]);
  it("exports every function of the functional API from src/index.ts", () => {
    expect(Object.keys(functions).filter((k) => !INTERNAL.has(k) && !(k in lib))).toEqual([]);
  });

  // NOTE: cast is the method `to`; concat and scatterAdd take several tensors; softmaxCrossEntropy is a loss; addmm is Linear's fused forward (internal);
  // unfold and fold are PyTorch's F.unfold and F.fold (its Tensor.unfold is another op).
  const NO_METHOD = new Set(["cast", "sliceBackward", "concat", "scatterAdd", "softmaxCrossEntropy", "addmm", "unfold", "fold"]);
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

// NOTE: explain names ops only through the registry's vocab (and src/ops/vocab.ts for the composites).
describe("explain reads the ops' vocabulary", () => {
  const REMOVED = ["OP_OF", "ACTIVATION_NAMES", "ELEMENTWISE", "BINARY", "LATEX_FN", "OPERATOR_WORDS", "INFIX", "CALL", "ACTIVATIONS"];
  it("keeps no op tables of its own", () => {
    const dir = new URL("../../src/explain/", import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(new URL(file, dir), "utf8");
      for (const name of REMOVED) expect(new RegExp(`\\b${name}\\b`).test(text), `${file}: ${name}`).toBe(false);
      // a literal list of the program's functions, as `FUNCTIONS` once was
      expect(/\brelu: \{ minArgs/.test(text), file).toBe(false);
    }
  });

  it("gives each function of the program language one op, named by its vocab", () => {
    for (const f of PROGRAM_FUNCTIONS) expect(programOp(vocabOf(f.op).name), f.op).toBe(f.op);
    const names = PROGRAM_FUNCTIONS.map((f) => vocabOf(f.op).name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives every binary operator and every rich-text word one op", () => {
    const operators = VOCAB_NAMES.map((k) => vocabOf(k).operator).filter((o) => o !== undefined);
    expect(new Set(operators).size).toBe(operators.length);
    const words = VOCAB_NAMES.filter((k) => vocabOf(k).word !== undefined).map((k) => vocabOf(k).name.toLowerCase());
    expect(new Set(words).size).toBe(words.length);
  });
});
