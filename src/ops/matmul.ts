import { ShapeError } from "../errors.js";
import { type DType, type TypedArray, promote } from "../tensor/dtype.js";
import { type Shape, broadcastShapes, broadcastStrides, fmtShape, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { F } from "./api.js";
import { type OpDef, keyOf, kernels } from "./op.js";

export interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

function dims(t: Tensor, trans: boolean): [number, number] {
  const r = t.shape.length;
  return trans ? [t.shape[r - 1], t.shape[r - 2]] : [t.shape[r - 2], t.shape[r - 1]];
}

/**
 * op(A)·op(B) (+ bias over the rows) in one kernel call when each operand's batch is whole or one
 * matrix (stride 0); a batch broadcast along some axes only is multiplied batch by batch.
 */
function product(a: Tensor, b: Tensor, bias: Tensor | null, { transA, transB }: MatmulAttrs, shape: Shape, dtype: DType): TypedArray {
  const K = kernels(keyOf(dtype, a, b, bias ?? undefined));
  const out = kernels(dtype).alloc(dtype, sizeOf(shape));
  const [m, k] = dims(a, transA);
  const n = shape[shape.length - 1];
  const batchShape = shape.slice(0, -2);
  const batches = sizeOf(batchShape);
  const na = sizeOf(a.shape.slice(0, -2)), nb = sizeOf(b.shape.slice(0, -2));
  const c = bias === null ? null : bias.data;
  if ((na === batches || na === 1) && (nb === batches || nb === 1)) {
    K.matmul(a.data, 0, b.data, 0, out, 0, m, n, k, transA, transB, batches, na === 1 ? 0 : m * k, nb === 1 ? 0 : k * n, c);
    return out;
  }
  const aS = broadcastStrides(a.shape.slice(0, -2), batchShape);
  const bS = broadcastStrides(b.shape.slice(0, -2), batchShape);
  const idx = new Array<number>(batchShape.length).fill(0);
  for (let t = 0; t < batches; t++) {
    let ao = 0, bo = 0;
    for (let d = 0; d < idx.length; d++) {
      ao += idx[d] * aS[d];
      bo += idx[d] * bS[d];
    }
    K.matmul(a.data, ao * m * k, b.data, bo * k * n, out, t * m * n, m, n, k, transA, transB, 1, 0, 0, c);
    for (let d = idx.length - 1; d >= 0 && ++idx[d] === batchShape[d]; d--) idx[d] = 0;
  }
  return out;
}

/** The gradients of op(A)·op(B) that are needed: only those products are formed (the input batch of a first layer needs none). */
function matmulGrads(g: Tensor, a: Tensor, b: Tensor, transA: boolean, transB: boolean): (Tensor | null)[] {
  const mm = (need: boolean, x: Tensor, y: Tensor, tx: boolean, ty: boolean) => (need ? F.matmulT(x, y, tx, ty) : null);
  const [na, nb] = [a.requiresGrad, b.requiresGrad];
  if (!transA && !transB) return [mm(na, g, b, false, true), mm(nb, a, g, true, false)];
  if (!transA && transB) return [mm(na, g, b, false, false), mm(nb, g, a, true, false)];
  if (transA && !transB) return [mm(na, b, g, false, true), mm(nb, a, g, false, false)];
  return [mm(na, b, g, true, true), mm(nb, g, a, true, true)];
}

/**
 * The shape of op(A)·op(B) by PyTorch's rules (a 1-D operand is a vector: 1-D·1-D is a dot product, 1-D·2-D and
 * 2-D·1-D drop its axis; batch dimensions broadcast), or a ShapeError naming the op, both shapes and what was expected.
 */
export function matmulShape(a: Shape, b: Shape, transA = false, transB = false, op = "matmul"): number[] {
  const fail = (why: string): never => {
    throw new ShapeError(`${op}: cannot multiply ${fmtShape(a)} by ${fmtShape(b)}: ${why}`);
  };
  if (a.length === 0 || b.length === 0) fail(`expected tensors of rank 1 or more, found rank ${a.length} and ${b.length} (a scalar multiplies with mul)`);
  const a2 = a.length === 1 ? [1, a[0]] : a, b2 = b.length === 1 ? [b[0], 1] : b;
  const at = (s: Shape, trans: boolean, inner: boolean) => s[s.length - (trans === inner ? 2 : 1)];
  const [m, k, k2, n] = [at(a2, transA, false), at(a2, transA, true), at(b2, !transB, true), at(b2, !transB, false)];
  if (k !== k2) {
    const side = (s: Shape, last: boolean) => (s.length === 1 ? "length" : last ? "last dimension" : "second-to-last dimension");
    fail(`inner dimensions ${k} and ${k2} differ; expected ` + (a.length === 1 && b.length === 1 ? "vectors of the same length (a dot product)" : `the first's ${side(a, !transA)} to equal the second's ${side(b, transB)}`));
  }
  const [ba, bb] = [a2.slice(0, -2), b2.slice(0, -2)];
  let batch: number[] = [];
  try {
    batch = broadcastShapes(ba, bb, op);
  } catch {
    fail(`expected batch dimensions that broadcast, found ${fmtShape(ba)} and ${fmtShape(bb)}`);
  }
  return [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
}

// C = op(A)·op(B): ∂A = ḡ·Bᵀ, ∂B = Aᵀ·ḡ, with the transposes folded into the kernel's flags
export const matmulDef: OpDef<MatmulAttrs> = {
  name: "matmul",
  infer([a, b], { transA, transB }) {
    // NOTE: the primitive takes matrices; the public matmul (functions.ts) gives 1-D operands their axis first
    if (a.ndim < 2 || b.ndim < 2) throw new ShapeError(`matmul: the primitive expects tensors of rank 2 or more, found ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    return { shape: matmulShape(a.shape, b.shape, transA, transB), dtype: promote(a.dtype, b.dtype) };
  },
  forward: ([a, b], attrs, shape, dtype) => product(a, b, null, attrs, shape, dtype),
  vjp: (g, { inputs: [a, b], attrs: { transA, transB } }) => matmulGrads(g, a, b, transA, transB),
  formula: { A: "ḡ · Bᵀ", B: "Aᵀ · ḡ" },
  vocab: { name: "matmul", display: "@", latex: "", form: "infix", operator: "@", word: "\\operatorname{matmul}" },
};

// C = op(A)·op(B) + c, c [n] added to every row (Linear's forward in one kernel call): ∂A, ∂B as matmul's, ∂c = ḡ summed over the rows
export const addmmDef: OpDef<MatmulAttrs> = {
  name: "addmm",
  infer([a, b, c], attrs) {
    if (a.ndim !== 2 || b.ndim !== 2 || c.ndim !== 1)
      throw new ShapeError(`addmm: expected matrices and a vector, found ${fmtShape(a.shape)}, ${fmtShape(b.shape)} and ${fmtShape(c.shape)}`);
    const { shape, dtype } = matmulDef.infer([a, b], attrs);
    if (c.shape[0] !== shape[1]) throw new ShapeError(`addmm: the bias ${fmtShape(c.shape)} does not match the product's ${shape[1]} columns`);
    return { shape, dtype: promote(dtype, c.dtype) };
  },
  forward: ([a, b, c], attrs, shape, dtype) => product(a, b, c, attrs, shape, dtype),
  vjp: (g, { inputs: [a, b, c], attrs: { transA, transB } }) => [...matmulGrads(g, a, b, transA, transB), c.requiresGrad ? g : null],
  formula: { A: "ḡ · Bᵀ", B: "Aᵀ · ḡ", c: "ḡ" },
  vocab: { name: "addmm", display: "addmm", latex: "\operatorname{addmm}", form: "call" },
};
