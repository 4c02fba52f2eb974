import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { CosineAnnealingLR, SGD, buildModel, fit, fromRaw, type ModelSpec } from "../src/index.js";
import { loadDigits, saveCheckpoint } from "../src/node/index.js";

/**
 * Every ```ts block of the README type-checks under `--strict` against the library's source (as
 * `chainrule` and `chainrule/node`, mapped to src/ so that no build is needed; test/package.test.ts
 * covers the built package) and runs. A line `console.log(...); // → text` must print `text`:
 * numbers agree to the digits written (`0.94` matches 0.9400000000000001), whitespace is ignored,
 * and `// → ≈ 0.95` allows 5%. A block opened with "```ts no-run" is type-checked only (the one that
 * reads a CLI checkpoint also runs below, on a briefly trained checkpoint, without its ≈ claim).
 */

const readme = readFileSync("README.md", "utf8");
interface Block { index: number; line: number; run: boolean; code: string }
const blocks: Block[] = [...readme.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)].map((m, index) => ({
  index,
  line: readme.slice(0, m.index).split("\n").length + 1,
  run: !/\bno-run\b/.test(m[1]),
  code: m[2],
}));

const CLAIM = /console\.log\(.*\/\/ → (.*)$/;
const claims = (b: Block) => b.code.split("\n").flatMap((text, i) => (CLAIM.test(text) ? [{ line: b.line + i, expected: CLAIM.exec(text)![1].trim() }] : []));

/** Marks the output of each claimed console.log so that it can be found in stdout. */
const instrument = (b: Block) => {
  let k = 0;
  return b.code.split("\n").map((text) => (CLAIM.test(text) ? text.replace("console.log(", `console.log("@@${k++}",`) : text)).join("\n");
};

const NUM = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
function agrees(actual: string, expected: string): boolean {
  if (expected.startsWith("≈")) {
    const e = Number(expected.slice(1)), a = Number(actual);
    return Number.isFinite(a) && Math.abs(a - e) <= 0.05 * Math.abs(e);
  }
  const skeleton = (s: string) => s.replace(NUM, "#").replace(/\s+/g, "");
  const a = actual.match(NUM) ?? [], e = expected.match(NUM) ?? [];
  if (skeleton(actual) !== skeleton(expected) || a.length !== e.length) return false;
  return e.every((x, i) => {
    if (/e/i.test(x)) return Math.abs(Number(a[i]) - Number(x)) <= 1e-9 * Math.abs(Number(x));
    const decimals = x.split(".")[1]?.length ?? 0;
    return Number(Number(a[i]).toFixed(decimals)) === Number(x);
  });
}

const root = resolve(".");
const virtual = (b: Block) => join(root, "test", `.readme-example-${b.index}.ts`);

function typeErrors(): Map<number, string[]> {
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ["node"], skipLibCheck: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    baseUrl: root, paths: { chainrule: ["./src/index.ts"], "chainrule/node": ["./src/node/index.ts"] },
  };
  const files = new Map(blocks.map((b) => [virtual(b), b]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.readFile = (f) => files.get(f)?.code ?? readFile(f);
  host.getSourceFile = (f, v, ...rest) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!.code, v) : getSourceFile(f, v, ...rest));
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<number, string[]>(blocks.map((b) => [b.index, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const b = d.file && files.get(d.file.fileName);
    if (!b) continue;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    out.get(b.index)!.push(`README.md:${b.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  return out;
}

const fromSource: Plugin = {
  name: "chainrule-from-source",
  setup(b) {
    b.onResolve({ filter: /^chainrule(\/node)?$/ }, (a) => ({ path: join(root, a.path === "chainrule" ? "src/index.ts" : "src/node/index.ts") }));
  },
};

/** Bundles the block against src/ and runs it with node in `cwd`; returns its stdout. */
async function run(code: string, index: number, cwd: string): Promise<string> {
  const file = join(root, "test", `.readme-example-${index}.mjs`);
  await build({ stdin: { contents: code, loader: "ts", resolveDir: root }, bundle: true, platform: "node", format: "esm", packages: "external", plugins: [fromSource], outfile: file, logLevel: "silent" });
  try {
    return execFileSync(process.execPath, [file], { cwd, encoding: "utf8", stdio: "pipe" });
  } finally {
    rmSync(file, { force: true });
  }
}

const cwds: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "chainrule-readme-"));
  cwds.push(d);
  return d;
};
afterAll(() => cwds.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the README's TypeScript examples", () => {
  it("has examples, and every claim is on a console.log", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.flatMap((b) => b.code.split("\n").filter((l) => l.includes("// →") && !CLAIM.test(l)))).toEqual([]);
  });

  it("type-check under --strict", () => {
    const errors = [...typeErrors().values()].flat();
    expect(errors.length, errors.join("\n")).toBe(0);
  }, 60_000);

  it.each(blocks.filter((b) => b.run).map((b) => [b.line, b] as const))("the example at line %i prints what its comments claim", async (_, b) => {
    const stdout = await run(instrument(b), b.index, tempDir());
    const printed = new Map(stdout.split("\n").flatMap((l) => (/^@@\d+ /.test(l) ? [[Number(l.slice(2, l.indexOf(" "))), l.slice(l.indexOf(" ") + 1)] as const] : [])));
    const wrong = claims(b).flatMap(({ line, expected }, k) =>
      printed.has(k) && agrees(printed.get(k)!, expected) ? [] : [`README.md:${line}: claims ${expected}, printed ${printed.get(k) ?? "nothing"}`],
    );
    expect(wrong.length, wrong.join("\n")).toBe(0);
  }, 240_000);

  it("the checkpoint example (no-run: it reads a CLI run) runs on a checkpoint of the README's CNN", async () => {
    const b = blocks.find((x) => !x.run && x.code.includes("loadCheckpoint"));
    expect(b, "a no-run example that loads a checkpoint").toBeDefined();
    const json = /^```json\n([\s\S]*?)^```$/m.exec(readme);
    const spec = JSON.parse(json![1]) as ModelSpec;
    const model = buildModel(spec);
    const digits = loadDigits("train");
    const n = 256;
    const subset = fromRaw({ ...digits, n, x: digits.x.subarray(0, n * 784), y: digits.y.subarray(0, n), sampleShape: [1, 28, 28] });
    const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    fit(model, subset, { epochs: 1, optimizer, schedule: new CosineAnnealingLR(optimizer, { tMax: 1 }), progress: "none" });
    const cwd = tempDir();
    mkdirSync(join(cwd, "runs", "cnn"), { recursive: true });
    saveCheckpoint(join(cwd, "runs", "cnn", "checkpoint.safetensors"), model, { architecture: spec, input: { shape: [1, 28, 28] } });
    const stdout = await run(instrument(b!), b!.index, cwd);
    const accuracy = Number(/^@@0 (.*)$/m.exec(stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(0.1);
    expect(accuracy).toBeLessThanOrEqual(1);
  }, 240_000);
});

describe("the README test's own rules", () => {
  it("numbers agree to the digits written, ≈ within 5%", () => {
    expect(agrees("0.9400000000000001", "0.94")).toBe(true);
    expect(agrees("0.4 -0.38000000000000006 0.62", "0.4 -0.38 0.62")).toBe(true);
    expect(agrees("[ 2, 4, 6 ]", "[2, 4, 6]")).toBe(true);
    expect(agrees("true", "true")).toBe(true);
    expect(agrees("0.93", "0.94")).toBe(false);
    expect(agrees("[ 2, 4 ]", "[2, 4, 6]")).toBe(false);
    expect(agrees("false", "true")).toBe(false);
    expect(agrees("0.951", "≈ 0.95")).toBe(true);
    expect(agrees("0.85", "≈ 0.95")).toBe(false);
  });
});
