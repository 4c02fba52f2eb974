import { OPS, type OpName } from "./index.js";
import type { Vocab } from "./op.js";

/** The vocabulary of the composite functions explain's program language calls (built from primitives in functions.ts). */
export const COMPOSITE_VOCAB = {
  mean: { name: "mean", display: "mean", latex: "\\operatorname{mean}", form: "call", word: "\\operatorname{mean}" },
  softmax: { name: "softmax", display: "softmax", latex: "\\operatorname{softmax}", form: "call", word: "\\operatorname{softmax}", shape: "same" },
  logsoftmax: { name: "logsoftmax", display: "logsoftmax", latex: "\\operatorname{logsoftmax}", form: "call", word: "\\operatorname{logsoftmax}", shape: "same" },
} as const satisfies Record<string, Vocab>;

/** A primitive or a composite function with a vocabulary. */
export type VocabName = OpName | keyof typeof COMPOSITE_VOCAB;

/** The vocabulary of a primitive or a composite. */
export const vocabOf = (k: VocabName): Vocab => (k in COMPOSITE_VOCAB ? COMPOSITE_VOCAB[k as keyof typeof COMPOSITE_VOCAB] : OPS[k as OpName].vocab);

/** Every primitive, then every composite. */
export const VOCAB_NAMES: readonly VocabName[] = [...(Object.keys(OPS) as OpName[]), ...(Object.keys(COMPOSITE_VOCAB) as VocabName[])];

/** A function of explain's program language: its op, its arity, and whether an optional last argument is an integer axis. */
export interface ProgramFunction {
  readonly op: VocabName;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly axis?: true;
}

const fn = (op: VocabName, minArgs: number, maxArgs = minArgs, axis?: true): ProgramFunction => ({ op, minArgs, maxArgs, axis });
/** The functions of explain's program language, in the order its messages list them; each is called by its `vocab.name`. */
export const PROGRAM_FUNCTIONS: readonly ProgramFunction[] = [
  fn("relu", 1), fn("sigmoid", 1), fn("tanh", 1), fn("exp", 1), fn("log", 1), fn("sqrt", 1), fn("abs", 1),
  fn("maximum", 2), fn("minimum", 2), fn("matmul", 2),
  fn("sum", 1, 2, true), fn("mean", 1, 2, true), fn("softmax", 1, 2, true), fn("logsoftmax", 1, 2, true),
  fn("softmaxCrossEntropy", 2),
];

const BY_PROGRAM_NAME = new Map<string, VocabName>([
  ...VOCAB_NAMES.map((k): [string, VocabName] => [vocabOf(k).name, k]).reverse(),
  ...PROGRAM_FUNCTIONS.map((f): [string, VocabName] => [vocabOf(f.op).name, f.op]),
]);
const BY_OPERATOR = new Map(VOCAB_NAMES.filter((k) => vocabOf(k).operator !== undefined).map((k) => [vocabOf(k).operator!, k]));

/** The op a name of the program language stands for (`max` → maximum, `crossentropy`, `neg`), or undefined. */
export const programOp = (name: string): VocabName | undefined => BY_PROGRAM_NAME.get(name);
/** The op of a binary operator of the program language (`*` → mul). */
export const operatorOp = (operator: string): VocabName | undefined => BY_OPERATOR.get(operator);
