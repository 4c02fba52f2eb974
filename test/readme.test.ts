import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const readme = readFileSync("README.md", "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('from "chainrule'));

describe("the README's TypeScript examples run as written", () => {
  it("has examples", () => expect(blocks.length).toBeGreaterThanOrEqual(3));

  it.each(blocks.map((b, i) => [i, b] as const))("example %i", (i, code) => {
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = resolve(`test/.readme-example-${i}.mjs`);
    const cwd = mkdtempSync(join(tmpdir(), "chainrule-readme-"));
    writeFileSync(file, js);
    try {
      execFileSync(process.execPath, [file], { cwd, encoding: "utf8", stdio: "pipe" });
    } finally {
      rmSync(file, { force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
