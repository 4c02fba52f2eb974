/** Where a node sits in the source: 1-based line and column of its first character, and its [offset, end) span. */
export interface Pos {
  line: number;
  column: number;
  offset: number;
  end: number;
}

/** The functions a program may call (names are case-insensitive in the source, lowercase here). */
export type FnName =
  | "relu"
  | "sigmoid"
  | "tanh"
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "max"
  | "min"
  | "matmul"
  | "sum"
  | "mean"
  | "softmax"
  | "logsoftmax"
  | "crossentropy";

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

/** Arity of each function. For sum, mean, softmax and logsoftmax the optional second argument is an integer axis. */
export const FUNCTIONS: Record<FnName, { minArgs: number; maxArgs: number }> = {
  relu: { minArgs: 1, maxArgs: 1 },
  sigmoid: { minArgs: 1, maxArgs: 1 },
  tanh: { minArgs: 1, maxArgs: 1 },
  exp: { minArgs: 1, maxArgs: 1 },
  log: { minArgs: 1, maxArgs: 1 },
  sqrt: { minArgs: 1, maxArgs: 1 },
  abs: { minArgs: 1, maxArgs: 1 },
  max: { minArgs: 2, maxArgs: 2 },
  min: { minArgs: 2, maxArgs: 2 },
  matmul: { minArgs: 2, maxArgs: 2 },
  sum: { minArgs: 1, maxArgs: 2 },
  mean: { minArgs: 1, maxArgs: 2 },
  softmax: { minArgs: 1, maxArgs: 2 },
  logsoftmax: { minArgs: 1, maxArgs: 2 },
  crossentropy: { minArgs: 2, maxArgs: 2 },
};

/** Functions whose optional second argument is an axis (an integer literal, possibly negative). */
export const AXIS_FUNCTIONS: ReadonlySet<FnName> = new Set<FnName>(["sum", "mean", "softmax", "logsoftmax"]);

/** Whether `name` is a known function (lowercase; lowercase the source text first). */
export function isFnName(name: string): name is FnName {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}
