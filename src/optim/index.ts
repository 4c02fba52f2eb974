export {
  Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState,
  type StateArray, type Hyper, type HyperValue,
} from "./optimizer.js";
export { SGD, type SGDOptions, type SGDHyper } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamHyper } from "./adam.js";
export { RMSprop, type RMSpropOptions, type RMSpropHyper } from "./rmsprop.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./clip.js";
export {
  StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, NoSchedule, makeSchedule,
  type LRSchedule, type ScheduleStateDict, type ScheduleName, type ScheduleOptions,
  type StepLROptions, type CosineAnnealingLROptions, type ReduceLROnPlateauOptions,
} from "./schedule.js";
