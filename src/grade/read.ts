/**
 * Reads the math of a worked solution: Markdown with `$…$`, `$$…$$`, `\[…\]` and aligned/align/equation
 * environments, LaTeX, or plain-text equations, into chains of equal expressions with their lines.
 * NOTE: a small hand-written reader of the notation a course uses, not a LaTeX library: a LaTeX parser
 * gives a token tree with no meaning for `\frac{d}{dw_0}(…)`, `ReLU'`, implicit products or `P(y=j)`,
 * and a computer-algebra system's own meaning of them would not run on the library's autograd.
 */

/** An expression of a solution. `sym` with `idx` is an element of a family (`h_i`) or a call of a defined function (`P(y=j)`). */
export type MathExpr =
  | { kind: "num"; value: number; text: string }
  | { kind: "sym"; name: string; idx: MathExpr[]; cond?: string }
  | { kind: "neg"; arg: MathExpr }
  | { kind: "bin"; op: "+" | "-" | "*" | "/" | "^"; left: MathExpr; right: MathExpr; implicit?: boolean }
  | { kind: "call"; fn: string; arg: MathExpr }
  | { kind: "deriv"; of: MathExpr; wrt: MathExpr; partial: boolean }
  | { kind: "sum"; index: string; lo?: MathExpr; hi?: MathExpr; body: MathExpr }
  | { kind: "delta"; a: MathExpr; b: MathExpr };

/** One expression of a chain `e0 = e1 = …`, with the line it was written on. */
export interface Step { expr: MathExpr; line: number; source: string }
/** The text of a line the reader could not read, and why. */
export interface Unread { line: number; text: string; reason: string }
export interface Piece { line: number; text: string; latex: boolean }

export const FUNCTIONS = ["relu", "sigmoid", "exp", "log", "tanh"];
const FN_ALIASES: Record<string, string> = { sigma: "sigmoid", σ: "sigmoid", ln: "log", relu: "relu", exp: "exp", log: "log", tanh: "tanh", sigmoid: "sigmoid" };
const INDEX_LETTERS = new Set(["i", "j", "k", "l", "m", "n"]);
const SUB = "₀₁₂₃₄₅₆₇₈₉";

class ReadError extends Error {}

interface Tok { t: "num" | "id" | "cmd" | "op"; v: string }

function tokenize(src: string, latex: boolean): Tok[] {
  const s = src.replace(/[₀-₉]+/g, (m) => `_{${[...m].map((c) => SUB.indexOf(c)).join("")}}`).replace(/[′’]/g, "'").replace(/∂/g, "\\partial ")
    .replace(/Σ|∑/g, "\\sum ").replace(/σ/g, "\\sigma ").replace(/[−–]/g, "-").replace(/[·⋅×]/g, "*").replace(/≈|\\approx/g, "=").replace(/÷/g, "/");
  const out: Tok[] = [];
  for (let i = 0; i < s.length;) {
    const rest = s.slice(i);
    let m: RegExpMatchArray | null;
    if (/^\s/.test(rest)) i++;
    else if ((m = rest.match(/^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/))) { out.push({ t: "num", v: m[0] }); i += m[0].length; }
    else if ((m = rest.match(/^\\([a-zA-Z]+|.)/))) { out.push({ t: "cmd", v: m[1]! }); i += m[0].length; }
    else if ((m = rest.match(latex ? /^[a-zA-Z]+(?:\d+(?![.\d]))?/ : /^[a-zA-Z][a-zA-Z0-9]*/))) {
      const w = m[0];
      // NOTE: in LaTeX a run of letters is a product of one-letter symbols (`xw`), unless it names a function.
      if (latex && /^[a-zA-Z]{2,}/.test(w) && !FN_ALIASES[w.replace(/\d+$/, "").toLowerCase()]) {
        const letters = w.match(/^[a-zA-Z]+/)![0];
        for (let k = 0; k < letters.length; k++) out.push({ t: "id", v: letters[k]! + (k === letters.length - 1 ? w.slice(letters.length) : "") });
      } else out.push({ t: "id", v: w });
      i += w.length;
    } else if (rest.startsWith("**")) { out.push({ t: "op", v: "^" }); i += 2; }
    else if ("+-*/^_()[]{}='|,".includes(rest[0]!)) { out.push({ t: "op", v: rest[0]! }); i++; }
    else throw new ReadError(`cannot read "${rest[0]}"`);
  }
  return out;
}

