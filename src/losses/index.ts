export { type Reduction } from "./reduction.js";
export { crossEntropy, nllLoss, softmaxCrossEntropy, type CrossEntropyOptions, type NLLLossOptions } from "./cross-entropy.js";
export { mse, l1 } from "./regression.js";
export { binaryCrossEntropyWithLogits, type BCEWithLogitsOptions } from "./bce.js";
export { l2Penalty, type L2PenaltyOptions } from "./penalty.js";
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss } from "./modules.js";
