import { describe, expect, it } from "vitest";
import { DIFFERENTIABLE_OPS, Generator, OPS, type OpName, type Tensor, noGrad } from "../../src/index.js";
import { sumTo } from "../../src/autograd/engine.js";
import { run } from "../../src/ops/index.js";
import { UPSTREAM, instantiate, rulesOf } from "../../src/explain/formulas.js";
import { keptShape } from "../../src/ops/reduce.js";
import * as C from "../../src/index.js";
import * as F from "../../src/ops/functions.js";
import * as Unary from "../../src/ops/unary.js";
import { type Env, type Value, asTensor, evaluateFormula } from "./formula-eval.js";
import { OP_SPECS } from "./op-specs.js";

/**
 * Ops whose formula the evaluator cannot read generically, each with why. Empty: every formula is
 * checked; a name added here is printed by the meta-test below.
 */
const NOT_EVALUATED: Partial<Record<OpName, string>> = {};

interface Site {
  label: string;
  op: OpName;
  inputs: readonly Tensor[];
  output: Tensor;
  attrs: any;
}

/** Every primitive node on the graphs of the op-spec rows (their inputs, so broadcast and reduction cases too). */
function sites(): Site[] {
  const found: Site[] = [];
  for (const spec of OP_SPECS) {
    const xs = spec.inputs(new Generator(spec.label.length * 7919)).map((x) => (x.dtype === "int32" ? x : x.detach().requiresGrad_()));
    const seen = new Set<Tensor>();
    const stack = [spec.fn(...xs)];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t) || t._node === null) continue;
      seen.add(t);
      const node = t._node;
      found.push({ label: spec.label, op: node.def.name as OpName, inputs: node.inputs, output: t, attrs: node.attrs });
      stack.push(...node.inputs);
    }
  }
  // NOTE: the op-spec rows reach matmul only untransposed; the formula is of op(A)·op(B), so the flags are checked here.
  const gen = new Generator(5);
  for (const [transA, transB] of [[true, false], [false, true], [true, true]] as const) {
    const a = C.randn(transA ? [4, 3] : [3, 4], { generator: gen, dtype: "float64" }).requiresGrad_();
    const b = C.randn(transB ? [2, 4] : [4, 2], { generator: gen, dtype: "float64" }).requiresGrad_();
    const attrs = { transA, transB };
    found.push({ label: `matmul ${JSON.stringify(attrs)}`, op: "matmul", inputs: [a, b], output: run("matmul", [a, b], attrs), attrs });
  }
  return found;
}

const isFloat = (t: Tensor) => t.dtype !== "int32";

