import { vocabOf } from "../ops/vocab.js";
import type { Expr, FnName } from "./ast.js";

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

function precedence(e: Expr): number {
  if (e.kind === "binary") return e.op === "+" || e.op === "-" ? ADD : e.op === "^" ? POW : MUL;
  return e.kind === "unary" ? UNARY : ATOM;
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
    case "num":
      return e.text;
    case "var":
      return e.name;
    case "call":
      return `${callName(e.fn)}(${e.args.map(exprToText).join(", ")})`;
    case "unary":
      return (e.op === "-" ? "\u2212" : e.op) + sub(e.arg, precedence(e.arg) < POW);
    case "binary": {
      if (e.op === "^") return `${sub(e.left, precedence(e.left) < ATOM)}^${sub(e.right, precedence(e.right) < POW)}`;
      const p = precedence(e);
      const op = e.op === "-" ? " \u2212 " : e.op === "*" ? "\u00b7" : e.op === "+" || e.op === "@" ? ` ${e.op} ` : e.op;
      return sub(e.left, precedence(e.left) < p) + op + sub(e.right, precedence(e.right) <= p || e.right.kind === "unary");
    }
  }
}
