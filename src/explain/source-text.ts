import { programOp, vocabOf } from "../ops/vocab.js";
import type { Expr, FnName } from "./ast.js";

/** How `exprToText` writes an expression. */
export type TextStyle = "unicode" | "ascii" | "latex";

const ADD = 1;
const MUL = 2;
const UNARY = 3;
const POW = 4;
const ATOM = 5;

const GREEK_LOWER = "αβγδεζηθικλμνξοπρςστυφχψω";
const GREEK_LOWER_NAMES = [
  "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
  "xi", "omicron", "pi", "rho", "varsigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
];
const GREEK_UPPER = "ΓΔΘΛΞΠΣΥΦΨΩ";
const GREEK_UPPER_NAMES = ["Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"];
const GREEK_COMMAND = new Map<string, string>();
for (const [i, c] of [...GREEK_LOWER].entries()) {
  GREEK_COMMAND.set(c, GREEK_LOWER_NAMES[i] === "omicron" ? "o" : `\\${GREEK_LOWER_NAMES[i]}`);
}
for (const [i, c] of [...GREEK_UPPER].entries()) GREEK_COMMAND.set(c, `\\${GREEK_UPPER_NAMES[i]}`);
const SPELLED_GREEK = new Set([...GREEK_LOWER_NAMES, ...GREEK_UPPER_NAMES].filter((n) => n !== "omicron" && n !== "varsigma"));

function precedence(e: Expr, style: TextStyle): number {
  switch (e.kind) {
    case "binary":
      if (e.op === "+" || e.op === "-") return ADD;
      if (e.op === "^") return POW;
      return e.op === "/" && style === "latex" ? ATOM : MUL;
    case "unary":
      return UNARY;
    case "num":
      return style === "latex" && /[eE]/.test(e.text) ? MUL : ATOM;
    default:
      return ATOM;
  }
}

function parens(text: string, style: TextStyle): string {
  return style === "latex" ? `\\left(${text}\\right)` : `(${text})`;
}

function latexNumber(text: string): string {
  const [mantissa = text, exponent] = text.split(/[eE]/);
  const m = mantissa.replace(/^\./, "0.").replace(/\.$/, "");
  return exponent === undefined ? m : `${m} \\times 10^{${exponent.replace(/^\+/, "")}}`;
}

/** A variable name in LaTeX: `x0` → `x_{0}`, `x₀` → `x_{0}`, `λ`/`lambda` → `\lambda`, `h_out` → `h_{\mathrm{out}}`. */
export function latexName(name: string): string {
  const plain = name.replace(/[₀-₉]/g, (d) => String(d.charCodeAt(0) - 0x2080));
  if (plain.startsWith("_")) return `\\mathrm{${plain.replace(/_/g, "\\_")}}`;
  const underscore = plain.indexOf("_");
  const split = underscore >= 0 ? [plain.slice(0, underscore), plain.slice(underscore + 1)] : /^(.*?)(\d*)$/u.exec(plain)!.slice(1);
  const [base = plain, sub = ""] = split;
  let head: string;
  if (SPELLED_GREEK.has(base)) head = `\\${base}`;
  else if ([...base].length === 1) head = GREEK_COMMAND.get(base) ?? base;
  else head = `\\mathrm{${[...base].map((c) => (GREEK_COMMAND.has(c) ? `${GREEK_COMMAND.get(c)} ` : c)).join("")}}`;
  if (sub === "") return head;
  return `${head}_{${/^\d+$/.test(sub) ? sub : latexName(sub)}}`;
}

/** A function's name in Unicode text: its display name where that spells the same name (`ReLU`), so the text parses back. */
export function callName(fn: FnName): string {
  const { display } = vocabOf(programOp(fn)!);
  return display.toLowerCase() === fn ? display : fn;
}

function callText(fn: FnName, args: string[], style: TextStyle): string {
  if (style !== "latex") return `${callName(fn)}(${args.join(", ")})`;
  if (fn === "sqrt") return `\\sqrt{${args[0]}}`;
  if (fn === "abs") return `\\left|${args[0]}\\right|`;
  const v = vocabOf(programOp(fn)!);
  return `${v.form === "call" ? v.latex : `\\operatorname{${fn}}`}\\left(${args.join(", ")}\\right)`;
}

function binaryOpText(op: string, style: TextStyle): string {
  if (op === "+") return " + ";
  if (op === "-") return style === "unicode" ? " \u2212 " : " - ";
  if (op === "@") return style === "latex" ? " " : " @ ";
  if (op === "*") return style === "unicode" ? "\u00b7" : style === "latex" ? " \\cdot " : "*";
  return op;
}

/**
 * Writes an expression with the fewest parentheses that keep its structure, so that parsing the
 * text (unicode or ascii style) gives back the same tree. A negated operand of a binary operator
 * (`a·(−b)`) and a nested negation (`−(−a)`) keep parentheses for legibility.
 * Unicode style writes `·` and `−`; latex style writes `\cdot`, `\frac{a}{b}`, `x^{2}`, `x_{0}`, `\lambda`.
 */
export function exprToText(e: Expr, style: TextStyle = "unicode"): string {
  const sub = (child: Expr, needParens: boolean) => {
    const text = exprToText(child, style);
    return needParens ? parens(text, style) : text;
  };
  switch (e.kind) {
    case "num":
      return style === "latex" ? latexNumber(e.text) : e.text;
    case "var":
      return style === "latex" ? latexName(e.name) : e.name;
    case "call":
      return callText(e.fn, e.args.map((a) => exprToText(a, style)), style);
    case "unary": {
      const op = e.op === "-" && style === "unicode" ? "\u2212" : e.op;
      return op + sub(e.arg, precedence(e.arg, style) < POW);
    }
    case "binary": {
      if (e.op === "^") {
        const base = sub(e.left, precedence(e.left, style) < ATOM || (style === "latex" && e.left.kind === "binary"));
        if (style === "latex") return `${base}^{${exprToText(e.right, style)}}`;
        return `${base}^${sub(e.right, precedence(e.right, style) < POW)}`;
      }
      if (e.op === "/" && style === "latex") {
        return `\\frac{${exprToText(e.left, style)}}{${exprToText(e.right, style)}}`;
      }
      const p = precedence(e, style);
      const left = sub(e.left, precedence(e.left, style) < p);
      const right = sub(e.right, precedence(e.right, style) <= p || e.right.kind === "unary");
      return left + binaryOpText(e.op, style) + right;
    }
  }
}
