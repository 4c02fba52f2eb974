import { ShapeError } from "../errors.js";
import { contiguousStrides, fmtShape } from "../tensor/shape.js";
import { F } from "./api.js";
import { type OpDef, kernels } from "./op.js";

// ∂permute(x, p) = permute(ḡ, p⁻¹)
export const permuteDef: OpDef<{ axes: number[] }> = {
  name: "permute",
  infer([x], { axes }) {
    const ok = axes.length === x.ndim && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (!ok) throw new ShapeError(`permute: axes [${axes.join(", ")}] are not a permutation of the ${x.ndim} axes of ${fmtShape(x.shape)}`);
    return { shape: axes.map((a) => x.shape[a]), dtype: x.dtype };
  },
  forward([x], { axes }, shape, dtype) {
    const st = contiguousStrides(x.shape);
    const K = kernels(dtype);
    const out = K.alloc(dtype, x.size);
    K.copy(x.data, 0, axes.map((a) => st[a]), shape, out, 0);
    return out;
  },
  vjp(g, { attrs: { axes } }) {
    const inv = new Array<number>(axes.length);
    axes.forEach((a, i) => (inv[a] = i));
    return [F.permute(g, inv)];
  },
  formula: { x: "permute(ḡ, p⁻¹)" },
  vocab: { name: "permute", display: "permute", latex: "\\operatorname{permute}", form: "call" },
};
