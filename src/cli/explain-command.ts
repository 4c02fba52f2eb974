import { readFileSync, writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import type { Derivation, ProgramDerivation } from "../explain/derivation.js";
import { DERIVATIONS, deriveNamed } from "../explain/derive.js";
import { explainProgram } from "../explain/explain-program.js";
import { formatJson, formatLatex, formatMarkdown, formatText } from "../explain/format.js";
import { formatDot, formatSvg } from "../explain/graph-draw.js";
import { richToText } from "../explain/latex.js";
import { checkLines } from "../explain/lines.js";
import { explainAttention } from "../explain/attention.js";
import { explainModelSpec } from "../explain/model.js";
import { explainTrace } from "../explain/trace.js";
import { checkTensorClaims, formatClaimChecks } from "../grade/index.js";
import type { ModelSpec } from "../nn/build.js";
import { randint, randn } from "../tensor/create.js";
import { Generator } from "../tensor/random.js";
import { buildFrom, inputShapeFor, io, modelSpecFrom } from "./shared.js";
import type { InputValue } from "../explain/program.js";
import { parseSetValues } from "../explain/values.js";
import { UsageError } from "./usage.js";

const FORMATS = ["text", "markdown", "latex", "json", "dot", "svg"] as const;
type Format = (typeof FORMATS)[number];

interface ExplainFlags {
  file?: string;
  quiet?: boolean;
  set?: string;
  values?: string;
  wrt?: string;
  of?: string;
  format: Format;
  check?: string;
  tol?: string;
  precision?: string;
  derive?: string;
  model?: string;
  loss?: string;
  l2?: string;
  batch?: string;
  layout?: "batch-first" | "features-first";
  seed?: string;
  out?: string;
}

function number(flag: string, text: string | undefined, check: (v: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === "" || !check(v)) throw new UsageError(`${flag} must be ${what}, found "${text}"`);
  return v;
}

function readValues(path: string): Record<string, InputValue> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--values: cannot read ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--values: ${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new UsageError(`--values: ${path} must hold an object of name: number or nested arrays`);
  const isValue = (v: unknown): boolean => typeof v === "number" || (Array.isArray(v) && v.every(isValue));
  const isFinite = (v: unknown): boolean => (typeof v === "number" ? Number.isFinite(v) : (v as unknown[]).every(isFinite));
  for (const [k, v] of Object.entries(data)) {
    if (!isValue(v)) throw new UsageError(`--values: "${k}" in ${path} is not a number or nested arrays of numbers`);
    if (!isFinite(v)) throw new UsageError(`--values: "${k}" in ${path} holds a number that is not finite (a literal such as 1e400 is too large for a float64)`);
  }
  return data as Record<string, InputValue>;
}

/** The program of `--file`: a file's text, or standard input for `-`. */
export function readProgramFile(path: string, readStdin: () => string = () => readFileSync(0, "utf8")): string {
  try {
    return path === "-" ? readStdin() : readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--file: cannot read ${path === "-" ? "standard input" : path}: ${(e as Error).message}`);
  }
}

/** `--quiet`: the verdicts of the checks only, as text (one line per claim, the reason under a wrong one) or JSON. */
function checksOnly(d: ProgramDerivation, format: Format): string {
  const checks = d.checks ?? [];
  if (format === "json") return JSON.stringify({ checks: checks.map((c) => ({ ...c, firstWrongStep: c.firstWrongStep && richToText(c.firstWrongStep), slips: c.slips?.map(richToText) })), tolerance: d.tolerance }, null, 2) + "\n";
  if (format !== "text") throw new UsageError(`--quiet prints the checks as text or json, not ${format}`);
  const lines = checks.flatMap((c) => {
    const { head, detail } = checkLines(c, d.precision);
    return [head, ...detail.map((l) => `    ${l}`)].map(richToText);
  });
  return [...lines, `${checks.filter((c) => c.ok).length} of ${checks.length} right`].join("\n") + "\n";
}

/** What `explain` prints for its flags; sets exit code 1 when a checked claim is wrong. */
export function runExplain(program: string | undefined, flags: ExplainFlags): string {
  return explainOutput(program, flags).text;
}

/** The output of `explain` and the warnings to say on standard error (a value out of a function's domain, a loss that is always 0). */
export function explainOutput(program: string | undefined, flags: ExplainFlags): { text: string; warnings: string[] } {
  if (flags.file !== undefined) {
    if (program !== undefined) throw new UsageError("explain: give the program as an argument or with --file, not both");
    program = readProgramFile(flags.file);
  }
  const modes = [program !== undefined, flags.derive !== undefined, flags.model !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError(`explain: give one of a program ("y = x*w"), --file <path>, --derive <name> or --model <spec>`);
  if (flags.quiet && flags.check === undefined) throw new UsageError("--quiet prints only the verdicts of --check: give --check too");
  const precision = number("--precision", flags.precision, (v) => Number.isInteger(v) && v >= 1 && v <= 17, "an integer from 1 to 17");
  const seed = number("--seed", flags.seed, Number.isInteger, "an integer");
  const l2 = number("--l2", flags.l2, (v) => v >= 0, "a number ≥ 0");
  const values = {
    ...(flags.values !== undefined ? readValues(flags.values) : {}),
    ...(flags.set !== undefined ? parseSetValues(flags.set) : {}),
  };
  let d: Derivation;
  if (program !== undefined) {
    if (program.trim() === "") throw new UsageError("explain: the program is empty");
    d = explainProgram(program, values, {
      of: flags.of,
      wrt: flags.wrt?.split(",").map((s) => s.trim()).filter((s) => s !== ""),
      precision,
      check: flags.check,
      tol: number("--tol", flags.tol, (v) => v >= 0, "a number ≥ 0"),
    });
  } else {
    for (const f of ["wrt", "of", ...(flags.model ? [] : ["check"] as const), "tol", "quiet"] as const) if (flags[f] !== undefined) throw new UsageError(`--${f} applies to a program, not to --derive or --model`);
    if (flags.derive !== undefined) d = deriveNamed(flags.derive, { seed, l2 });
    else {
      const loss = flags.loss === undefined ? undefined : flags.loss.replace(/_/g, "-");
      if (loss !== undefined && loss !== "cross-entropy" && loss !== "mse") throw new UsageError(`--loss must be cross-entropy or mse, found "${flags.loss}"`);
      const batch = number("--batch", flags.batch, (v) => Number.isInteger(v) && v > 0, "a positive integer");
      if (/^attention(:|$)/.test(flags.model!)) {
        for (const f of ["l2", "batch", "layout"] as const) if (flags[f] !== undefined) throw new UsageError(`--${f} applies to an MLP or a JSON model, not to --model ${flags.model}`);
        d = explainAttention(flags.model!, { loss, seed, values: flags.values !== undefined ? values : undefined });
      } else if (flags.model!.endsWith(".json")) {
        // NOTE: a JSON model (any layers) is explained from its recorded graph, on random data of its input shape.
        const spec = modelSpecFrom(flags.model!);
        const g = new Generator(seed ?? 0);
        const model = buildFrom(spec, g, flags.model!);
        const shape = inputShapeFor(spec, [firstWidth(spec)]);
        const n = batch ?? 2;
        const x = randn([n, ...shape], { generator: g });
        const classes = model.call(x).shape.at(-1)!;
        const y = loss === "mse" ? randn([n, classes], { generator: g }) : randint(0, classes, [n], { generator: g });
        d = explainTrace(model, x, y, { loss, l2 });
      } else {
        d = explainModelSpec(flags.model!, { loss, l2, seed, layout: flags.layout, batch, values: flags.values !== undefined ? values : undefined });
      }
    }
  }
  if ((flags.format === "dot" || flags.format === "svg") && d.kind !== "program") throw new UsageError(`--format ${flags.format} draws a program's graph; use text, markdown, latex or json here`);
  if (d.kind === "program" && d.checks?.some((c) => !c.ok)) io.setExitCode(1);
  const warnings = (d.kind === "named" ? [] : d.warnings ?? []).map(richToText);
  if (flags.quiet) return { text: checksOnly(d as ProgramDerivation, flags.format), warnings };
  if (d.kind === "model" && flags.check !== undefined) {
    // NOTE: tensor claims of --model: text (dW2=[[…]]) or a JSON file of claimed arrays.
    let claims: string | Record<string, never> = flags.check;
    try {
      if (flags.check.endsWith(".json")) claims = JSON.parse(readProgramFile(flags.check));
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError(`--check: ${flags.check} is not JSON: ${(e as Error).message}`);
    }
    const checks = checkTensorClaims(d, claims);
    if (checks.some((c) => !c.ok)) io.setExitCode(1);
    return { text: flags.format === "json" ? JSON.stringify({ ...d, checks }, null, 2) + "\n" : `${formatted(d, flags.format)}\nChecks\n${formatClaimChecks(checks)}`, warnings };
  }
  return { text: formatted(d, flags.format), warnings };
}

function formatted(d: Derivation, format: Format): string {
  switch (format) {
    case "text": return formatText(d);
    case "markdown": return formatMarkdown(d);
    case "latex": return formatLatex(d);
    case "json": return formatJson(d);
    case "dot": return formatDot(d as ProgramDerivation);
    case "svg": return formatSvg(d as ProgramDerivation);
  }
}

/**
 * Adds `chainrule explain`: the worked solution of a program (forward pass, chain-rule paths, reverse
 * mode), checks of claimed answers (`--check`, exit code 1 when one is wrong), named derivations
 * (`--derive`) and the matrix backward pass of an MLP or of self-attention (`--model`).
 */
export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("show the worked solution of a computation: forward pass, chain rule, backward pass; check answers")
    .argument("[program]", 'assignments such as "x1 = relu(x0*w0 + b0); z = x1*w1", separated by ";" or newlines')
    .option("--file <path>", "read the program from a file (- for standard input)")
    .option("--set <values>", "input values, e.g. x0=1,w0=0.3,w1=-0.2")
    .option("--values <file.json>", "input values from a JSON object (tensors as nested arrays)")
    .option("--wrt <names>", "variables to differentiate by, comma-separated (default: every input)")
    .option("--of <name>", "the output (default: the last assignment)")
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("text"))
    .option("--check <claims>", 'claimed values to check, e.g. "y1=-0.08, z=0.92, dz/dw1=-0.2"')
    .option("--tol <tol>", "relative tolerance of --check (default 1e-6)")
    .option("--quiet", "with --check: print only the verdicts (the exit code says whether all are right)")
    .option("--precision <digits>", "significant digits shown (default 10)")
    .addOption(new Option("--derive <name>", "a named derivation").choices(DERIVATIONS))
    .option("--model <spec>", 'an MLP such as "784-1024-512-10" (Linear layers with ReLU between them), a JSON model file (any layers, explained op by op), or attention (one causal head; attention:T=4,E=5,d=3,causal=false)')
    .option("--loss <loss>", "loss of --model: cross-entropy or mse (default cross-entropy)")
    .option("--l2 <lambda>", "L2 penalty (λ/2)Σ‖W‖² of --model, or λ of --derive l2")
    .option("--batch <n>", "batch size of --model (numeric shapes)")
    .addOption(new Option("--layout <layout>", "data layout of --model").choices(["batch-first", "features-first"]))
    .option("--seed <n>", "seed of the random sample of --derive and --model")
    .option("--out <file>", "write to a file instead of standard output")
    .action((prog: string | undefined, flags: ExplainFlags) => {
      const { text, warnings } = explainOutput(prog, flags);
      for (const w of warnings) io.err(`chainrule: warning: ${w}\n`);
      if (flags.out === undefined) io.out(text);
      else {
        try {
          writeFileSync(flags.out, text);
        } catch (e) {
          throw new UsageError(`--out: cannot write ${flags.out}: ${(e as Error).message}`);
        }
      }
    });
}

/** The number of input features of a JSON model: its first Linear's `in`, or 784 (28×28 images) before a Conv2d. */
function firstWidth(spec: ModelSpec): number {
  const first = spec.layers[0];
  if (first?.type === "Linear") return Number(first.in);
  if (first?.type === "Conv2d") return Number(first.in) * 28 * 28;
  throw new UsageError(`--model: the first layer of a JSON model must be Linear or Conv2d to know its input, found ${String(first?.type)}`);
}
