import { ValueError } from "../errors.js";
import { VOCAB_NAMES, vocabOf } from "../ops/vocab.js";
import { closing } from "./formulas.js";

const GREEK_LOWER = "αβγδεζηθικλμνξοπρςστυφχψω";
const GREEK_LOWER_NAMES = [
  "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
  "xi", "omicron", "pi", "rho", "varsigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
];
const GREEK_UPPER = "ΓΔΘΛΞΠΣΥΦΨΩ";
const GREEK_UPPER_NAMES = ["Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"];
const GREEK_COMMAND = new Map<string, string>([
  ...[...GREEK_LOWER].map((c, i): [string, string] => [c, GREEK_LOWER_NAMES[i] === "omicron" ? "o" : `\\${GREEK_LOWER_NAMES[i]}`]),
  ...[...GREEK_UPPER].map((c, i): [string, string] => [c, `\\${GREEK_UPPER_NAMES[i]}`]),
]);
const SPELLED_GREEK = new Set([...GREEK_LOWER_NAMES, ...GREEK_UPPER_NAMES].filter((n) => n !== "omicron" && n !== "varsigma"));

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

const SUBSCRIPTS: Record<string, string> = {
  "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9",
  "ₙ": "n", "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₘ": "m", "ₐ": "a", "ₑ": "e", "ₒ": "o", "ₓ": "x", "₍": "(", "₎": ")", "₊": "+", "₋": "-",
};
const SUPERSCRIPTS: Record<string, string> = {
  "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
  "⁻": "-", "⁺": "+", "ⁿ": "n", "ᵀ": "\\top", "ⁱ": "i",
};
const SYMBOLS: Record<string, string> = {
  "·": "\\cdot", "⋅": "\\cdot", "⊙": "\\odot", "×": "\\times", "−": "-", "Σ": "\\sum", "‖": "\\Vert", "≈": "\\approx",
  "≠": "\\neq", "≤": "\\le", "≥": "\\ge", "→": "\\to", "⇒": "\\Rightarrow", "∈": "\\in", "∞": "\\infty", "½": "\\tfrac{1}{2}",
  "…": "\\ldots", "ḡ": "\\bar{g}", "𝟏": "\\mathbf{1}", "∂": "\\partial", "{": "\\{", "}": "\\}", "#": "\\#", "%": "\\%",
  "&": "\\&", "$": "\\$", "~": "\\sim", "¬": "\\neg", "⊗": "\\otimes", "∑": "\\sum", "√": "\\surd", "∘": "\\circ", "✓": "\\checkmark", "✗": "\\times", "←": "\\leftarrow", "ŷ": "\\hat{y}", "ŷₙ": "\\hat{y}_{n}",
  // NOTE: a matrix product is written as juxtaposition (`X @ W` → `X W`), as the program's own LaTeX writes it.
  "@": "",
};
/** Words rich text writes upright: the ops' names (their `vocab.word`), and `diag` and `CE`, which name no op. */
const WORDS = new Map<string, string>([
  ...VOCAB_NAMES.flatMap((k): [string, string][] => {
    const v = vocabOf(k);
    return v.word === undefined ? [] : [[v.name.toLowerCase(), v.word]];
  }),
  ["diag", "\\operatorname{diag}"], ["ce", "\\operatorname{CE}"],
]);
const IDENT = /[A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*/y;
const DERIVATIVE = /∂([A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*[₀-₉ₙᵢⱼₖ]*)\/∂([A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*[₀-₉ₙᵢⱼₖ]*)/y;
const NUMBER = /\d+(?:\.\d+)?(?:e[−-]?\d+)?/y;

/** `s`, checked to be a string: the public converters are called from JavaScript too. */
function expectText(s: unknown, fn: string): string {
  if (typeof s !== "string") throw new ValueError(`${fn}: expected a string, found ${s === null ? "null" : typeof s}`);
  return s;
}

/**
 * Converts the Unicode math that explanations print (`∂z/∂w0 = ReLU'(y1 + x0) · x1`, `H1ᵀ · ∂L/∂S`,
 * `Σₙ`, `1[Z1 > 0]`, `−0.2`, `1e−7`) into LaTeX that both LaTeX (with amsmath) and KaTeX render.
 * Names go through `latexName` (`x0` → `x_{0}`, `λ` → `\lambda`).
 */
export function mathToLatex(s: string): string {
  expectText(s, "mathToLatex");
  let out = "";
  let i = 0;
  const emit = (t: string) => {
    out += /^\\[A-Za-z]+$/.test(t) && /^[A-Za-z]/.test(s.slice(i)) ? `${t} ` : t;
  };
  /** The next atom (a group in parentheses, a name, a number or one character) converted, and where it ends. */
  const atom = (at: number): [string, number] => {
    if (s[at] === "(") {
      const end = closing(s, at);
      return [mathToLatex(s.slice(at + 1, end)), end + 1];
    }
    for (const re of [IDENT, NUMBER]) {
      re.lastIndex = at;
      const m = re.exec(s);
      if (m) return [mathToLatex(m[0]), at + m[0].length];
    }
    const ch = String.fromCodePoint(s.codePointAt(at) ?? 32);
    return [mathToLatex(ch), at + ch.length];
  };
  while (i < s.length) {
    const c = s[i]!;
    const cp = String.fromCodePoint(s.codePointAt(i)!);
    DERIVATIVE.lastIndex = i;
    const d = c === "∂" ? DERIVATIVE.exec(s) : null;
    if (d) {
      out += `\\frac{\\partial ${mathToLatex(d[1]!)}}{\\partial ${mathToLatex(d[2]!)}}`;
      i += d[0].length;
    } else if (/\s/.test(c)) {
      if (!out.endsWith(" ")) out += " ";
      i++;
    } else if (c === "^" || c === "√") {
      const [body, end] = atom(i + 1);
      out += c === "^" ? `^{${body}}` : `\\sqrt{${body}}`;
      i = end;
    } else if (SUBSCRIPTS[c] !== undefined || SUPERSCRIPTS[c] !== undefined) {
      const table = SUBSCRIPTS[c] !== undefined ? SUBSCRIPTS : SUPERSCRIPTS;
      let run = "";
      while (i < s.length && table[s[i]!] !== undefined) run += (run && table[s[i]!]!.startsWith("\\") ? " " : "") + table[s[i++]!];
      if (table === SUBSCRIPTS && /_\{[^}]*\}$/.test(out)) out = `${out.slice(0, -1)},${run}}`;
      else out += `${table === SUBSCRIPTS ? "_" : "^"}{${run}}`;
    } else if (/[\d]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(s)![0];
      const [mant, exp] = m.split("e");
      out += exp === undefined ? mant : `${mant} \\times 10^{${exp.replace("−", "-")}}`;
      i += m.length;
    } else if (SYMBOLS[cp] !== undefined && !/[A-Za-z]/.test(cp)) {
      i += cp.length;
      emit(SYMBOLS[cp]!);
    } else if ((IDENT.lastIndex = i, IDENT.test(s))) {
      const name = s.slice(i, IDENT.lastIndex);
      i = IDENT.lastIndex;
      const op = WORDS.get(name.toLowerCase());
      emit(op ?? latexName(name));
    } else if (/[\x20-\x7e]/.test(c)) {
      out += c === "\\" ? "\\backslash " : c;
      i++;
    } else {
      out += `\\text{${cp}}`;
      i += cp.length;
    }
  }
  return out.trim();
}

/** Escapes ASCII text for LaTeX text mode and `\text{…}`. */
export function latexText(s: string): string {
  return s.replace(/[\\{}$&#%_^~]/g, (c) => (c === "\\" ? "\\textbackslash{}" : c === "^" ? "\\^{}" : c === "~" ? "\\~{}" : `\\${c}`));
}

/** Rich text converted part by part, after the math symbols found in its text parts are moved into math parts (so text stays ASCII). */
function convertRich(s: string, math: (part: string) => string, text: (part: string) => string): string {
  const moved = (part: string, i: number) => (i % 2 === 1 ? `$${part}$` : part.replace(/[^\x00-\x7f]+/g, (run) => `$${run}$`));
  const normalized = s.split("$").map(moved).join("");
  return normalized.split("$").map((part, i) => (i % 2 === 1 ? math(part) : text(part))).join("");
}

/**
 * Converts text with math between `$…$` (`"since $Σⱼ yⱼ = 1$ for a one-hot y"`) into LaTeX math:
 * text parts inside `\text{…}`, math parts through `mathToLatex`.
 */
export function richToLatex(s: string): string {
  expectText(s, "richToLatex");
  return convertRich(s, mathToLatex, (part) => (part === "" ? "" : `\\text{${latexText(part)}}`));
}

/**
 * Text with `$…$` math as LaTeX text with inline math `\(…\)` (for paragraphs and list items). A line
 * may break after the commas of a list of numbers, so that a tensor's value wraps with the text.
 */
export function richToLatexText(s: string): string {
  return convertRich(s, (part) => (part.trim() === "" ? part : `\\(${mathToLatex(part).replace(/, /g, ",\\allowbreak ")}\\)`), latexText);
}

/** Text with `$…$` math marks, as plain Unicode (the marks dropped). */
export function richToText(s: string): string {
  expectText(s, "richToText");
  return s.replace(/\$/g, "");
}
