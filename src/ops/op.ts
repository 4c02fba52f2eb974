import { checkAnomaly, currentBackwardOp, isAnomalyEnabled, isGradEnabled } from "../autograd/mode.js";
import { tensorArg } from "../tensor/args.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import type { Shape } from "../tensor/shape.js";
import { type Node, Tensor } from "../tensor/tensor.js";

/** What a gradient rule sees: the op's inputs, its output when `saveOutput`, and its attributes. */
export interface Ctx<A> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
}

/**
 * The gradient rule as data, as PyTorch's derivatives.yaml: one entry per input, keyed by the role
 * the rule names it by (`{ a: "ḡ · b", b: "ḡ · a" }`); ḡ is the upstream gradient. Empty for an op
 * without a gradient.
 */
export type Formula = Readonly<Record<string, string>>;

/** How explain, the parser and the formatters name an op. */
export interface Vocab {
  /** The name in explain's program language (`max` for maximum, `crossentropy`). */
  readonly name: string;
  /** The display name (`ReLU`), or the operator symbol of an infix op. */
  readonly display: string;
  /** LaTeX (`\operatorname{ReLU}`, `\sin`, `\cdot`). */
  readonly latex: string;
  readonly form: "call" | "infix";
  readonly activation?: boolean;
  /** The binary operator explain's program language writes for it (`*`, `@`). */
  readonly operator?: string;
  /** The LaTeX of its name met as a word in rich text (`\operatorname{sigmoid}`); absent: not an operator word there. */
  readonly word?: string;
  /** The short label of a traced model's graph (`σ`, `√`, `⊙`); absent: written `name(args, attrs)`. */
  readonly symbol?: string;
  /** The output's shape: that of its one input (`same`), or the inputs' broadcast (`broadcast`). */
  readonly shape?: "same" | "broadcast";
}

/**
 * Everything about one primitive: the shape rule (which also validates), the forward kernel call,
 * the gradient rule written with public ops, the same rule as data, and its vocabulary.
 */
export interface OpDef<A = {}> {
  readonly name: string;
  /** Validates the inputs and returns the output's shape and dtype; errors name the op and the shapes. */
  infer(inputs: readonly Tensor[], attrs: A): { shape: Shape; dtype: DType };
  /** Computes the output's data through the backend. */
  forward(inputs: readonly Tensor[], attrs: A, shape: Shape, dtype: DType): TypedArray;
  /** Whether the gradient rule reads the output (kept on the graph only then). */
  readonly saveOutput?: boolean;
  /** The vector-Jacobian product: the gradient for each input (null: none), in any shape that broadcasts to it. */
  readonly vjp: ((g: Tensor, ctx: Ctx<A>) => (Tensor | null)[]) | null;
  /** The gradient rule per input, every role named. */
  readonly formula: Formula;
  /** A remark on the rule (ties, zeros kept at a kink) or why there is none. */
  readonly remark?: string;
  readonly vocab: Vocab;
}

export { kernels } from "../kernels/index.js";

/** The dispatch key of a kernel: the dtype its operands share, else "mixed" (the reference backend runs it). */
export function keyOf(dtype: DType, a: Tensor, b?: Tensor, c?: Tensor): DType | "mixed" {
  return a.dtype === dtype && (b === undefined || b.dtype === dtype) && (c === undefined || c.dtype === dtype) ? dtype : "mixed";
}

/**
 * @internal Runs one primitive: infer, forward, and record a graph node when an input needs a gradient.
 * Only the registry's runners (./index.ts) and the unary primitives' functions (./unary.ts, whose
 * definitions the registry is built from) call it; the registry test checks that every definition
 * that ran is registered.
 */
export function apply<A>(def: OpDef<A>, name: string, inputs: Tensor[], attrs: A): Tensor {
  // NOTE: the one check every primitive gets: a non-tensor would otherwise reach a shape rule as a TypeError.
  for (let i = 0; i < inputs.length; i++) if (!(inputs[i] instanceof Tensor)) tensorArg(inputs[i], name, i + 1);
  const { shape, dtype } = def.infer(inputs, attrs);
  const data = def.forward(inputs, attrs, shape, dtype);
  const out = new Tensor(data, shape, dtype);
  if (isAnomalyEnabled()) {
    const owner = currentBackwardOp();
    if (owner === null) checkAnomaly(name, "forward", inputs, out);
    else checkAnomaly(owner, "backward", inputs, out, name);
  }
  // NOTE: an int32 result (a cast to int32) has no gradient, as integer tensors in PyTorch.
  if (def.vjp !== null && dtype !== "int32" && isGradEnabled()) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        out._setNode({ def, inputs, attrs, output: def.saveOutput ? out : null, released: false } as Node);
        break;
      }
    }
  }
  return out;
}