const IGNORED = new Set(["left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", ",", ";", "!", ":", " ", "displaystyle", "limits"]);
const GREEK = new Set(["alpha", "beta", "gamma", "eta", "theta", "lambda", "mu", "nu", "tau", "phi", "epsilon", "rho", "omega", "pi"]);
const num = (value: number): MathExpr => ({ kind: "num", value, text: String(value) });

class Parser {
  i = 0;
  bound: string[] = [];
  constructor(readonly toks: Tok[], readonly latex: boolean, readonly userFns: Set<string>) {}
  peek(k = 0): Tok | undefined { return this.toks[this.i + k]; }
  is(v: string, k = 0): boolean { const t = this.peek(k); return t !== undefined && t.t !== "num" && t.v === v; }
  eat(v: string, what = `"${v}"`): void { if (!this.is(v)) throw new ReadError(`expected ${what}, found ${this.peek() ? `"${this.peek()!.v}"` : "the end"}`); this.i++; }
  skip(): void { while (this.peek()?.t === "cmd" && IGNORED.has(this.peek()!.v)) this.i++; }

  chain(): MathExpr[] {
    const out = [this.is("=") ? null : this.expr()];
    while (this.is("=")) { this.i++; out.push(this.expr()); }
    this.skip();
    if (this.peek()) throw new ReadError(`unexpected "${this.peek()!.v}"`);
    return out as MathExpr[];
  }

  expr(): MathExpr {
    this.skip();
    let e: MathExpr = this.is("-") ? (this.i++, { kind: "neg", arg: this.term() }) : this.is("+") ? (this.i++, this.term()) : this.term();
    for (this.skip(); this.is("+") || this.is("-"); this.skip()) {
      const op = this.toks[this.i++]!.v as "+" | "-";
      e = { kind: "bin", op, left: e, right: this.term() };
    }
    return e;
  }

  startsAtom(): boolean {
    this.skip();
    const t = this.peek();
    if (!t) return false;
    if (t.t === "num" || t.t === "id") return true;
    if (t.t === "cmd") return !["cdot", "times", "\\", "quad", "qquad", "end"].includes(t.v);
    return t.v === "(" || t.v === "{" || t.v === "[";
  }

  term(): MathExpr {
    let e = this.power();
    for (;;) {
      this.skip();
      if (this.is("*") || this.is("cdot") || this.is("times")) { this.i++; e = { kind: "bin", op: "*", left: e, right: this.power() }; }
      else if (this.is("/")) { this.i++; e = { kind: "bin", op: "/", left: e, right: this.power() }; }
      else if (this.startsAtom()) e = { kind: "bin", op: "*", left: e, right: this.power(), implicit: true };
      else return e;
    }
  }

  power(): MathExpr {
    this.skip();
    if (this.is("-")) { this.i++; return { kind: "neg", arg: this.power() }; }
    const base = this.atom();
    this.skip();
    if (!this.is("^")) return base;
    this.i++;
    const exp = this.group();
    if (base.kind === "sym" && base.name === "e" && base.idx.length === 0) return { kind: "call", fn: "exp", arg: exp };
    return { kind: "bin", op: "^", left: base, right: exp };
  }

  /** `{…}`, or one token's atom (`x^2`, `e^{-x}`). */
  group(): MathExpr {
    this.skip();
    if (this.is("{")) { this.i++; const e = this.expr(); this.eat("}"); return e; }
    if (this.peek()?.t === "num") { const v = this.toks[this.i]!.v; if (this.latex && v.length > 1 && !v.includes(".")) { this.toks[this.i] = { t: "num", v: v.slice(1) }; return num(Number(v[0])); } this.i++; return { kind: "num", value: Number(v), text: v }; }
    return this.atom();
  }

  /** The tokens of a `{…}` group, as text. */
  braced(): Tok[] {
    this.eat("{");
    const start = this.i;
    for (let depth = 1; depth > 0; this.i++) {
      const t = this.peek();
      if (!t) throw new ReadError(`a "{" is not closed`);
      if (t.t === "op" && t.v === "{") depth++;
      if (t.t === "op" && t.v === "}") depth--;
    }
    return this.toks.slice(start, this.i - 1);
  }

