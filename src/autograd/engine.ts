import { GraphError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue } from "../tensor/format.js";
import { boolArg, tensorArg, tensorList } from "../tensor/args.js";
import { fmtShape, shapesEqual, type Shape } from "../tensor/shape.js";
import { onesLike, zerosLike } from "../tensor/create.js";
import type { DType } from "../tensor/dtype.js";
import { checkAnomaly, enableGrad, isAnomalyEnabled, noGrad, setBackwardOp } from "./mode.js";
import { checkOptions } from "../options.js";

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so that gradients can be differentiated again. */
  createGraph?: boolean;
}

/** Options checked for their values too: a flag given as "yes" is refused, not taken as true. */
function flags<O extends BackwardOptions>(op: string, opts: O): O {
  if (opts.retainGraph !== undefined) boolArg(opts.retainGraph, op, "retainGraph");
  if (opts.createGraph !== undefined) boolArg(opts.createGraph, op, "createGraph");
  return opts;
}

/**
 * The ops that sum, reshape, cast and accumulate gradients, handed to the engine by the ops layer when
 * it loads (every graph node is made by an op, so they are there before any backward). NOTE: ops, not
 * kernels, so that under createGraph the accumulation is recorded and can be differentiated again.
 */
export interface GradOps {
  add(a: Tensor, b: Tensor): Tensor;
  sum(x: Tensor, axes: number[], keepDims: boolean): Tensor;
  reshape(x: Tensor, shape: Shape): Tensor;
  cast(x: Tensor, dtype: DType): Tensor;
}
let F: GradOps;

/** @internal called once by ops/functions.ts. */
export function provideGradOps(ops: GradOps): void {
  F = ops;
}

let epoch = 0;

/** Non-leaf tensors reachable from `root` that need a gradient, inputs before outputs (iterative DFS). */
function topoOrder(root: Tensor): Tensor[] {
  const mark = ++epoch;
  const order: Tensor[] = [];
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  root._mark = mark;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const node = t._node!;
    if (node.released)
      throw new GraphError(
        `backward: the graph through ${node.def.name} was already released by an earlier backward; pass { retainGraph: true } to the first backward to run it twice`,
      );
    const i = next[top];
    if (i < node.inputs.length) {
      next[top] = i + 1;
      const c = node.inputs[i];
      if (c._node !== null && c._mark !== mark && c.requiresGrad) {
        c._mark = mark;
        stack.push(c);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }
  return order;
}

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length > 0 ? F.sum(g, axes, true) : g;
  return F.reshape(s, shape);
}

