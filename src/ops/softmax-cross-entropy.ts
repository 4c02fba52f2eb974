import { DTypeError, ShapeError } from "../errors.js";
import { isFloat, promote } from "../tensor/dtype.js";
import { fmtShape, shapesEqual, sizeOf } from "../tensor/shape.js";
import { F } from "./api.js";
import { type OpDef, keyOf, kernels } from "./op.js";

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
  forward([h, y], _, shape, dtype) {
    const out = kernels(dtype).alloc(dtype, sizeOf(shape));
    kernels(keyOf(dtype, h, y)).softmaxCrossEntropy(h.data, y.data, out, out.length, h.shape[h.ndim - 1]);
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
