import { PROGRAM_FUNCTIONS, programOp, type VocabName } from "../ops/vocab.js";

/** Where a node sits in the source: 1-based line and column of its first character, and its [offset, end) span. */
export interface Pos {
  line: number;
  column: number;
  offset: number;
  end: number;
}

/** The op a call of the program stands for (`max(a, b)` calls maximum, `crossentropy(h, y)` softmaxCrossEntropy); the source names it by its `vocab.name`, case-insensitively. */
export type FnName = VocabName;

/** An expression. A parenthesized expression keeps the node inside, with `pos` widened to cover the parentheses. */
export type Expr =
  | { kind: "num"; value: number; text: string; pos: Pos }
  | { kind: "var"; name: string; pos: Pos }
  | { kind: "unary"; op: "-" | "+"; arg: Expr; pos: Pos }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; pos: Pos }
  | { kind: "call"; fn: FnName; args: Expr[]; pos: Pos };

/** The binary operators: `@` is the matrix product, `^` the power. */
export type BinaryOp = "+" | "-" | "*" | "/" | "^" | "@";

/** One statement `name = expr`; `pos` spans the whole statement, `source` is the expression's text as written. */
export interface Assignment {
  name: string;
  expr: Expr;
  pos: Pos;
  source: string;
}

/** A parsed program: its assignments in source order, and the source itself. */
export interface Program {
  assignments: Assignment[];
  source: string;
}

/** Arity of each function, by its op, read off the ops' vocabulary. */
export const FUNCTIONS: Readonly<Partial<Record<FnName, { minArgs: number; maxArgs: number }>>> = Object.fromEntries(
  PROGRAM_FUNCTIONS.map((f) => [f.op, { minArgs: f.minArgs, maxArgs: f.maxArgs }]),
);

/** Functions whose optional second argument is an axis (an integer literal, possibly negative). */
export const AXIS_FUNCTIONS: ReadonlySet<FnName> = new Set(PROGRAM_FUNCTIONS.filter((f) => f.axis).map((f) => f.op));

/** The function a name of the source calls (lowercase the source text first), or undefined. */
export function functionNamed(name: string): FnName | undefined {
  const op = programOp(name);
  return op !== undefined && FUNCTIONS[op] !== undefined ? op : undefined;
}
