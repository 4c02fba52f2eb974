/**
 * chainrule: tensors with reverse-mode automatic differentiation, neural networks, and worked
 * explanations of backpropagation. This file is the whole public surface of the core library; it
 * imports no Node built-ins, so it bundles for browsers.
 */
export { ChainruleError, ShapeError, DTypeError, GraphError, ValueError, AnomalyError, FormatError, ParseError } from "./errors.js";
export { Tensor } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export type { Shape } from "./tensor/shape.js";
export { Generator, manualSeed, defaultGenerator } from "./tensor/random.js";
export {
  tensor, scalar, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, randint,
  type TensorOptions, type RandomOptions,
} from "./tensor/create.js";
export {
  add, sub, mul, div, pow, maximum, minimum, gt, lt, ge, le, eq, ne,
  leakyRelu, where, clamp, cast,
  matmul, sum, mean, max, min, argmax, argmin, logSumExp, softmax, logSoftmax,
  reshape, flatten, squeeze, unsqueeze, transpose, permute, expand, slice, select, concat, stack,
  gather, scatterAdd, indexSelect, oneHot, type Operand,
  unfold, fold, type UnfoldOptions,
} from "./ops/functions.js";
// The elementwise unary primitives (neg, exp, log, sqrt, abs, sign, relu, sigmoid, tanh, softplus, erf, gelu, geluGrad, sin, cos):
// every row of that file is public.
export * from "./ops/unary.js";
export { OPS, DIFFERENTIABLE_OPS, type OpName } from "./ops/index.js";
export type { OpDef, Ctx } from "./ops/op.js";
export { noGrad, enableGrad, isGradEnabled, detectAnomaly } from "./autograd/mode.js";
export { gradients, type BackwardOptions } from "./autograd/engine.js";
export { grad, valueAndGrad } from "./autograd/functional.js";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./autograd/gradcheck.js";
export { getBackend, ready, registerBackend, setBackend, setNumThreads, getNumThreads, type Backend, type BackendInfo, type Kernels, type ReadyOptions } from "./kernels/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { Module, functionalCall } from "./nn/index.js";
export { mlp, parseMlpSpec } from "./nn/spec.js";
export {
  crossEntropy, nllLoss, mse, l1, binaryCrossEntropyWithLogits, l2Penalty, softmaxCrossEntropy,
  CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss,
  type Reduction, type CrossEntropyOptions, type NLLLossOptions, type BCEWithLogitsOptions, type L2PenaltyOptions,
} from "./losses/index.js";
export { SGD, Adam, AdamW, RMSprop, Optimizer, clipGradNorm, clipGradValue } from "./optim/index.js";
export { type Dataset, TensorDataset, DataLoader, fromRaw, type DataLoaderOptions } from "./data/dataset.js";
export type { RawDataset } from "./data/raw.js";
export { parseCsv } from "./data/csv.js";
export { parseIdx } from "./data/idx.js";
export { spiral, moons } from "./data/synthetic.js";
export { CharVocab, nextTokenWindows, sequenceWindows, splitWords, type TokenWindows } from "./data/text.js";
export { multinomial, topK } from "./ops/sampling.js";
export { fitLanguageModel, evaluateLanguageModel, sampleWords, type LanguageEpoch } from "./train/lm.js";
export { summary, type Summary, type SummaryRow, type Layout } from "./train/summary.js";
export { encodeSafetensors, decodeSafetensors, readSafetensorsHeader } from "./io/safetensors.js";
export { fit, evaluate, predict, lineReporter, type FitOptions, type EpochLog, type BatchInfo, type Reporter, type Callbacks, type LossFn } from "./train/fit.js";
export { buildModel, mlpSpec, type ModelSpec, type LayerSpec } from "./nn/build.js";
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint, type CheckpointMeta } from "./io/checkpoint.js";
export { toOnnx, fromOnnx, type ToOnnxOptions, type OnnxImport } from "./io/onnx.js";
export { StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, type LRSchedule } from "./optim/schedule.js";
export { curvesSvg } from "./train/curves.js";
export { fitSteps, splitValidation, DivergenceError } from "./train/fit.js";
export { prepareInputs } from "./train/inputs.js";
export type { InputSpec } from "./io/checkpoint.js";
export {
  explain, explainProgram, explainModelSpec, explainAttention, type ExplainAttentionOptions, explainModule, explainTrace, deriveNamed, DERIVATIONS,
  formatText, formatMarkdown, formatLatex, formatJson, formatDot, formatSvg, mathToLatex, richToLatex, richToText,
  parseProgram, parseClaims, parseSetValues,
  type ExplainProgramOptions, type ExplainModelOptions, type DeriveOptions, type DerivationName, type InputValue, type Claim,
  type Derivation, type ProgramDerivation, type ModelDerivation, type NamedDerivation,
} from "./explain/index.js";
export { checkSolution, formatGradeText, formatGradeMarkdown, checkTensorClaims, checkSummaryClaims, type CheckSolutionOptions, type GradeReport, type StepCheck, type ClaimCheck, type Unread } from "./grade/index.js";