  sub(toks: Tok[]): Parser { const p = new Parser(toks, this.latex, this.userFns); p.bound = this.bound; return p; }

  /** A subscript: digits are part of the name (`x_0` is x0), index letters make an element (`h_i`). */
  subscript(name: string): MathExpr {
    if (!this.is("_")) return { kind: "sym", name, idx: [] };
    this.i++;
    const toks = this.is("{") ? this.braced() : [this.toks[this.i++]!];
    const text = toks.map((t) => t.v).join("");
    if (toks.length === 0) throw new ReadError(`${name}_ has an empty subscript`);
    if (/^\d+$/.test(text)) return { kind: "sym", name: name + text, idx: [] };
    if (toks.every((t) => t.t === "id" && t.v.length === 1 && (INDEX_LETTERS.has(t.v) || this.bound.includes(t.v))))
      return { kind: "sym", name, idx: toks.map((t) => ({ kind: "sym", name: t.v, idx: [] })) };
    return { kind: "sym", name: name + text.replace(/[{}\\]/g, ""), idx: [] };
  }

  /** The argument of a function: `(…)` or the next factor (`\log P(y=j)`). */
  fnArg(): MathExpr {
    this.skip();
    if (this.is("(")) { this.i++; const e = this.expr(); this.skip(); this.eat(")"); return e; }
    return this.power();
  }

  fn(name: string): MathExpr {
    const prime = this.is("'") ? (this.i++, "'") : "";
    return { kind: "call", fn: name + prime, arg: this.fnArg() };
  }

  /** `d` or `∂` alone, or followed by what it differentiates: the tokens of a derivative's numerator or denominator. */
  dParts(toks: Tok[]): { partial: boolean; rest: Tok[] } | null {
    const head = toks[0];
    if (!head) return null;
    if (head.t === "cmd" && head.v === "partial") return { partial: true, rest: toks.slice(1) };
    if (head.t === "id" && head.v === "d") return { partial: false, rest: toks.slice(1) };
    if (!this.latex && head.t === "id" && /^d[a-zA-Z]/.test(head.v)) return { partial: false, rest: [{ t: "id", v: head.v.slice(1) }, ...toks.slice(1)] };
    return null;
  }

  derivative(numer: Tok[], denom: Tok[]): MathExpr | null {
    const n = this.dParts(numer), d = this.dParts(denom);
    if (!n || !d) return null;
    if (d.rest.length === 0) throw new ReadError(`${n.partial ? "\\partial" : "d"}/${d.partial ? "\\partial" : "d"} has no variable (\\frac{d}{d} names nothing to differentiate by)`);
    const wrt = this.sub(d.rest).expr();
    if (wrt.kind !== "sym") throw new ReadError(`cannot differentiate by "${d.rest.map((t) => t.v).join("")}"`);
    const of = n.rest.length > 0 ? this.sub(n.rest).expr() : this.term();
    return { kind: "deriv", of, wrt, partial: n.partial || d.partial };
  }

