import { DTypeError, ShapeError } from "../errors.js";
import { isFloat, promote } from "../tensor/dtype.js";
import { fmtShape, shapesEqual, sizeOf } from "../tensor/shape.js";
import { F } from "./api.js";
import { type OpDef, kernels } from "./op.js";

// L = Σⱼ yⱼ (logΣₖexp(hₖ) − hⱼ) per row: ∂h = ḡ · (softmax(h)·Σy − y), ∂y = −ḡ · logSoftmax(h)
// NOTE: fused for numerical stability (P4): the rule never forms log(softmax(h)) or divides by it.
// The targets need not sum to 1 (class weights and label smoothing scale them, as PyTorch allows);
// ∂h is written with y itself (not detached), so its derivative in y, softmax(h) − eₖ, is right too.
export const softmaxCrossEntropyDef: OpDef<{}> = {
  name: "softmaxCrossEntropy",
  infer([h, y]) {
    if (!isFloat(h.dtype) || !isFloat(y.dtype))
      throw new DTypeError(`softmaxCrossEntropy: expected float logits and targets, found ${h.dtype} and ${y.dtype}`);
    if (h.ndim < 1 || !shapesEqual(h.shape, y.shape))
      throw new ShapeError(`softmaxCrossEntropy: logits ${fmtShape(h.shape)} and target ${fmtShape(y.shape)} must have one shape [..., C]`);
    return { shape: h.shape.slice(0, -1), dtype: promote(h.dtype, y.dtype) };
  },
  // NOTE: one fused row loop (max, log-sum-exp, dot with y); the backends have no kernel for it.
  // Each term is yⱼ·(log Σ exp(h − m) − (hⱼ − m)): m + log Σ… would round to m's precision first.
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
      const ls = Math.log(s);
      let loss = 0;
      for (let j = 0; j < c; j++) if (yd[o + j] !== 0) loss += yd[o + j] * (ls - (hd[o + j] - m));
      out[r] = loss;
    }
    return out;
  },
  vjp(g, { inputs: [h, y] }) {
    const gk = F.unsqueeze(g, -1);
    return [
      h.requiresGrad ? F.mul(gk, F.sub(F.mul(F.softmax(h, -1), F.sum(y, -1, true)), y)) : null,
      y.requiresGrad ? F.neg(F.mul(gk, F.logSoftmax(h, -1))) : null,
    ];
  },
  formula: { h: "ḡ · (softmax(h)·Σⱼ y − y)", y: "−ḡ · logSoftmax(h)" },
  vocab: { name: "crossentropy", display: "crossentropy", latex: "\\operatorname{crossentropy}", form: "call", word: "\\operatorname{crossentropy}" },
};