function run(
  root: Tensor,
  grad: Tensor | undefined,
  opts: BackwardOptions,
  onLeaf: (leaf: Tensor, g: Tensor) => void,
  capture?: Map<Tensor, Tensor | null>,
): void {
  if (!root.requiresGrad)
    throw new GraphError(`backward: the tensor does not require a gradient (no input of the computation has requiresGrad: true)`);
  if (grad === undefined) {
    if (root.size !== 1)
      throw new GraphError(`backward: the output has shape ${fmtShape(root.shape)}; pass a gradient of that shape, or reduce it to a scalar first`);
    grad = onesLike(root);
  } else if (!shapesEqual(grad.shape, root.shape)) {
    throw new ShapeError(`backward: the gradient has shape ${fmtShape(grad.shape)} but the output has shape ${fmtShape(root.shape)}`);
  }
  // NOTE: a rule may pass the same data on to several inputs (add hands ḡ to both, reshape shares
  // data), and a leaf's .grad may be changed in place by its owner; so a leaf gets a copy only when
  // the data it would receive was already handed to another tensor (or came from the caller).
  // Small gradients are always copied, which keeps the bookkeeping off long scalar graphs.
  const handed = new Set<unknown>();
  const SMALL = 16;
  const toLeaf = (leaf: Tensor, g: Tensor) => {
    // NOTE: with createGraph the gradient is itself a graph node and must stay one (no copy).
    if (opts.createGraph) return onLeaf(leaf, g);
    if (g.size <= SMALL || handed.has(g.data)) g = g.clone();
    else handed.add(g.data);
    onLeaf(leaf, g);
  };
  if (root._node === null) {
    onLeaf(root, opts.createGraph ? grad : grad.clone());
    return;
  }
  if (grad.size > SMALL) handed.add(grad.data);
  const order = topoOrder(root);
  root._gacc = grad;
  const retain = opts.retainGraph ?? opts.createGraph ?? false;
  const anomaly = isAnomalyEnabled();
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    const g = t._gacc;
    t._gacc = null;
    const node = t._node!;
    if (g === null) continue;
    if (capture?.has(t)) capture.set(t, g);
    if (t._retain) t.grad = t.grad === null ? g : F.add(t.grad, g);
    if (anomaly) setBackwardOp(node.def.name);
    let gs: (Tensor | null)[];
    try {
      gs = node.def.vjp!(g, node as any);
    } finally {
      if (anomaly) setBackwardOp(null);
    }
    for (let i = 0; i < node.inputs.length; i++) {
      const x = node.inputs[i];
      let gi = gs[i];
      if (!x.requiresGrad || gi === null || gi === undefined) continue;
      gi = sumTo(gi, x.shape);
      if (gi.dtype !== x.dtype) gi = F.cast(gi, x.dtype);
      if (anomaly) checkAnomaly(node.def.name, "backward", [g], gi);
      if (x._node === null) toLeaf(x, gi);
      else {
        if (gi.size > SMALL) handed.add(gi.data);
        x._gacc = x._gacc === null ? gi : F.add(x._gacc, gi);
      }
    }
    if (!retain) {
      node.released = true;
      node.inputs = [];
      node.output = null;
    }
  }
}

/** @internal Tensor.backward: accumulates into the leaves' `.grad`. */
export function backward(root: Tensor, grad: Tensor | undefined, options: BackwardOptions | undefined): void {
  const opts = flags("backward", checkOptions("backward", options, ["retainGraph", "createGraph"]));
  const body = () =>
    run(root, grad, opts, (leaf, g) => {
      if (!leaf.requiresGrad) return;
      leaf.grad = leaf.grad === null ? g : F.add(leaf.grad, g);
    });
  if (opts.createGraph) enableGrad(body);
  else noGrad(body);
}

/**
 * The gradients of `output` with respect to `inputs` (leaves or intermediate tensors), without
 * touching any `.grad`; like `torch.autograd.grad`. An input the output does not depend on gets zeros.
 *
 * @example
 * const x = scalar(3, { requiresGrad: true });
 * const [dx] = gradients(x.mul(x), [x]); // 6
 */
export function gradients(
  output: Tensor,
  inputs: readonly Tensor[],
  options?: BackwardOptions & { gradOutput?: Tensor },
): Tensor[] {
  tensorArg(output, "gradients", 1);
  tensorList(inputs, "gradients", "a list of the Tensors to differentiate with respect to");
  const opts = flags("gradients", checkOptions("gradients", options, ["retainGraph", "createGraph", "gradOutput"]));
  if (opts.gradOutput !== undefined && !(opts.gradOutput instanceof Tensor))
    throw new ValueError(`gradients: gradOutput must be a Tensor of the output's shape ${fmtShape(output.shape)}, found ${describeValue(opts.gradOutput)}`);
  for (const x of inputs)
    if (!x.requiresGrad) throw new GraphError(`gradients: an input${x.name ? ` (${x.name})` : ""} does not require a gradient`);
  const capture = new Map<Tensor, Tensor | null>(inputs.map((x) => [x, null]));
  const body = () =>
    run(output, opts.gradOutput, opts, (leaf, g) => {
      if (!capture.has(leaf)) return;
      const prev = capture.get(leaf);
      capture.set(leaf, prev ? F.add(prev, g) : g);
    }, capture);
  if (opts.createGraph) enableGrad(body);
  else noGrad(body);
  return inputs.map((x) => capture.get(x) ?? zerosLike(x));
}
