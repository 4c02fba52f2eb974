import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue } from "../tensor/format.js";
import { boolArg, fnArg, listText } from "../tensor/args.js";
import { type BackwardOptions, gradients } from "./engine.js";
import { enableGrad } from "./mode.js";

type Argnums = number | readonly number[];

/**
 * The arguments with the differentiated ones replaced by fresh leaves; with `createGraph`, an argument
 * that is already on a graph is kept, so that an outer grad can differentiate through this one
 * (grad(grad(f)), as torch.autograd.grad with create_graph).
 */
function prepare(args: unknown[], argnums: Argnums, where: string, createGraph: boolean): { inputs: unknown[]; wrt: Tensor[] } {
  const nums = typeof argnums === "number" ? [argnums] : [...argnums];
  for (const i of nums)
    if (i >= args.length) throw new ValueError(`${where}: argnums asks for argument ${i} (counting from 0), but the function was called with ${args.length} argument${args.length === 1 ? "" : "s"}`);
  const inputs = [...args];
  const wrt: Tensor[] = [];
  for (const i of nums) {
    const a = inputs[i];
    if (!(a instanceof Tensor)) throw new ValueError(`${where}: argument ${i} (argnums counts from 0) must be a Tensor to differentiate, found ${describeValue(a)}`);
    const leaf = createGraph && a.requiresGrad ? a : a.detach().requiresGrad_();
    inputs[i] = leaf;
    wrt.push(leaf);
  }
  return { inputs, wrt };
}

/** argnums (a non-negative integer or a list of them, default 0) and the flags, checked when the gradient function is made. */
function checkArgnums(opts: { argnums?: Argnums } & BackwardOptions, where: string): Argnums {
  const a = opts.argnums ?? 0;
  const ok = (i: unknown) => Number.isInteger(i) && (i as number) >= 0;
  if (!(ok(a) || (Array.isArray(a) && a.length > 0 && a.every(ok))))
    throw new ValueError(`${where}: argnums must be an argument index (from 0) or a non-empty list of them, found ${Array.isArray(a) ? listText(a) : describeValue(a)}`);
  if (opts.retainGraph !== undefined) boolArg(opts.retainGraph, where, "retainGraph");
  if (opts.createGraph !== undefined) boolArg(opts.createGraph, where, "createGraph");
  return a;
}

function scalarOut(v: unknown, where: string): Tensor {
  if (!(v instanceof Tensor) || v.size !== 1)
    throw new ValueError(`${where}: the function must return a tensor with one element, found ${v instanceof Tensor ? `shape [${v.shape.join(", ")}]` : describeValue(v)}`);
  return v;
}

/**
 * The gradient function of a scalar function, like JAX's `grad`: `grad(f)(x)` is ∂f/∂x. With
 * `argnums` an array, returns one gradient per listed argument. The caller's tensors are not touched.
 *
 * @example
 * const df = grad((x: Tensor) => x.mul(x).sum());
 * df(tensor([1, 2, 3])).toArray(); // [2, 4, 6]
 */
export function grad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  options?: { argnums?: Argnums } & BackwardOptions,
): (...args: A) => any {
  fnArg(f, "grad", "a function to differentiate");
  const opts = checkOptions("grad", options, ["argnums", "retainGraph", "createGraph"]);
  const argnums = checkArgnums(opts, "grad");
  return (...args: A) => {
    const { inputs, wrt } = prepare(args, argnums, "grad", opts.createGraph === true);
    const out = scalarOut(enableGrad(() => f(...(inputs as A))), "grad");
    const gs = gradients(out, wrt, { retainGraph: opts.retainGraph, createGraph: opts.createGraph });
    return typeof argnums === "number" ? gs[0] : gs;
  };
}

/**
 * Like `grad`, but returns `[value, gradient]` from one evaluation.
 * @example const [loss, dw] = valueAndGrad(lossFn)(w);
 */
export function valueAndGrad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  options?: { argnums?: Argnums } & BackwardOptions,
): (...args: A) => [Tensor, any] {
  fnArg(f, "valueAndGrad", "a function to differentiate");
  const opts = checkOptions("valueAndGrad", options, ["argnums", "retainGraph", "createGraph"]);
  const argnums = checkArgnums(opts, "valueAndGrad");
  return (...args: A) => {
    const { inputs, wrt } = prepare(args, argnums, "valueAndGrad", opts.createGraph === true);
    const out = scalarOut(enableGrad(() => f(...(inputs as A))), "valueAndGrad");
    const gs = gradients(out, wrt, { retainGraph: opts.retainGraph, createGraph: opts.createGraph });
    return [opts.createGraph ? out : out.detach(), typeof argnums === "number" ? gs[0] : gs];
  };
}
