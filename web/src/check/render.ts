// A small renderer of solutions as students write them: Markdown (headings, paragraphs, lists, code,
// $…$ and $$…$$ / \[…\] / aligned environments rendered with KaTeX), LaTeX files (their math and
// paragraphs) and plain text. Everything that is not KaTeX's output is escaped: no raw HTML passes.
// Each block keeps the source lines it came from, so the checker's verdicts go beside it. Runs in
// the computing worker (KaTeX renders to a string, without a DOM).
import katex from "katex";

export interface Block { from: number; to: number; html: string }
export type Kind = "md" | "tex" | "txt";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** KaTeX of `tex` (errors shown in place, in red, never thrown; no \href, \url or \html… commands). */
export function tex(src: string, display: boolean): string {
  return katex.renderToString(src, { displayMode: display, throwOnError: false, strict: "ignore", trust: false, maxExpand: 500, maxSize: 50, output: "htmlAndMathml" });
}

const DISPLAY_ENVS = "aligned|align\\*?|equation\\*?|gather\\*?|eqnarray\\*?|split|multline\\*?";
/** Inline Markdown: `code`, **bold**, *emphasis*, $math$, $$math$$, \(math\), \[math\]; the rest escaped. */
export function inline(s: string): string {
  const re = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|(?<![\\$])\$(?!\$)((?:\\\$|[^$])+?)\$|`([^`]+)`|\*\*([^*]+)\*\*|(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])|\\\$/g;
  let out = "", at = 0;
  for (const m of s.matchAll(re)) {
    out += escapeHtml(s.slice(at, m.index));
    at = m.index! + m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) out += tex((m[1] ?? m[2])!, true);
    else if (m[3] !== undefined || m[4] !== undefined) out += tex((m[3] ?? m[4])!, false);
    else if (m[5] !== undefined) out += `<code>${escapeHtml(m[5])}</code>`;
    else if (m[6] !== undefined) out += `<strong>${inline(m[6])}</strong>`;
    else if (m[7] !== undefined) out += `<em>${inline(m[7])}</em>`;
    else out += "$";
  }
  return out + escapeHtml(s.slice(at));
}

/** The longest block source rendered; a longer one is shown as the start of its text. */
export const MAX_BLOCK = 20_000;

/** Splits `text` into blocks with their line ranges (1-based, as the checker counts) and renders each. */
export function renderBlocks(text: string, kind: Kind, keep: (from: number, to: number) => boolean = () => true): Block[] {
  const lines = text.split(/\r?\n/);
  const out: Block[] = [];
  const push = (from: number, to: number, html: () => string) => {
    if (!keep(from, to)) return;
    const size = lines.slice(from - 1, to).reduce((t, l) => t + l.length + 1, 0);
    out.push({ from, to, html: size > MAX_BLOCK ? `<p class="muted">${escapeHtml(lines.slice(from - 1, to).join("\n").slice(0, 2000))}… (${(size - 2000).toLocaleString("en-US")} more characters not shown)</p>` : html() });
  };
  if (kind === "txt") {
    lines.forEach((l, i) => { if (l.trim() !== "") push(i + 1, i + 1, () => `<pre class="check-txt">${escapeHtml(l)}</pre>`); });
    return out;
  }
  const open = new RegExp(`^\\s*(\\$\\$|\\\\\\[|\\\\begin\\{(${DISPLAY_ENVS})\\})`);
  for (let i = 0; i < lines.length;) {
    const l = lines[i]!;
    const from = i + 1;
    if (l.trim() === "") { i++; continue; }
    const fence = kind === "md" ? l.match(/^\s*(```|~~~)/) : null;
    const d = l.match(open);
    if (fence) {
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trimStart().startsWith(fence[1]!)) j++;
      const body = lines.slice(i + 1, j).join("\n");
      push(from, Math.min(j + 1, lines.length), () => `<pre><code>${escapeHtml(body)}</code></pre>`);
      i = j + 1;
    } else if (d) {
      // Display math up to its closing delimiter (the checker reads the same span).
      const close = d[1] === "$$" ? "$$" : d[1] === "\\[" ? "\\]" : `\\end{${d[2]}}`;
      let body = l.slice(l.indexOf(d[1]!) + d[1]!.length), j = i;
      let end = body.indexOf(close);
      while (end < 0 && j + 1 < lines.length) { j++; body += "\n" + lines[j]; end = body.indexOf(close); }
      const math = end < 0 ? body : body.slice(0, end);
      const after = end < 0 ? "" : body.slice(end + close.length).trim();
      const src = d[2] ? `\\begin{${d[2]}}${math}\\end{${d[2]}}` : math;
      push(from, j + 1, () => (end < 0 ? `<p class="bad">${escapeHtml(d[1]!)} is not closed</p>` : "") + tex(src, true) + (after ? `<p>${inline(after)}</p>` : ""));
      i = j + 1;
    } else if (/^\s*#{1,6}\s/.test(l) || (kind === "tex" && /^\s*\\(sub)*section\*?\{/.test(l))) {
      const level = kind === "tex" ? 2 + (l.match(/sub/g)?.length ?? 0) : Math.min(l.match(/#+/)![0].length + 1, 6);
      const title = kind === "tex" ? l.replace(/^\s*\\(sub)*section\*?\{(.*)\}\s*$/, "$2") : l.replace(/^\s*#+\s*/, "");
      push(from, from, () => `<h${level}>${inline(title)}</h${level}>`);
      i++;
    } else if (kind === "md" && /^\s*(?:[-*+]|\d+[.)])\s+/.test(l)) {
      const ordered = /^\s*\d/.test(l);
      let j = i;
      const items: string[] = [];
      while (j < lines.length && /^\s*(?:[-*+]|\d+[.)])\s+/.test(lines[j]!)) items.push(lines[j++]!.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ""));
      push(from, j, () => `<${ordered ? "ol" : "ul"}>${items.map((it) => `<li>${inline(it)}</li>`).join("")}</${ordered ? "ol" : "ul"}>`);
      i = j;
    } else if (kind === "tex" && /^\s*\\(documentclass|usepackage|begin\{document\}|end\{document\}|maketitle)/.test(l)) {
      i++;
    } else {
      // A paragraph: up to a blank line or the start of another kind of block; math inside it may span lines.
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() !== "" && !open.test(lines[j]!) && !/^\s*(#{1,6}\s|```|~~~)/.test(lines[j]!)) j++;
      const para = lines.slice(i, j).join("\n");
      push(from, j, () => `<p>${inline(para)}</p>`);
      i = j;
    }
  }
  return out;
}
