export { explain, explainProgram, type ExplainProgramOptions } from "./explain-program.js";
export { explainModelSpec, explainModule, explainTrace, type ExplainModelOptions } from "./model.js";
export { explainAttention, type ExplainAttentionOptions } from "./attention.js";
export { deriveNamed, DERIVATIONS, type DerivationName, type DeriveOptions } from "./derive.js";
export { formatText, formatMarkdown, formatLatex, formatJson } from "./format.js";
export { formatDot, formatSvg } from "./graph-draw.js";
export { mathToLatex, richToLatex, richToText } from "./latex.js";
export { formatNumber, type Value } from "./numbers.js";
export { parseProgram } from "./parser.js";
export { parseClaims, parseSetValues, type Claim } from "./values.js";
export type { InputValue } from "./program.js";
export type {
  Derivation, ProgramDerivation, ModelDerivation, NamedDerivation, ForwardStep, Gradient, Path, Factor,
  AdjointStep, AdjointTerm, GraphNode, GraphEdge, Check, Equation,
} from "./derivation.js";
