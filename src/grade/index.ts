export { checkSolution, type CheckSolutionOptions, type GradeReport, type StepCheck } from "./check.js";
export { formatGradeText, formatGradeMarkdown } from "./format.js";
export type { Unread } from "./read.js";
export { checkTensorClaims, checkSummaryClaims, formatClaimChecks, type ClaimCheck } from "./shapes.js";