  atom(): MathExpr {
    this.skip();
    const t = this.peek();
    if (!t) throw new ReadError("an expression ends too early");
    this.i++;
    if (t.t === "num") return { kind: "num", value: Number(t.v), text: t.v };
    if (t.t === "op" && (t.v === "(" || t.v === "[")) { const e = this.expr(); this.skip(); this.eat(t.v === "(" ? ")" : "]"); return e; }
    if (t.t === "op" && t.v === "{") { const e = this.expr(); this.eat("}"); return e; }
    if (t.t === "cmd") {
      if (t.v === "frac" || t.v === "dfrac" || t.v === "tfrac") {
        const numer = this.braced(), denom = this.braced();
        const d = this.derivative(numer, denom);
        if (d) return d;
        return { kind: "bin", op: "/", left: this.sub(numer).expr(), right: this.sub(denom).expr() };
      }
      if (t.v === "partial") {
        // `\partial z / \partial w_0`, `\partial_{w} z`
        const rest: Tok[] = [t];
        while (this.peek() && !this.is("/")) rest.push(this.toks[this.i++]!);
        this.eat("/", `"/" after ∂`);
        const denom: Tok[] = [];
        while (this.peek() && (denom.length < 2 || this.is("_") || this.peek(-1)!.v === "_")) denom.push(this.toks[this.i++]!);
        return this.derivative(rest, denom)!;
      }
      if (t.v === "text" || t.v === "operatorname" || t.v === "mathrm" || t.v === "mathit") {
        const name = this.braced().map((x) => x.v).join("");
        const fn = FN_ALIASES[name.toLowerCase()];
        if (fn) return this.fn(fn);
        return this.subscript(name);
      }
      if (FN_ALIASES[t.v]) return this.fn(FN_ALIASES[t.v]!);
      if (t.v === "sum") return this.sum();
      if (t.v === "delta") {
        const s = this.subscript("δ");
        if (s.kind !== "sym" || s.idx.length !== 2) throw new ReadError("\\delta needs two indices, as \\delta_{ij}");
        return { kind: "delta", a: s.idx[0]!, b: s.idx[1]! };
      }
      if (GREEK.has(t.v)) return this.subscript(t.v);
      throw new ReadError(`\\${t.v} is not notation the checker reads`);
    }
    if (t.t === "id") {
      const low = t.v.toLowerCase();
      if (FN_ALIASES[low] && low !== "e") return this.fn(FN_ALIASES[low]!);
      if (!this.latex && t.v === "d" && this.is("/")) {
        // plain text `d/dw0 (…)`
        this.i++;
        const denom = this.toks[this.i++];
        if (!denom || denom.t !== "id" || !/^d./.test(denom.v)) throw new ReadError(`d/d has no variable`);
        return { kind: "deriv", of: this.term(), wrt: { kind: "sym", name: denom.v.slice(1), idx: [] }, partial: false };
      }
      if (!this.latex && /^d[a-zA-Z]/.test(t.v) && this.is("/") && /^d[a-zA-Z]/.test(this.peek(1)?.v ?? "")) {
        this.i++;
        const denom = this.toks[this.i++]!;
        return { kind: "deriv", of: { kind: "sym", name: t.v.slice(1), idx: [] }, wrt: { kind: "sym", name: denom.v.slice(1), idx: [] }, partial: false };
      }
      const s = this.subscript(t.v);
      if (this.is("(") && this.userFns.has(t.v)) {
        // `P(y=j)`: the index is what follows `=`, or the argument itself
        this.i++;
        const a = this.expr();
        const cond = this.is("=") && a.kind === "sym" ? a.name : undefined;
        const idx = this.is("=") ? (this.i++, this.expr()) : a;
        this.eat(")");
        return { kind: "sym", name: t.v, idx: [idx], cond };
      }
      return s;
    }
    throw new ReadError(`unexpected "${t.v}"`);
  }

  sum(): MathExpr {
    let index = "", lo: MathExpr | undefined, hi: MathExpr | undefined;
    if (this.is("_")) {
      this.i++;
      const toks = this.is("{") ? this.braced() : [this.toks[this.i++]!];
      index = toks[0]?.v ?? "";
      if (toks.length > 2 && toks[1]!.v === "=") lo = this.sub(toks.slice(2)).expr();
    }
    if (this.is("^")) { this.i++; hi = this.group(); }
    if (!/^[a-zA-Z]$/.test(index)) throw new ReadError("a \\sum needs an index, as \\sum_k or \\sum_{k=1}^{C}");
    this.bound.push(index);
    try {
      return { kind: "sum", index, lo, hi, body: this.term() };
    } finally {
      this.bound.pop();
    }
  }
}

/** Parses one row of math into the expressions of its chain; the first is null when the row starts with `=` (it continues the chain above). */
export function parseChain(text: string, latex: boolean, userFns: Set<string>): (MathExpr | null)[] {
  try {
    return new Parser(tokenize(text, latex), latex, userFns).chain();
  } catch (e) {
    if (e instanceof ReadError) throw new ReadError(e.message);
    throw e;
  }
}
export { ReadError };

/** Splits a row at top-level `,` or `;` when every part is an equation (`x_0 = 1.0, w_0 = 0.3`). */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ("({[".includes(c)) depth++;
    else if (")}]".includes(c)) depth--;
    else if (depth === 0 && (c === "," || c === ";") && text[i - 1] !== "\\") { parts.push(text.slice(start, i)); start = i + 1; }
  }
  parts.push(text.slice(start));
  return parts.length > 1 && parts.every((p) => p.includes("=")) ? parts : [text];
}

