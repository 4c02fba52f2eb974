import { PROGRAM_FUNCTIONS, programOp, vocabOf, type VocabName } from "../ops/vocab.js";

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

/** Precedence levels of `exprToText`, loosest first. */
const [ADD, MUL, UNARY, POW, ATOM] = [1, 2, 3, 4, 5];

function precedence(e: Expr): number {
  if (e.kind === "binary") return e.op === "+" || e.op === "-" ? ADD : e.op === "^" ? POW : MUL;
  return e.kind === "unary" ? UNARY : ATOM;
}

/** A function's name in Unicode text: its display name where that spells the same name (`ReLU`), so the text parses back. */
export function callName(fn: FnName): string {
  const { display, name } = vocabOf(fn);
  return display.toLowerCase() === name ? display : name;
}

/**
 * Writes an expression in Unicode (`·`, `−`) with the fewest parentheses that keep its structure, so
 * that parsing the text gives back the same tree. A negated operand of a binary operator (`a·(−b)`)
 * and a nested negation (`−(−a)`) keep parentheses for legibility.
 */
export function exprToText(e: Expr): string {
  const sub = (child: Expr, needParens: boolean) => (needParens ? `(${exprToText(child)})` : exprToText(child));
  switch (e.kind) {
    case "num": return e.text;
    case "var": return e.name;
    case "call": return `${callName(e.fn)}(${e.args.map(exprToText).join(", ")})`;
    case "unary": return (e.op === "-" ? "\u2212" : e.op) + sub(e.arg, precedence(e.arg) < POW);
    case "binary": {
      if (e.op === "^") return `${sub(e.left, precedence(e.left) < ATOM)}^${sub(e.right, precedence(e.right) < POW)}`;
      const p = precedence(e);
      const op = e.op === "-" ? " \u2212 " : e.op === "*" ? "\u00b7" : e.op === "+" || e.op === "@" ? ` ${e.op} ` : e.op;
      return sub(e.left, precedence(e.left) < p) + op + sub(e.right, precedence(e.right) <= p || e.right.kind === "unary");
    }
  }
}
