import type { ParseError } from "../errors.js";
import { NAME_RE, NUMBER_RE, expectString, matchAt, parseErrorAt } from "./parser.js";

/** A claimed forward value (`y1=-0.08`) or gradient (`dz/dw1=-0.2`); `text` is the claim as written. */
export type Claim =
  | { kind: "value"; name: string; value: number; text: string }
  | { kind: "grad"; of: string; wrt: string; value: number; text: string };

const SEPARATORS = ",;\n";
const NON_FINITE_RE = /(?:infinity|inf|nan)(?![\p{L}\p{N}_])|\u221e/iuy;

/** A cursor over a one-line-or-more list of `lhs = number` entries separated by `,`, `;` or newlines. */
class Scanner {
  i = 0;
  constructor(readonly text: string) {}

  get char(): string | undefined {
    return this.text[this.i];
  }

  skipSpaces(): void {
    while (this.char !== undefined && this.char !== "\n" && /\s/.test(this.char)) this.i++;
  }

  found(): string {
    if (this.char === undefined) return "the end";
    if (this.char === "\n") return "the end of the line";
    return `"${String.fromCodePoint(this.text.codePointAt(this.i)!)}"`;
  }

  fail(message: string, at = this.i): ParseError {
    return parseErrorAt(this.text, at, message);
  }

  name(what: string): string {
    this.skipSpaces();
    const name = matchAt(NAME_RE, this.text, this.i);
    if (name === undefined) throw this.fail(`expected ${what}, found ${this.found()}`);
    this.i += name.length;
    return name;
  }

  expect(chars: string, message: string): void {
    this.skipSpaces();
    if (this.char === undefined || !chars.includes(this.char)) throw this.fail(`${message}, found ${this.found()}`);
    this.i++;
  }

  /**
   * A number with an optional sign (`-`, `+` or `−`), then the end of the entry. `inf`, `Infinity`,
   * `∞` and `nan` (any case) are read when `nonFinite` is set, and refused otherwise; a literal too
   * large for a float64 (`1e400`) is always refused: it is not ∞.
   */
  number(nonFinite: boolean): number {
    this.skipSpaces();
    const signAt = this.i;
    const sign = this.char === "-" || this.char === "\u2212" ? -1 : 1;
    if (sign < 0 || this.char === "+") this.i++;
    this.skipSpaces();
    const start = this.i;
    const word = matchAt(NON_FINITE_RE, this.text, start);
    const text = word ?? matchAt(NUMBER_RE, this.text, start);
    if (text === undefined) throw this.fail(`expected a number, found ${this.found()}`);
    this.i += text.length;
    const value = word === undefined ? sign * Number(text) : /^n/i.test(word) ? NaN : sign * Infinity;
    if (word === undefined && !Number.isFinite(value)) throw this.fail(`${this.text.slice(signAt, this.i)} is not a finite number (it is too large for a float64)`, signAt);
    if (!nonFinite && word !== undefined) throw this.fail(`${this.text.slice(signAt, this.i)} is not a finite number`, signAt);
    if (this.char !== undefined && /[\p{L}\p{N}_.]/u.test(this.char)) {
      throw this.fail(`malformed number "${matchAt(/[^\s,;]*/y, this.text, start)}"`, start);
    }
    this.skipSpaces();
    if (this.char !== undefined && !SEPARATORS.includes(this.char)) {
      throw this.fail(`expected "," before the next entry, found ${this.found()}`);
    }
    return value;
  }

  /** Calls `entry` for each non-empty entry, with the offset where it starts. */
  entries(entry: (start: number) => void): void {
    for (;;) {
      while (this.char !== undefined && (SEPARATORS.includes(this.char) || /\s/.test(this.char))) this.i++;
      if (this.char === undefined) return;
      entry(this.i);
    }
  }
}

/**
 * Parses `--set` values such as `x0=1, w0=0.3, w1=-0.2` into a record name → number.
 * Entries are separated by `,`, `;` or newlines; a name may be set only once; every value must be a
 * finite number (`Infinity` and `1e400`, which overflows to it, are both refused).
 * @throws ParseError pointing at the offending character.
 */
export function parseSetValues(text: string): Record<string, number> {
  expectString("parseSetValues", "the values", text);
  const s = new Scanner(text);
  const values: Record<string, number> = Object.create(null);
  s.entries(() => {
    s.skipSpaces();
    const at = s.i;
    const name = s.name("a name such as x0");
    if (Object.prototype.hasOwnProperty.call(values, name)) throw s.fail(`${name} is set twice`, at);
    s.expect("=", `expected "=" after "${name}"`);
    values[name] = s.number(false);
  });
  return { ...values };
}

/**
 * Parses `--check` claims such as `y1=-0.08, z=0.92, dz/dw1=-0.2` (also `∂z/∂w1`, `d z / d w1`).
 * Claims are separated by `,`, `;` or newlines; `text` keeps each claim as written, trimmed. A claim
 * may be ±∞ or NaN: `inf`, `-inf`, `Infinity`, `∞`, `nan` (any case).
 * @throws ParseError pointing at the offending character.
 */
export function parseClaims(text: string): Claim[] {
  expectString("parseClaims", "the claims", text);
  const s = new Scanner(text);
  const claims: Claim[] = [];
  s.entries((start) => {
    let end = start;
    while (end < text.length && !"=,;\n".includes(text[end]!)) end++;
    if (text.slice(start, end).includes("/")) {
      s.expect("d\u2202", `expected "d" or "∂" to start a gradient such as dz/dw1`);
      const of = s.name(`a name after "${text[s.i - 1]}"`);
      s.expect("/", `expected "/" after "${of}"`);
      s.expect("d\u2202", `expected "d" or "∂" after "/"`);
      const wrt = s.name(`a name after "${text[s.i - 1]}"`);
      s.expect("=", `expected "=" after "${text.slice(start, s.i).trim()}"`);
      claims.push({ kind: "grad", of, wrt, value: s.number(true), text: text.slice(start, s.i).trim() });
    } else {
      const name = s.name("a name such as y1 or a gradient such as dz/dw1");
      s.expect("=", `expected "=" after "${name}"`);
      claims.push({ kind: "value", name, value: s.number(true), text: text.slice(start, s.i).trim() });
    }
  });
  return claims;
}