/** What the names of an op's formula mean at one node. */
function envOf(s: Site, g: Tensor): Env {
  const { inputs: xs, attrs, output } = s;
  const roles = rulesOf(OPS[s.op].formula).map((r) => r.role);
  const x = xs[0]!;
  // NOTE: a reduction's ḡ is read with the reduced axes kept as 1s (so `ḡ ⊙ 1[x = max(x)]` lines up).
  let gRead = g;
  if (attrs && Array.isArray(attrs.axes) && "keepDims" in attrs) gRead = F.reshape(g, keptShape(x.shape, attrs.axes));
  if (s.op === "softmaxCrossEntropy") gRead = F.unsqueeze(g, -1);
  const vars: Record<string, Value> = { π: Math.PI };
  roles.forEach((r, i) => {
    if (xs[i]) vars[r] = xs[i]!;
  });
  // NOTE: matmul's roles are op(A), op(B): the stored operand, transposed when its flag is set.
  if (s.op === "matmul" || s.op === "addmm") [attrs.transA, attrs.transB].forEach((t: boolean, i) => t && (vars[roles[i]!] = F.transpose(xs[i]!)));
  vars[roles.includes(UPSTREAM) ? `${UPSTREAM}′` : UPSTREAM] = gRead;
  if (s.op === "leakyRelu") vars["α"] = attrs.slope;
  if (s.op === "permute") vars["p"] = attrs.axes;
  if (s.op === "gather" || s.op === "scatterAdd") vars["index"] = xs[1]!;
  const along = (t: Tensor, f: "max" | "min") => (f === "max" ? F.max : F.min)(t, attrs.axes, true);
  if (s.op === "max" || s.op === "min") vars["ties"] = F.sum(F.eq(x, along(x, s.op)), attrs.axes, true);
  const T = (v: Value) => v as Tensor;
  const concatOffset = (j: number) => xs.slice(0, j).reduce((n, t) => n + t.shape[attrs.axis]!, 0);
  return {
    vars,
    fns: {
      // every unary primitive by its name (a new one needs nothing here), σ by its symbol
      ...Object.fromEntries(Object.entries(Unary).map(([name, f]) => [name, (v: Value) => f(T(v))])), σ: (v) => F.sigmoid(T(v)), softmax: (v) => F.softmax(T(v), -1), logSoftmax: (v) => F.logSoftmax(T(v), -1),
      max: (v) => along(T(v), "max"), min: (v) => along(T(v), "min"),
      shape: (v) => T(v).shape, reshape: (v, shape) => F.reshape(T(v), shape as number[]), permute: (v, p) => F.permute(T(v), p as number[]),
      gather: (v, index) => F.gather(T(v), attrs.axis, T(index)),
      scatterAdd: (v, index) => F.scatterAdd(T(v), attrs.axis, T(index), x.shape),
      fold: (v) => F.fold(T(v), [x.shape[2]!, x.shape[3]!], attrs.kernel, { stride: attrs.stride, padding: attrs.padding, dilation: attrs.dilation }),
      unfold: (v) => F.unfold(T(v), attrs.kernel, { stride: attrs.stride, padding: attrs.padding, dilation: attrs.dilation }),
      slice: (v) => F.sliceRaw(T(v), attrs),
      expandTo: (v) => F.expand(T(v), x.shape),
      sumTo: (v) => sumTo(T(v), x.shape),
      padTo: (v) => T(v).shape.reduce((t, d, i) => (d === x.shape[i] ? t : F.sliceBackward(t, t.shape.map((e, j) => (j === i ? x.shape[i]! : e)), { axis: i, start: 0, length: d, step: 1 })), T(v)),
      unslice: (v) => F.sliceBackward(T(v), x.shape, attrs),
      sliceOf: (v, xi) => F.sliceRaw(T(v), { axis: attrs.axis, start: concatOffset(xs.indexOf(T(xi))), length: T(xi).shape[attrs.axis]!, step: 1 }),
    },
  };
}

/** The formula's gradient and the vjp's for each input of one node, both summed to the input's shape, or the first error. */
function check(s: Site): string[] {
  const def = OPS[s.op];
  const rules = rulesOf(def.formula);
  const variadic = rules.length === 1 && /ᵢ$/.test(rules[0]!.role);
  const errors: string[] = [];
  // NOTE: role k names input k (explain binds them so); an integer input (an index) may go unnamed at the end.
  const named = variadic ? 0 : s.inputs.filter(isFloat).length;
  if (!variadic && (rules.length > s.inputs.length || rules.length < named))
    errors.push(`${s.op}: the formula names ${rules.length} roles (${rules.map((r) => r.role).join(", ")}) for ${s.inputs.length} inputs`);
  const gen = new Generator(s.label.length * 31 + s.inputs.length);
  const g = C.randn(s.output.shape, { generator: gen, dtype: s.output.dtype === "float32" ? "float32" : "float64" });
  // NOTE: every float input asks for its gradient, so that a vjp computes all it can (mul and pow skip the rest).
  const inputs = s.inputs.map((x) => (isFloat(x) ? x.detach().requiresGrad_() : x));
  noGrad(() => {
    const vjps = def.vjp!(g, { inputs, output: s.output.detach(), attrs: s.attrs });
    const env = envOf({ ...s, inputs }, g);
    inputs.forEach((x, i) => {
      if (!isFloat(x)) return;
      const rule = variadic ? rules[0] : rules[i];
      if (!rule) {
        if (vjps[i]) errors.push(`${s.op}: input ${i} has a gradient but no role in the formula`);
        return;
      }
      if (variadic) env.vars[rule.role] = x;
      let got: Tensor;
      try {
        // NOTE: a gradient has its input's dtype (cast's ḡ is rounded to float32 when x is float32).
        let v = evaluateFormula(rule.rule, env);
        if ((s.op === "matmul" || s.op === "addmm") && [s.attrs.transA, s.attrs.transB][i]) v = F.transpose(v as Tensor);
        got = F.cast(F.cast(sumTo(asTensor(v, x.shape), x.shape), x.dtype), "float64");
      } catch (e) {
        errors.push(`${s.op} ∂${rule.role} = ${rule.rule}: ${(e as Error).message}`);
        return;
      }
      const want = vjps[i] ? F.cast(sumTo(vjps[i]!, x.shape), "float64") : C.zerosLike(F.cast(x, "float64"));
      if (got.shape.join() !== x.shape.join()) return void errors.push(`${s.op} ∂${rule.role} = ${rule.rule}: shape [${got.shape}], input [${x.shape}]`);
      for (let j = 0; j < want.size; j++) {
        const a = got.data[j]!, b = want.data[j]!;
        if (!(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))) && !(Number.isNaN(a) && Number.isNaN(b))) {
          errors.push(`${s.op} ∂${rule.role} = ${rule.rule}: entry ${j} is ${a}, the vjp gives ${b} (${s.label})`);
          return;
        }
      }
    });
  });
  return errors;
}

