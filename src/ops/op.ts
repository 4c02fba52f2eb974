import { AnomalyError } from "../errors.js";
import { currentBackwardOp, isAnomalyEnabled, isGradEnabled } from "../autograd/mode.js";
import { getBackend } from "../kernels/index.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import type { Shape } from "../tensor/shape.js";
import { Tensor, type Node } from "../tensor/tensor.js";
import { tensorArg } from "./args.js";

/** What a gradient rule sees: the op's inputs, its output when `saveOutput`, and its attributes. */
export interface Ctx<A> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
}

/**
 * Everything about one primitive: the shape rule (which also validates), the forward kernel call,
 * the gradient rule written with public ops, and the same rule as text for `explain`.
 */
export interface OpDef<A = any> {
  readonly name: string;
  /** Validates the inputs and returns the output's shape and dtype; errors name the op and the shapes. */
  infer(inputs: readonly Tensor[], attrs: A): { shape: Shape; dtype: DType };
  /** Computes the output's data through the backend. */
  forward(inputs: readonly Tensor[], attrs: A, shape: Shape, dtype: DType): TypedArray;
  /** Whether the gradient rule reads the output (kept on the graph only then). */
  readonly saveOutput?: boolean;
  /** The vector-Jacobian product: the gradient for each input (null: none), in any shape that broadcasts to it. */
  readonly vjp: ((g: Tensor, ctx: Ctx<A>) => (Tensor | null)[]) | null;
  /** The gradient rule as text: `upstream` is ḡ, inputs by their roles. */
  readonly formula: string;
}

export const kernels = getBackend;

/** Runs a primitive: infer, forward, and record a graph node when any input needs a gradient. */
export function apply<A>(def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor {
  // NOTE: the one check every primitive gets: a non-tensor would otherwise reach a shape rule as a TypeError.
  for (let i = 0; i < inputs.length; i++) if (!(inputs[i] instanceof Tensor)) tensorArg(inputs[i], def.name, i + 1);
  const { shape, dtype } = def.infer(inputs, attrs);
  const data = def.forward(inputs, attrs, shape, dtype);
  const out = new Tensor(data, shape, dtype);
  if (isAnomalyEnabled()) {
    const owner = currentBackwardOp();
    if (owner === null) checkAnomaly(def.name, "forward", inputs, out);
    else checkAnomaly(owner, "backward", inputs, out, def.name);
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

export function hasNonFinite(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return true;
  return false;
}

export function checkAnomaly(op: string, phase: "forward" | "backward", inputs: readonly Tensor[], out: Tensor, inner?: string): void {
  if (out.dtype === "int32" || !hasNonFinite(out)) return;
  if (inputs.some(hasNonFinite)) return;
  const d = out.data;
  let i = 0;
  while (Number.isFinite(d[i])) i++;
  throw new AnomalyError(
    `${op}: ${phase} produced ${d[i]} at flat index ${i} of an output of shape [${out.shape.join(", ")}] from finite inputs${inner ? ` (in its ${inner})` : ""}`,
  );
}
