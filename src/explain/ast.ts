import { PROGRAM_FUNCTIONS, vocabOf } from "../ops/vocab.js";

/** Where a node sits in the source: 1-based line and column of its first character, and its [offset, end) span. */
export interface Pos {
  line: number;
  column: number;
  offset: number;
  end: number;
}

/** A function a program may call, by its `vocab.name` (names are case-insensitive in the source, lowercase here). */
export type FnName = string;

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

/** Arity of each function, read off the ops' vocabulary. */
export const FUNCTIONS: Readonly<Record<FnName, { minArgs: number; maxArgs: number }>> = Object.fromEntries(
  PROGRAM_FUNCTIONS.map((f) => [vocabOf(f.op).name, { minArgs: f.minArgs, maxArgs: f.maxArgs }]),
);

/** Functions whose optional second argument is an axis (an integer literal, possibly negative). */
export const AXIS_FUNCTIONS: ReadonlySet<FnName> = new Set(PROGRAM_FUNCTIONS.filter((f) => f.axis).map((f) => vocabOf(f.op).name));

/** Whether `name` is a known function (lowercase; lowercase the source text first). */
export function isFnName(name: string): name is FnName {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}
