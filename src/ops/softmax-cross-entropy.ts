import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { isFloat, promote } from "../tensor/dtype.js";
import { fmtShape, shapesEqual, sizeOf } from "../tensor/shape.js";
import * as F from "./functions.js";
import { type OpDef, kernels } from "./op.js";

/** How far a target row's sum may be from 1 (float32 soft labels from a softmax are within ~1e-6·C). */
const SUM_TOL = 1e-3;

// L = Σⱼ yⱼ (logΣₖexp(hₖ) − hⱼ) per row: ∂h = ḡ · (softmax(h) − y), ∂y = −ḡ · logSoftmax(h)
// NOTE: fused for numerical stability (P4): the rule never forms log(softmax(h)) or divides by it.
// The targets are distributions (rows sum to 1, checked), where Σy·softmax(h) − y = softmax(h) − y.
export const softmaxCrossEntropyDef: OpDef<{}> = {
  name: "softmaxCrossEntropy",
  infer([h, y]) {
    if (!isFloat(h.dtype) || !isFloat(y.dtype))
      throw new DTypeError(`softmaxCrossEntropy: expected float logits and targets, found ${h.dtype} and ${y.dtype}`);
    if (h.ndim < 1 || !shapesEqual(h.shape, y.shape))
      throw new ShapeError(`softmaxCrossEntropy: logits ${fmtShape(h.shape)} and target ${fmtShape(y.shape)} must have one shape [..., C]`);
    const c = h.shape[h.ndim - 1];
    for (let r = 0; r * c < y.size; r++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += y.data[r * c + j];
      if (!(Math.abs(s - 1) <= SUM_TOL)) throw new ValueError(`softmaxCrossEntropy: target row ${r} sums to ${s}; target rows must be probability distributions (sum 1)`);
    }
    return { shape: h.shape.slice(0, -1), dtype: promote(h.dtype, y.dtype) };
  },
  // NOTE: one fused row loop (max, log-sum-exp, dot with y); the backends have no kernel for it.
  forward([h, y], _, shape, dtype) {
    const c = h.shape[h.ndim - 1];
    const out = kernels().alloc(dtype, sizeOf(shape));
    const hd = h.data, yd = y.data;
    for (let r = 0; r < out.length; r++) {
      const o = r * c;
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (hd[o + j] > m) m = hd[o + j];
      if (!Number.isFinite(m)) m = 0;
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(hd[o + j] - m);
      const lse = m + Math.log(s);
      let loss = 0;
      for (let j = 0; j < c; j++) if (yd[o + j] !== 0) loss += yd[o + j] * (lse - hd[o + j]);
      out[r] = loss;
    }
    return out;
  },
  vjp(g, { inputs: [h, y] }) {
    const gk = F.unsqueeze(g, -1);
    return [F.mul(gk, F.sub(F.softmax(h, -1), y)), y.requiresGrad ? F.neg(F.mul(gk, F.logSoftmax(h, -1))) : null];
  },
  formula: "∂h = ḡ · (softmax(h) − y)",
};
