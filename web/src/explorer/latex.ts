// LaTeX in the explorer's editor: the assignments as a course writes them (`x_1 = \operatorname{ReLU}(x_0 w_0 + b_0) \\`,
// in `aligned` or `$…$`) read into the program language that `explainProgram` parses.
// NOTE: a small reader of the notation of scalar programs (subscripts, \frac, \sqrt, \cdot, implicit products,
// \operatorname), not a LaTeX parser: what it cannot read it says, with the line and column.
import { ParseError } from "chainrule";

const FUNCS = new Set(["relu", "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "max", "min", "maximum", "minimum", "sum", "mean", "softmax", "logsoftmax"]);
const WORDS = new Set(["operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "mathsf", "boldsymbol"]);
const CMDS: Record<string, string> = {
  cdot: "*", times: "*", ast: "*", div: "/", ln: "log", sigma: "sigmoid", left: "", right: "", displaystyle: "", limits: "",
  big: "", Big: "", bigl: "", bigr: "", Bigl: "", Bigr: "", quad: " ", qquad: " ", nonumber: "", notag: "",
};

/** Whether text in the editor reads as LaTeX rather than the program language (a command, a brace, `$` or `&`). */
export const looksLikeLatex = (s: string): boolean => /[\\{}$&]/.test(s);

/** Names written with LaTeX subscripts (`x_0`, `w_{1}`) as the program language's names (`x0`, `w1`): for values and claims. */
export const plainNames = (s: string): string => s.replace(/([\p{L}])_\{?([\p{L}\p{N}]+)\}?/gu, "$1$2");

const atom = (a: string) => (/^[\p{L}\p{N}_.]+$/u.test(a.trim()) ? a.trim() : `(${a})`);

/** The program language text of LaTeX assignments, one a line; throws a ParseError naming where it stopped. */
export function latexToProgram(src: string): string {
  let i = 0;
  const fail = (message: string, at = i): ParseError => {
    const start = src.lastIndexOf("\n", at - 1) + 1;
    const end = src.indexOf("\n", at);
    const line = src.slice(0, at).split("\n").length;
    return new ParseError(`LaTeX: ${message}`, line, at - start + 1, src.slice(start, end < 0 ? src.length : end));
  };
  const skip = () => { while (/[ \t\r]/.test(src[i] ?? "")) i++; };
  const arg = (): string => {
    skip();
    if (src[i] === "{") { const open = i++; const r = seq(open); i++; return r; }
    if (src[i] === "\\") return command();
    if (i >= src.length || src[i] === "}") throw fail(`expected an argument, found ${i >= src.length ? "the end" : `"}"`}`);
    return src[i++]!;
  };
  const command = (): string => {
    const at = i++;
    const m = /^[a-zA-Z]+/.exec(src.slice(i));
    if (!m) {
      const c = src[i++];
      if (c === "\\") return "\n";
      if (c === "{" || c === "}") return c === "{" ? "(" : ")";
      if (c === undefined) throw fail("a lone \\ at the end", at);
      return " ";
    }
    const name = m[0];
    i += name.length;
    if (name === "frac" || name === "dfrac" || name === "tfrac") { const a = arg(); const b = arg(); return `(${atom(a)}/${atom(b)})`; }
    if (name === "sqrt") return `sqrt(${arg()})`;
    if (name === "begin" || name === "end") { arg(); return name === "end" ? "\n" : " "; }
    if (WORDS.has(name)) { const w = arg().trim(); return FUNCS.has(w.toLowerCase()) ? w.toLowerCase() : w; }
    if (name in CMDS) return ` ${CMDS[name]} `;
    return FUNCS.has(name) ? name : name; // \exp, \log, \tanh; Greek letters as names (\alpha → alpha)
  };
  const seq = (open: number | null): string => {
    let out = "";
    while (i < src.length) {
      const c = src[i]!;
      if (c === "}") { if (open !== null) return out; throw fail('a "}" that closes nothing'); }
      if (c === "{") { const o = i++; out += `(${seq(o)})`; i++; }
      else if (c === "\\") out += command();
      else if (c === "$" || c === "&") { out += " "; i++; }
      else if (c === "_") { i++; out += arg().replace(/[^\p{L}\p{N}]/gu, ""); }
      else if (c === "^") { i++; out += `^(${arg()})`; }
      else { out += c; i++; }
    }
    if (open !== null) throw fail('a "{" that is never closed', open);
    return out;
  };
  return seq(null).split("\n").map(implicitProducts).filter((l) => l !== "").join("\n");
}

const TOKEN = /[\p{L}_][\p{L}\p{N}_]*|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\s+|./gsu;

/** `x1 w1` → `x1*w1`, `2(x)` → `2*(x)`, `)(` → `)*(`: juxtaposition is a product (not after a function's name). */
function implicitProducts(line: string): string {
  const toks = line.match(TOKEN) ?? [];
  let out = "";
  let prev: string | null = null;
  for (const t of toks) {
    if (/^\s+$/.test(t)) { if (prev === null || !FUNCS.has(prev)) out += " "; continue; }
    const left = prev !== null && (/^[\p{L}_\d.]/u.test(prev) && !FUNCS.has(prev) || prev === ")");
    if (left && (/^[\p{L}_\d.(]/u.test(t))) out = `${out.trimEnd()}*`;
    out += t;
    prev = t;
  }
  return out.replace(/\s+/g, " ").replace(/\s*([*/^])\s*/g, "$1").replace(/\(\s+/g, "(").replace(/\s+\)/g, ")").trim();
}
