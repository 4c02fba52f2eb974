#!/usr/bin/env node
// The layer rule of ARCHITECTURE.md over src/'s runtime imports (`import type` is free): every import
// goes to the same or a lower layer, and no files import each other in a circle. Prints the
// violations and exits 1 when there are any; `--json` prints them as JSON.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const LAYERS = [
  ["errors.ts", "options.ts"], ["kernels"], ["tensor"], ["autograd"], ["ops"],
  ["nn", "losses", "optim", "data", "io"], ["train"], ["explain"], ["grade"], ["index.ts"], ["node"], ["cli"],
];
const root = resolve(process.argv.includes("--root") ? process.argv[process.argv.indexOf("--root") + 1] : "src");
const layerOf = (file) => {
  const top = relative(root, file).split("/")[0];
  const i = LAYERS.findIndex((l) => l.includes(top));
  if (i < 0) throw new Error(`check-layers: ${top} has no layer; add it to LAYERS`);
  return i;
};
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".ts") && files.push(join(d, e.name)); };
walk(root);

// NOTE: the imports are read with TypeScript's parser, not regular expressions: a "/*" inside a string
// (a glob such as "src/**/*.ts") would otherwise open a comment and hide the imports after it, and
// `import {} from "./x.js"` (a side effect only) would pass for a type-only import.
const runtimeImports = (file) => {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const deps = [];
  for (const st of sf.statements) {
    let spec, typeOnly = false;
    if (ts.isImportDeclaration(st)) {
      spec = st.moduleSpecifier;
      const c = st.importClause;
      const named = c?.namedBindings;
      typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      spec = st.moduleSpecifier;
      const named = st.exportClause;
      typeOnly = st.isTypeOnly || (!!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
    } else continue;
    if (typeOnly || !ts.isStringLiteral(spec) || !spec.text.startsWith(".")) continue;
    const dep = resolve(dirname(file), spec.text.replace(/\.js$/, ".ts"));
    // NOTE: a module importing its own namespace (`import * as Self from "./self.js"`) is no cycle.
    if (dep !== file) deps.push(dep);
  }
  return deps;
};
const imports = new Map(files.map((f) => [f, runtimeImports(f)]));

const upward = [];
for (const [f, deps] of imports) for (const d of deps) if (layerOf(d) > layerOf(f)) upward.push(`${relative(root, f)} → ${relative(root, d)}`);

// Tarjan's strongly connected components, iteratively
const index = new Map(), low = new Map(), onStack = new Set(), stack = [], cycles = [];
let n = 0;
for (const start of files) {
  if (index.has(start)) continue;
  const work = [[start, 0]];
  index.set(start, n); low.set(start, n++); stack.push(start); onStack.add(start);
  while (work.length) {
    const top = work[work.length - 1];
    const [v, i] = top;
    const deps = imports.get(v) ?? [];
    if (i < deps.length) {
      top[1]++;
      const w = deps[i];
      if (!imports.has(w)) continue;
      if (!index.has(w)) { index.set(w, n); low.set(w, n++); stack.push(w); onStack.add(w); work.push([w, 0]); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    } else {
      work.pop();
      if (work.length) low.set(work[work.length - 1][0], Math.min(low.get(work[work.length - 1][0]), low.get(v)));
      if (low.get(v) === index.get(v)) {
        const comp = [];
        let w;
        do { w = stack.pop(); onStack.delete(w); comp.push(relative(root, w)); } while (w !== v);
        if (comp.length > 1) cycles.push(comp.sort());
      }
    }
  }
}

if (process.argv.includes("--json")) console.log(JSON.stringify({ upward, cycles }, null, 2));
else {
  for (const u of upward) console.log(`upward import: ${u}`);
  for (const c of cycles) console.log(`import cycle of ${c.length} files: ${c.join(", ")}`);
  console.log(`${files.length} files: ${upward.length} upward imports, ${cycles.length} cycles`);
}
process.exit(upward.length || cycles.length ? 1 : 0);