const clean = (s: string) => s.replace(/\\(?:q?quad|text\{\s*\(|\\tag\b).*$/s, "").replace(/\\(?:label|tag)\{[^}]*\}|\\nonumber|\\notag|\\begin\{[a-z*]+\}|\\end\{[a-z*]+\}|&/g, " ").replace(/[\s.,;:]+$/, "").trim();

/** The math pieces of a document, each with the line it starts on, in reading order. */
export function mathPieces(text: string, kind: "md" | "tex" | "txt"): Piece[] {
  const lines = text.split(/\r?\n/);
  const out: Piece[] = [];
  const addRows = (content: string, line: number, latex: boolean) => {
    let at = 0;
    content = content.replace(/\\begin\{[a-z*]+\}(?:\{[^}]*\})?/g, (m) => " ".repeat(m.length));
    for (const row of content.split(/\\\\/)) {
      const lead = row.match(/^\s*/)![0];
      const rowLine = line + (content.slice(0, at) + lead).split("\n").length - 1;
      at += row.length + 2;
      const c = clean(row.replace(/\s*\n\s*/g, " "));
      if (c !== "") for (const part of splitList(c)) out.push({ line: rowLine, text: part.trim(), latex });
    }
  };
  if (kind === "txt") {
    lines.forEach((l, i) => { const c = plainMath(l); if (c !== null) for (const p of splitList(c)) out.push({ line: i + 1, text: p.trim(), latex: false }); });
    return out;
  }
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (kind === "md" && /^\s*(```|~~~)/.test(l)) { fenced = !fenced; continue; }
    if (fenced) { const c = plainMath(l); if (c !== null) for (const p of splitList(c)) out.push({ line: i + 1, text: p.trim(), latex: false }); continue; }
    let rest = l, anyMath = false;
    const display = /\$\$|\\\[|\\begin\{(aligned|align\*?|equation\*?|gather\*?|eqnarray\*?)\}/;
    for (;;) {
      const d = rest.match(display);
      const inl = rest.match(/(?<![\\$])\$(?!\$)((?:\\\$|[^$])+?)\$/);
      if (d && (!inl || d.index! <= inl.index!)) {
        anyMath = true;
        const close = d[0] === "$$" ? "$$" : d[0] === "\\[" ? "\\]" : `\\end{${d[1]}}`;
        let body = rest.slice(d.index! + d[0].length);
        let j = i, end = body.indexOf(close);
        const startLine = i + 1;
        while (end < 0 && j + 1 < lines.length) { j++; body += "\n" + lines[j]; end = body.indexOf(close); }
        if (end < 0) { out.push({ line: startLine, text: `\u0000${d[0]} is not closed`, latex: true }); i = lines.length; break; }
        addRows(body.slice(0, end), startLine, true);
        const after = body.slice(end + close.length);
        const nl = after.lastIndexOf("\n");
        rest = nl >= 0 ? after.slice(nl + 1) : after;
        i = j;
        continue;
      }
      if (inl) {
        anyMath = true;
        for (const p of splitList(clean(inl[1]!))) if (p.includes("=")) out.push({ line: i + 1, text: p.trim(), latex: true });
        rest = rest.slice(inl.index! + inl[0].length);
        continue;
      }
      break;
    }
    if (!anyMath && kind === "md") { const c = plainMath(l); if (c !== null) for (const p of splitList(c)) out.push({ line: i + 1, text: p.trim(), latex: false }); }
  }
  return out;
}

const PROSE_WORD = /\b(?!(?:relu|sigmoid|sigma|exp|log|ln|tanh)\b)[a-zA-Z]{4,}\b/gi;

/** The equation of a plain-text line (list markers, a `label:` and a trailing comment removed), or null when it is prose or has no `=`. */
function plainMath(line: string): string | null {
  let s = line.replace(/^\s*(?:[-*+>]|\d+[.)])\s+/, "").replace(/\s+(?:#|\/\/|\().*?(?:through|skip|path|because|since|note).*$/i, "").replace(/^\s*(?:let|given|so|then|thus|hence|and|where)\s+/i, "");
  const label = s.match(/^[^=]*?:\s+(?=\S.*=)/);
  if (label && !/[()=]/.test(label[0])) s = s.slice(label[0].length);
  s = s.replace(/[\s.;,]+$/, "").trim();
  if (!s.includes("=") || s.startsWith("#")) return null;
  if ((s.match(PROSE_WORD) ?? []).length >= 2) return null;
  return s;
}

const SUPER_NAMES: Record<string, string> = { sigmoid: "σ", relu: "ReLU", exp: "exp", log: "log", tanh: "tanh" };
const prec = (e: MathExpr): number => (e.kind === "bin" ? ({ "+": 1, "-": 1, "*": 2, "/": 2, "^": 3 } as const)[e.op] : e.kind === "neg" ? 1.5 : e.kind === "sum" || e.kind === "deriv" && e.of.kind !== "sym" ? 1.8 : 4);
const subText = (s: string) => s.replace(/\d/g, (d) => SUB[Number(d)]!);

/** Unicode text of an expression: `ReLU'(y₁ + x₀)·x₁`, `∂z/∂w₁`, `Σ_k exp(h_k)`. */
export function show(e: MathExpr): string {
  const wrap = (x: MathExpr, p: number) => (prec(x) < p || (x.kind === "num" && x.value < 0) ? `(${show(x)})` : show(x));
  switch (e.kind) {
    case "num": return e.text.replace(/^-/, "−");
    case "sym": {
      const base = e.name.replace(/^([a-zA-Zδλ]+)(\d+)$/, (_, a: string, d: string) => a + subText(d));
      if (e.cond) return `${base}(${e.cond} = ${e.idx.map(show).join(", ")})`;
      return e.idx.length === 0 ? base : `${base}_${e.idx.map(show).join("")}`;
    }
    case "neg": return `−${wrap(e.arg, 1.8)}`;
    case "bin": {
      const lit = (x: MathExpr) => x.kind === "num" || (x.kind === "neg" && x.arg.kind === "num");
      if (e.implicit) {
        const [a, b] = [e.left, e.right].map((x, k) => (lit(x) && (k > 0 || show(x).startsWith("−") || lit(e.right)) ? `(${show(x)})` : wrap(x, 2)));
        return a!.endsWith(")") || b!.startsWith("(") || (e.left.kind === "sym" && e.right.kind === "sym") ? a! + b! : `${a}·${b}`;
      }
      const p = prec(e);
      const op = e.op === "*" ? "·" : e.op === "-" ? " − " : e.op === "+" ? " + " : e.op;
      const right = (e.op === "+" || e.op === "-") && show(e.right).startsWith("−") ? `(${show(e.right)})` : wrap(e.right, e.op === "-" || e.op === "/" ? p + 0.5 : e.op === "^" ? 4 : p);
      if (e.op === "^" && e.right.kind === "num" && /^[0-9]$/.test(e.right.text)) return `${wrap(e.left, 4)}${"⁰¹²³⁴⁵⁶⁷⁸⁹"[e.right.value]}`;
      return `${wrap(e.left, p)}${op}${right}`;
    }
    case "call": {
      const [f, prime] = e.fn.endsWith("'") ? [e.fn.slice(0, -1), "'"] : [e.fn, ""];
      return `${SUPER_NAMES[f] ?? f}${prime}(${show(e.arg)})`;
    }
    case "deriv": {
      const d = e.partial ? "∂" : "d";
      return e.of.kind === "sym" ? `${d}${show(e.of)}/${d}${show(e.wrt)}` : `${d}/${d}${show(e.wrt)} ${wrap(e.of, 4)}`;
    }
    case "sum": return `Σ_${e.index} ${wrap(e.body, 2)}`;
    case "delta": return `δ_${show(e.a)}${show(e.b)}`;
  }
}

/** The expression in the program language of `chainrule explain` (`relu(x0*w0 + b0)`), or null where it has no form there. */
export function toProgram(e: MathExpr): string | null {
  switch (e.kind) {
    case "num": return e.text;
    case "sym": return e.idx.length === 0 && /^[a-zA-Z_]\w*$/.test(e.name) ? e.name : null;
    case "neg": { const a = toProgram(e.arg); return a === null ? null : `-(${a})`; }
    case "bin": { const a = toProgram(e.left), b = toProgram(e.right); return a === null || b === null ? null : `(${a}) ${e.op} (${b})`; }
    case "call": { const a = toProgram(e.arg); return a === null || e.fn.endsWith("'") ? null : `${e.fn}(${a})`; }
    default: return null;
  }
}
