import { ParseError, ValueError } from "../errors.js";
import { AXIS_FUNCTIONS, FUNCTIONS, functionNamed } from "./ast.js";
import { PROGRAM_FUNCTIONS, vocabOf } from "../ops/vocab.js";
import type { Assignment, BinaryOp, Expr, Pos, Program } from "./ast.js";

/** A name: a letter or `_`, then letters, marks, digits (`x₀` too) or `_`. */
export const NAME_RE = /[\p{L}_][\p{L}\p{M}\p{N}_]*/uy;
/** An unsigned number literal: `1`, `1.0`, `.5`, `1e-3`, `2.5E+4`. */
export const NUMBER_RE = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const MALFORMED_NUMBER_RE = /[\d.]+(?:[eE][+-]?[\d.]*)?/y;

/** Fails with a ValueError unless `value` is a string (public functions take text from JavaScript callers too). */
export function expectString(where: string, what: string, value: unknown): asserts value is string {
  if (typeof value !== "string") throw new ValueError(`${where}: ${what} must be a string, found ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
}

/** Matches a sticky regex at `offset`, returning the matched text or undefined. */
export function matchAt(re: RegExp, text: string, offset: number): string | undefined {
  re.lastIndex = offset;
  return re.exec(text)?.[0];
}

/** Maps offsets of `source` to 1-based line and column (columns count UTF-16 code units). */
export function locator(source: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** A ParseError pointing at `offset` of `source`, with the line it falls on. */
export function parseErrorAt(source: string, offset: number, message: string): ParseError {
  const { line, column } = locator(source)(offset);
  const start = offset - column + 1;
  const newline = source.indexOf("\n", start);
  const sourceLine = source.slice(start, newline < 0 ? source.length : newline).replace(/\r$/, "");
  return new ParseError(message, line, column, sourceLine);
}

type TokenKind = "num" | "name" | "op" | "(" | ")" | "," | "=" | "sep" | "eof";

interface Token {
  kind: TokenKind;
  /** The text as written. */
  text: string;
  /** Normalized operator for "op" tokens (`·` → `*`, `**` → `^`, ...). */
  op?: BinaryOp;
  offset: number;
  end: number;
}

/** The operators by how they may be written (`·` `⋅` `×` for `*`, `÷` for `/`, `−` for `-`); `**` is read before `*`. */
const OPERATORS: Record<string, BinaryOp> = {
  "+": "+", "-": "-", "\u2212": "-", "*": "*", "\u00b7": "*", "\u22c5": "*", "\u00d7": "*", "/": "/", "\u00f7": "/", "^": "^", "@": "@",
};
const PUNCTUATION = new Set(["(", ")", ",", "="]);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, text: string, op?: BinaryOp) => {
    tokens.push({ kind, text, op, offset: i, end: i + text.length });
    i += text.length;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n" || c === ";") push("sep", c);
    else if (c === "#") {
      const newline = src.indexOf("\n", i);
      i = newline < 0 ? src.length : newline;
    } else if (/\s/.test(c)) i++;
    else if (/[\d.]/.test(c) && matchAt(NUMBER_RE, src, i) !== undefined) {
      const text = matchAt(NUMBER_RE, src, i)!;
      const next = src[i + text.length];
      if (next !== undefined && /[.eE\d]/.test(next)) throw parseErrorAt(src, i, `malformed number "${matchAt(MALFORMED_NUMBER_RE, src, i)}"`);
      push("num", text);
    } else if (matchAt(NAME_RE, src, i) !== undefined) push("name", matchAt(NAME_RE, src, i)!);
    else if (src.startsWith("**", i)) push("op", "**", "^");
    else if (OPERATORS[c] !== undefined) push("op", c, OPERATORS[c]);
    else if (PUNCTUATION.has(c)) push(c as TokenKind, c);
    else throw parseErrorAt(src, i, `unexpected character "${String.fromCodePoint(src.codePointAt(i)!)}"`);
  }
  tokens.push({ kind: "eof", text: "", offset: src.length, end: src.length });
  return tokens;
}

function describe(t: Token): string {
  if (t.kind === "eof") return "the end of the program";
  if (t.text === "\n") return "the end of the line";
  return `"${t.text}"`;
}

const isEnd = (t: Token) => t.kind === "sep" || t.kind === "eof";
const isAxisLiteral = (e: Expr): boolean =>
  (e.kind === "num" && /^\d+$/.test(e.text)) || (e.kind === "unary" && isAxisLiteral(e.arg));

/** How deep an expression may nest (parentheses, calls, operators): deeper is a ParseError, not a stack overflow. */
export const MAX_DEPTH = 256;

class Parser {
  private i = 0;
  private level = 0;
  private readonly depths = new WeakMap<Expr, number>();
  private readonly tokens: Token[];
  private readonly loc: (offset: number) => { line: number; column: number };

  constructor(private readonly src: string) {
    this.tokens = tokenize(src);
    this.loc = locator(src);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isOp(...ops: BinaryOp[]): boolean {
    const t = this.peek();
    return t.kind === "op" && ops.includes(t.op!);
  }

  private fail(at: Token | number, message: string): never {
    throw parseErrorAt(this.src, typeof at === "number" ? at : at.offset, message);
  }

  private pos(offset: number, end: number): Pos {
    return { ...this.loc(offset), offset, end };
  }

  private where(t: Token): string {
    const { line, column } = this.loc(t.offset);
    return `line ${line}, column ${column}`;
  }

  /** Fails on the token after a complete expression that is not what may follow it. */
  private unexpectedAfterExpr(t: Token, expected: string): never {
    if (t.kind === "name" || t.kind === "num" || t.kind === "(") this.fail(t, `missing operator before "${t.text}" (write "*" for a product)`);
    this.fail(t, `expected ${expected}, found ${describe(t)}`);
  }

  program(): Program {
    const assignments: Assignment[] = [];
    const seen = new Map<string, Assignment>();
    for (;;) {
      while (this.peek().kind === "sep") this.next();
      if (this.peek().kind === "eof") break;
      const a = this.assignment();
      const first = seen.get(a.name);
      if (first) this.fail(a.pos.offset, `${a.name} is assigned twice (first at line ${first.pos.line})`);
      seen.set(a.name, a);
      assignments.push(a);
      const t = this.peek();
      if (isEnd(t)) continue;
      if (t.kind === ")") this.fail(t, `unmatched ")"`);
      if (t.kind === "=") this.fail(t, `unexpected "=": write one assignment per line or separate them with ";"`);
      this.unexpectedAfterExpr(t, "an operator, \";\" or the end of the line");
    }
    if (assignments.length === 0) this.fail(0, "empty program: write at least one assignment such as y = x * w");
    return { assignments, source: this.src };
  }

  private assignment(): Assignment {
    const t = this.peek();
    if (t.kind !== "name" || this.peek(1).kind !== "=") {
      let j = 0;
      while (!isEnd(this.peek(j)) && this.peek(j).kind !== "=") j++;
      if (this.peek(j).kind === "=") {
        if (j === 0) this.fail(t, `missing the name to assign to before "="`);
        const target = this.src.slice(t.offset, this.peek(j - 1).end);
        this.fail(t, `the left side of "=" must be a single name, found "${target}"`);
      }
      if (t.kind === "name") this.fail(this.peek(1), `expected "=" after "${t.text}", found ${describe(this.peek(1))}`);
      this.fail(t, `expected an assignment such as y = x * w, found ${describe(t)}`);
    }
    if (functionNamed(t.text.toLowerCase())) this.fail(t, `"${t.text}" is a function name and cannot be assigned to`);
    this.next();
    this.next();
    const expr = this.expression();
    return { name: t.text, expr, pos: this.pos(t.offset, expr.pos.end), source: this.src.slice(expr.pos.offset, expr.pos.end) };
  }

  /** Records the depth of `e` from its children's, failing beyond MAX_DEPTH. */
  private nested(e: Expr, ...children: Expr[]): Expr {
    const depth = 1 + Math.max(0, ...children.map((c) => this.depths.get(c) ?? 1));
    if (depth > MAX_DEPTH) this.tooDeep(e.pos.offset);
    this.depths.set(e, depth);
    return e;
  }

  private tooDeep(offset: number): never {
    this.fail(offset, `the expression nests deeper than ${MAX_DEPTH} levels (parentheses, calls and operators): split it into several assignments`);
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): Expr {
    return this.nested({ kind: "binary", op, left, right, pos: this.pos(left.pos.offset, right.pos.end) }, left, right);
  }

  private expression(): Expr {
    let left = this.term();
    while (this.isOp("+", "-")) left = this.binary(this.next().op!, left, this.term());
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    while (this.isOp("*", "/", "@")) left = this.binary(this.next().op!, left, this.unary());
    return left;
  }

  private unary(): Expr {
    if (++this.level > MAX_DEPTH) this.tooDeep(this.peek().offset);
    try {
      if (this.isOp("+", "-")) {
        const t = this.next();
        const arg = this.unary();
        return this.nested({ kind: "unary", op: t.op as "+" | "-", arg, pos: this.pos(t.offset, arg.pos.end) }, arg);
      }
      const base = this.primary();
      if (!this.isOp("^")) return base;
      this.next();
      return this.binary("^", base, this.unary());
    } finally {
      this.level--;
    }
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.kind === "num") {
      this.next();
      return { kind: "num", value: Number(t.text), text: t.text, pos: this.pos(t.offset, t.end) };
    }
    if (t.kind === "name") {
      this.next();
      if (this.peek().kind === "(") return this.call(t);
      return { kind: "var", name: t.text, pos: this.pos(t.offset, t.end) };
    }
    if (t.kind === "(") {
      this.next();
      const inner = this.expression();
      const close = this.peek();
      if (close.kind !== ")") {
        if (isEnd(close)) this.fail(close, `the "(" opened at ${this.where(t)} is never closed: missing ")"`);
        this.unexpectedAfterExpr(close, `")"`);
      }
      this.next();
      const grouped = { ...inner, pos: this.pos(t.offset, close.end) };
      this.depths.set(grouped, this.depths.get(inner) ?? 1);
      return grouped;
    }
    const prev = this.tokens[this.i - 1];
    const after = prev && (prev.kind === "op" || prev.kind === "=") ? ` after "${prev.text}"` : "";
    this.fail(t, `expected an expression${after}, found ${describe(t)}`);
  }

  private call(name: Token): Expr {
    const lower = name.text.toLowerCase();
    const fn = functionNamed(lower);
    if (fn === undefined) this.fail(name, `unknown function "${name.text}"; known functions: ${PROGRAM_FUNCTIONS.map((f) => vocabOf(f.op).name).join(", ")}`);
    const open = this.next();
    const args: Expr[] = [];
    if (this.peek().kind !== ")") {
      for (;;) {
        args.push(this.expression());
        const t = this.peek();
        if (t.kind === ",") this.next();
        else if (t.kind === ")") break;
        else if (isEnd(t)) this.fail(t, `the "(" of ${name.text} opened at ${this.where(open)} is never closed: missing ")"`);
        else this.unexpectedAfterExpr(t, `"," or ")"`);
      }
    }
    const close = this.next();
    const { minArgs, maxArgs } = FUNCTIONS[fn]!;
    if (args.length < minArgs || args.length > maxArgs) {
      const range = minArgs === maxArgs ? `${minArgs}` : `${minArgs} or ${maxArgs}`;
      const plural = maxArgs === 1 ? "argument" : "arguments";
      const at = args.length > maxArgs ? args[maxArgs]!.pos.offset : close.offset;
      this.fail(at, `${lower} takes ${range} ${plural}, got ${args.length}`);
    }
    if (AXIS_FUNCTIONS.has(fn) && args.length === 2 && !isAxisLiteral(args[1]!)) {
      const axis = args[1]!.pos;
      const text = this.src.slice(axis.offset, axis.end);
      this.fail(axis.offset, `the axis of ${lower} must be an integer such as 0 or -1, found "${text}"`);
    }
    return this.nested({ kind: "call", fn, args, pos: this.pos(name.offset, close.end) }, ...args);
  }
}

/**
 * Parses a program of assignments `name = expr`, one per line or separated by `;`, with `#` comments.
 *
 * Precedence, tightest first: `^` (also `**`, right-associative, so `-x^2` is `-(x^2)`), unary `-` `+`,
 * `* / @` (also `·` `⋅` `×` `÷`), then `+ -` (also `−`); binary operators other than `^` associate left.
 * Function names are case-insensitive and come out lowercase. Every error is a ParseError that
 * points at the offending token; a name may be assigned only once; an expression may nest at most
 * MAX_DEPTH levels deep.
 */
export function parseProgram(source: string): Program {
  expectString("parseProgram", "the program", source);
  return new Parser(source).program();
}
