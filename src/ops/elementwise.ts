import type { BinaryOp, UnaryOp } from "../kernels/backend.js";
import { type DType, promote } from "../tensor/dtype.js";
import { broadcastShapes, broadcastStrides, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Ctx, type Formula, type OpDef, type Vocab, apply, keyOf, kernels } from "./op.js";

type Vjp<A> = ((g: Tensor, ctx: Ctx<A>) => (Tensor | null)[]) | null;

/** An elementwise unary primitive; int32 inputs give float32 unless `keepInt`. */
export function unaryOp<A = {}>(
  name: string, kernel: UnaryOp, vjp: Vjp<A>, formula: Formula, vocab: Vocab,
  opts: { saveOutput?: boolean; keepInt?: boolean; param?: (a: A) => number } = {},
): OpDef<A> {
  return {
    name, vjp, formula, vocab: { shape: "same", ...vocab }, saveOutput: opts.saveOutput,
    infer: ([x]) => ({ shape: x.shape, dtype: x.dtype === "int32" && !opts.keepInt ? "float32" : x.dtype }),
    forward([x], attrs, shape, dtype) {
      const out = kernels(dtype).alloc(dtype, x.size);
      kernels(keyOf(dtype, x)).unary(kernel, x.data, out, opts.param?.(attrs));
      return out;
    },
  };
}

/** A unary primitive's public function, `(x) => y`, carrying its definition (which the registry reads). */
export type UnaryPrimitive<K extends UnaryOp = UnaryOp> = ((x: Tensor) => Tensor) & { readonly def: OpDef<{}> & { readonly name: K } };

const NONE = {};

/**
 * An elementwise unary primitive without attributes, declared by one row of ./unary.ts: its kernel
 * has its name, and its vocabulary's name in explain's language is its name unless given.
 */
export function unary<K extends UnaryOp>(
  name: K, vjp: NoInfer<Vjp<{}>>, formula: Formula, vocab: Omit<Vocab, "name"> & { name?: string },
  opts: { saveOutput?: boolean; keepInt?: boolean } = {},
): UnaryPrimitive<K> {
  const def = unaryOp(name, name, vjp, formula, { name, ...vocab }, opts) as OpDef<{}> & { readonly name: K };
  return Object.assign((x: Tensor) => apply(def, name, [x], NONE), { def });
}

/** An elementwise binary primitive with NumPy broadcasting. */
export function binaryOp(
  name: string, kernel: BinaryOp, vjp: Vjp<{}>, formula: Formula, vocab: Vocab,
  { dtype: resultDType = promote, remark }: { dtype?: (a: DType, b: DType) => DType; remark?: string } = {},
): OpDef<{}> {
  return {
    name, vjp, formula, vocab: { shape: "broadcast", ...vocab }, remark,
    infer: ([a, b]) => ({ shape: broadcastShapes(a.shape, b.shape, name), dtype: resultDType(a.dtype, b.dtype) }),
    forward([a, b], _, shape, dtype) {
      const out = kernels(dtype).alloc(dtype, sizeOf(shape));
      const as = a.shape.length === shape.length && a.size === out.length ? null : broadcastStrides(a.shape, shape);
      const bs = b.shape.length === shape.length && b.size === out.length ? null : broadcastStrides(b.shape, shape);
      kernels(keyOf(dtype, a, b)).binary(kernel, a.data, as ?? contiguous(shape), b.data, bs ?? contiguous(shape), out, shape);
      return out;
    },
  };
}

const stridesCache = new Map<string, number[]>();

/** Contiguous strides, cached for the small shapes that repeat in every step. */
export function contiguous(shape: readonly number[]): number[] {
  const key = shape.join(",");
  let s = stridesCache.get(key);
  if (s === undefined) {
    s = broadcastStrides(shape, shape);
    if (stridesCache.size < 4096) stridesCache.set(key, s);
  }
  return s;
}