const SITES = sites();

describe("every op's formula agrees numerically with its vjp", () => {
  const evaluated = DIFFERENTIABLE_OPS.filter((op) => !(op in NOT_EVALUATED));
  it.each(evaluated.map((op) => [op] as const))("%s", (op) => {
    const at = SITES.filter((s) => s.op === op);
    expect(at.length, `no op-spec row puts ${op} on a graph`).toBeGreaterThan(0);
    const errors = at.flatMap(check);
    if (errors.length > 0) console.log(errors.join("\n"));
    expect(errors).toEqual([]);
  });

  it("evaluates every differentiable op's formula (the allow-list of formulas it cannot read is printed)", () => {
    console.log(`formulas not evaluated: ${Object.keys(NOT_EVALUATED).length === 0 ? "none" : JSON.stringify(NOT_EVALUATED)}`);
    expect(Object.keys(NOT_EVALUATED).filter((op) => !DIFFERENTIABLE_OPS.includes(op as OpName))).toEqual([]);
  });

  it("reads a wrong formula as wrong", () => {
    const s = SITES.find((x) => x.op === "mul" && x.label === "mul same shape")!;
    const env = envOf(s, C.ones(s.output.shape, { dtype: "float64" }));
    const [a, b] = s.inputs;
    const right = asTensor(evaluateFormula("ḡ · b", env), a!.shape);
    const wrong = asTensor(evaluateFormula("ḡ · a", env), a!.shape);
    expect(Array.from(right.data)).toEqual(Array.from(b!.data));
    expect(Array.from(wrong.data)).not.toEqual(Array.from(b!.data));
    expect(() => evaluateFormula("ḡ ⊙ frob(x)", env)).toThrow(/unknown name|cannot read/);
  });

  it("explains where's else branch with 1[¬c], each branch by its own role", () => {
    class Gate extends C.Module {
      lin = new C.nn.Linear(3, 3);
      forward(x: Tensor) {
        const s = this.lin.forward(x);
        return C.where(C.gt(s, 0), s, C.mul(s, 0.5));
      }
    }
    const text = C.formatText(C.explainTrace(new Gate(), C.randn([2, 3], { generator: new Generator(1) }), C.tensor([0, 2], { dtype: "int32" })));
    const lines = text.split("\n").filter((l) => l.includes("the rule of where"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/= ∂L\/∂S ⊙ 1\[c\d*\] /);
    expect(lines[1]).toMatch(/= ∂L\/∂S ⊙ 1\[¬c\d*\] /);
  });

  it("drops a `, 0 where …` clause that the values do not meet", () => {
    const rule = OPS.pow.formula.a!;
    expect(instantiate(rule, { [UPSTREAM]: "1", a: "2", b: "3" })).toBe("1 · 3·2^(3−1)");
    expect(instantiate(rule, { [UPSTREAM]: "1", a: "2", b: "0" })).toBe("1 · 0·2^(0−1), 0 where 0 = 0");
    expect(instantiate(rule, { [UPSTREAM]: "g", a: "x", b: "y" })).toBe("g · y·x^(y−1), 0 where y = 0");
  });
});
