import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { parseSetValues } from "../explain/index.js";
import { checkSolution, formatGradeMarkdown, formatGradeText } from "../grade/index.js";
import { io } from "./shared.js";
import { UsageError } from "./usage.js";

interface CheckFlags { set?: string; values?: string; tol?: string; format: "text" | "markdown" | "json"; input?: "md" | "tex" | "txt" }

function read(path: string, what: string): string {
  try {
    return path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path === "-" ? "standard input" : path}: ${(e as Error).message}`);
  }
}

/** Adds `chainrule check <solution>`: grades a worked solution step by step; exit code 1 when a step is wrong. */
export function registerCheck(program: Command): void {
  program
    .command("check <solution>")
    .description("grade a worked solution (.md with $…$ math, .tex, .txt; - for standard input) step by step")
    .option("--set <values>", "values the text does not give, e.g. x0=1,w0=0.3")
    .option("--values <file.json>", "values from a JSON object of name: number")
    .option("--tol <tol>", "relative tolerance, in place of the precision the numbers are written with")
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .addOption(new Option("--input <kind>", "how to read the text (default: from the extension; markdown for -)").choices(["md", "tex", "txt"]))
    .action((file: string, f: CheckFlags) => {
      const text = read(file, "check");
      let values: Record<string, number> = {};
      if (f.values !== undefined) {
        try {
          values = JSON.parse(read(f.values, "--values"));
        } catch (e) {
          throw e instanceof UsageError ? e : new UsageError(`--values: ${f.values} is not JSON: ${(e as Error).message}`);
        }
        if (typeof values !== "object" || values === null || Array.isArray(values) || !Object.values(values).every((v) => typeof v === "number" && Number.isFinite(v))) throw new UsageError(`--values: ${f.values} must hold an object of name: finite number`);
      }
      if (f.set !== undefined) values = { ...values, ...parseSetValues(f.set) };
      const tol = f.tol === undefined ? undefined : Number(f.tol);
      if (tol !== undefined && !(f.tol!.trim() !== "" && tol >= 0)) throw new UsageError(`--tol must be a number ≥ 0, found "${f.tol}"`);
      const ext = file.match(/\.(md|markdown|tex|txt)$/i)?.[1]?.toLowerCase();
      const kind = f.input ?? (ext === "tex" ? "tex" : ext === "txt" ? "txt" : "md");
      const r = checkSolution(text, { values, tol, format: kind });
      if (r.checks.length === 0 && r.unread.length === 0) throw new UsageError(`check: ${file === "-" ? "standard input" : file} has no equations to check`);
      const title = file === "-" ? "standard input" : file;
      io.out(f.format === "json" ? JSON.stringify({ checks: r.checks, unread: r.unread, right: r.right, wrong: r.wrong, carried: r.carried, ok: r.ok }, null, 2) + "\n" : f.format === "markdown" ? formatGradeMarkdown(r, title) : formatGradeText(r, title));
      if (!r.ok) io.setExitCode(1);
    });
}
