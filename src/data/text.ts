import { ValueError } from "../errors.js";
import type { Generator } from "../tensor/random.js";

/** The boundary token of a character vocabulary: it starts and ends every word (makemore's `.`). */
export const BOUNDARY = ".";

/**
 * A character vocabulary: token 0 is the boundary `.`, then the characters of the text in code-point
 * order. Kept in a language model's checkpoint, so sampling decodes with the vocabulary it trained on.
 */
export class CharVocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars) || chars.some((c) => typeof c !== "string" || [...c].length !== 1))
      throw new ValueError(`CharVocab: expected an array of single characters, found ${JSON.stringify(chars) ?? typeof chars}`);
    if (chars[0] !== BOUNDARY || new Set(chars).size !== chars.length)
      throw new ValueError(`CharVocab: expected distinct characters starting with "${BOUNDARY}", found ${JSON.stringify(chars.slice(0, 8))}`);
    this.chars = [...chars];
    this.index = new Map(chars.map((c, i) => [c, i]));
  }

  /** The vocabulary of a list of words (the boundary first, then their characters, sorted). */
  static fromWords(words: readonly string[]): CharVocab {
    checkWords("CharVocab.fromWords", words);
    const set = new Set<string>();
    for (const w of words) for (const c of w) if (c !== BOUNDARY) set.add(c);
    return new CharVocab([BOUNDARY, ...[...set].sort()]);
  }

  get size(): number {
    return this.chars.length;
  }

  encode(text: string): number[] {
    if (typeof text !== "string") throw new ValueError(`CharVocab.encode: expected a string, found ${typeof text}`);
    return Array.from(text, (c) => {
      const i = this.index.get(c);
      if (i === undefined) throw new ValueError(`CharVocab: the character ${JSON.stringify(c)} is not in the vocabulary (${this.chars.length} characters)`);
      return i;
    });
  }

  decode(tokens: Iterable<number>): string {
    if (tokens === null || typeof (tokens as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") throw new ValueError(`CharVocab.decode: expected tokens (an array of numbers), found ${typeof tokens}`);
    let s = "";
    for (const t of tokens) {
      if (!(Number.isInteger(t) && t >= 0 && t < this.chars.length)) throw new ValueError(`CharVocab: token ${t} is out of range for ${this.chars.length} characters`);
      s += this.chars[t];
    }
    return s;
  }
}

/** Language-model examples: `n` contexts of `block` tokens (`x`, row-major) and their next tokens (`y`, `n` × `targets` per context). */
export interface TokenWindows {
  x: Int32Array;
  y: Int32Array;
  n: number;
  block: number;
  /** 1: the token after the context (an MLP or bigram model); `block`: the next token at every position (a transformer). */
  targets: number;
}

/**
 * makemore's examples: for every character of every word and the word's end, the `block` tokens
 * before it (boundary-padded) and that token.
 */
export function nextTokenWindows(words: readonly string[], vocab: CharVocab, block: number): TokenWindows {
  checkWords("nextTokenWindows", words);
  checkVocab("nextTokenWindows", vocab);
  checkBlock(block);
  const xs: number[] = [], ys: number[] = [];
  for (const w of words) {
    const ctx = new Array<number>(block).fill(0);
    for (const t of [...vocab.encode(w), 0]) {
      xs.push(...ctx);
      ys.push(t);
      ctx.shift();
      ctx.push(t);
    }
  }
  return { x: Int32Array.from(xs), y: Int32Array.from(ys), n: ys.length, block, targets: 1 };
}

/** The target of a position that predicts nothing (PyTorch's default `ignore_index`). */
export const IGNORE = -100;

/**
 * A transformer's examples: every word framed by boundaries (`.emma.`) as one context from position 0,
 * right-padded with boundaries whose targets are ignored (`IGNORE`), `y` being `x` shifted by one; a
 * word longer than the context adds one window for each further token, targeting only its last position.
 */
export function sequenceWindows(words: readonly string[], vocab: CharVocab, block: number): TokenWindows {
  checkWords("sequenceWindows", words);
  checkVocab("sequenceWindows", vocab);
  checkBlock(block);
  const xs: number[] = [], ys: number[] = [];
  for (const w of words) {
    const toks = [0, ...vocab.encode(w), 0];
    for (let i = 0; i < block; i++) xs.push(i < toks.length ? toks[i] : 0), ys.push(i + 1 < toks.length ? toks[i + 1] : IGNORE);
    for (let e = block + 1; e < toks.length; e++)
      for (let i = e - block; i < e; i++) xs.push(toks[i]), ys.push(i === e - 1 ? toks[e] : IGNORE);
  }
  return { x: Int32Array.from(xs), y: Int32Array.from(ys), n: xs.length / block, block, targets: block };
}

function checkWords(fn: string, words: unknown): void {
  if (!Array.isArray(words) || words.some((w) => typeof w !== "string")) throw new ValueError(`${fn}: expected an array of words (strings), found ${JSON.stringify(words)?.slice(0, 40) ?? typeof words}`);
}

function checkVocab(fn: string, vocab: unknown): void {
  if (!(vocab instanceof CharVocab)) throw new ValueError(`${fn}: expected a CharVocab, found ${typeof vocab}`);
}

function checkBlock(block: number): void {
  if (!Number.isInteger(block) || block < 1) throw new ValueError(`windows: the context length must be a positive integer, found ${block}`);
}

/** A seeded split of words into train and validation (a shuffle, then the last `fraction` held out). */
export function splitWords(words: readonly string[], fraction: number, generator: Generator): { train: string[]; val: string[] } {
  checkWords("splitWords", words);
  if (!(generator instanceof Object) || typeof (generator as Generator).permutation !== "function") throw new ValueError(`splitWords: expected a Generator, found ${typeof generator}`);
  if (!(fraction >= 0 && fraction < 1)) throw new ValueError(`splitWords: the validation fraction must be in [0, 1), found ${fraction}`);
  const p = generator.permutation(words.length);
  const nVal = Math.round(words.length * fraction);
  const shuffled = Array.from(p, (i) => words[i]);
  return { train: shuffled.slice(0, words.length - nVal), val: shuffled.slice(words.length - nVal) };
}
