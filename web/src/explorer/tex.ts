// Math on the page: the library writes math as Unicode text (`∂z/∂w0`, `ReLU'(x0·w0 + b0)`), and text that
// mixes words and math marks the math with `$…$`; mathToLatex turns it into LaTeX that KaTeX typesets.
import "katex/dist/katex.min.css";
import katex from "katex";
import { mathToLatex } from "chainrule";

/** Typesets Unicode math (as the library writes it) into `host`. */
export function math(host: HTMLElement, text: string, display = false): HTMLElement {
  host.dataset.math = text;
  let tex: string;
  try {
    tex = mathToLatex(text);
  } catch {
    host.textContent = text;
    return host;
  }
  katex.render(tex, host, { throwOnError: false, displayMode: display, output: "htmlAndMathml" });
  return host;
}

/** Text with `$…$` math: the words as text, the math typeset. */
export function rich(host: HTMLElement, text: string): HTMLElement {
  host.replaceChildren();
  host.dataset.text = text.replace(/\$/g, "");
  text.split("$").forEach((part, i) => {
    if (part === "") return;
    if (i % 2 === 0) host.append(part);
    else host.append(math(document.createElement("span"), part));
  });
  return host;
}
