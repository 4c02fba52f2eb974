import { ShapeError } from "../errors.js";
import { promote } from "../tensor/dtype.js";
import { broadcastShapes, broadcastStrides, fmtShape, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { F } from "./api.js";
import { type OpDef, kernels } from "./op.js";

export interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

function dims(t: Tensor, trans: boolean): [number, number] {
  const r = t.shape.length;
  return trans ? [t.shape[r - 1], t.shape[r - 2]] : [t.shape[r - 2], t.shape[r - 1]];
}

// C = op(A)·op(B): ∂A = ḡ·Bᵀ, ∂B = Aᵀ·ḡ, with the transposes folded into the kernel's flags
export const matmulDef: OpDef<MatmulAttrs> = {
  name: "matmul",
  infer([a, b], { transA, transB }) {
    if (a.ndim < 2 || b.ndim < 2) throw new ShapeError(`matmul: expected tensors of rank 2 or more, found ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    const [m, k] = dims(a, transA);
    const [k2, n] = dims(b, transB);
    if (k !== k2)
      throw new ShapeError(`matmul: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: inner dimensions ${k} and ${k2} differ`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul");
    return { shape: [...batch, m, n], dtype: promote(a.dtype, b.dtype) };
  },
  forward([a, b], { transA, transB }, shape, dtype) {
    const out = kernels().alloc(dtype, sizeOf(shape));
    const [m, k] = dims(a, transA);
    const n = shape[shape.length - 1];
    const batchShape = shape.slice(0, -2);
    const batches = sizeOf(batchShape);
    if (batches === 1 && a.ndim === 2 && b.ndim === 2) {
      kernels().matmul(a.data, 0, b.data, 0, out, 0, m, n, k, transA, transB);
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
      kernels().matmul(a.data, ao * m * k, b.data, bo * k * n, out, t * m * n, m, n, k, transA, transB);
      for (let d = idx.length - 1; d >= 0 && ++idx[d] === batchShape[d]; d--) idx[d] = 0;
    }
    return out;
  },
  vjp(g, { inputs: [a, b], attrs: { transA, transB } }) {
    // NOTE: only the needed products are formed: the input batch of a first layer needs no gradient.
    const mm = (need: boolean, x: Tensor, y: Tensor, tx: boolean, ty: boolean) => (need ? F.matmulT(x, y, tx, ty) : null);
    const [na, nb] = [a.requiresGrad, b.requiresGrad];
    if (!transA && !transB) return [mm(na, g, b, false, true), mm(nb, a, g, true, false)];
    if (!transA && transB) return [mm(na, g, b, false, false), mm(nb, g, a, true, false)];
    if (transA && !transB) return [mm(na, b, g, false, true), mm(nb, a, g, false, false)];
    return [mm(na, b, g, true, true), mm(nb, g, a, true, true)];
  },
  formula: { A: "ḡ · Bᵀ", B: "Aᵀ · ḡ" },
  vocab: { name: "matmul", display: "@", latex: "", form: "infix", operator: "@", word: "\\operatorname{matmul}" },
};
