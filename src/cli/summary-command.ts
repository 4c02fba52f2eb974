import type { Command } from "commander";
import { checkSummaryClaims, formatClaimChecks } from "../grade/index.js";
import { summary } from "../train/summary.js";
import { choice, inputShapeFor, io, modelSpecFrom, num } from "./shared.js";
import { UsageError } from "./usage.js";

export function registerSummary(program: Command): void {
  program
    .command("summary <model>")
    .description('layer output shapes and parameter counts with the arithmetic, e.g. chainrule summary "80-1024-512-1" --batch 32 --layout features-first')
    .option("--batch <n>", "the batch size (shown as N when not given)")
    .option("--layout <layout>", "batch-first | features-first", "batch-first")
    .option("--input <shape>", "one sample's shape, e.g. 1,28,28 (default: the first width of an MLP spec, or 784)")
    .option("--json", "print the summary as JSON")
    .option("--check <claims>", 'claimed counts and shapes to check, e.g. "total=608257, 0.weight=[1024,80], A=[1024,32]"')
    .action((model: string, f: { batch?: string; layout: string; input?: string; json?: boolean; check?: string }) => {
      const spec = modelSpecFrom(model, "<model>");
      const layout = choice("--layout", f.layout, ["batch-first", "features-first"] as const);
      const batch = num("--batch", f.batch, { integer: true, positive: true });
      const first = spec.layers?.[0];
      let input: number[];
      if (f.input !== undefined) {
        input = f.input.split(/[,x×]/).map((d) => num("--input", d.trim(), { integer: true, positive: true })!);
      } else if (first?.type === "Linear") input = [Number(first.in)];
      else if (first?.type === "Conv2d") input = inputShapeFor(spec, [784]);
      else throw new UsageError(`--input: give one sample's shape for this model, e.g. --input 1,28,28`);
      let s;
      try {
        // NOTE: from the spec, not a built model: shapes and counts need no weights, so a model too big for memory still shows.
        s = summary(spec, input, { batch, layout, print: false });
      } catch (e) {
        throw new UsageError(`<model>: ${(e as Error).message}`);
      }
      if (!f.json) io.out(`${s.table}\n`);
      let checks;
      try {
        checks = f.check === undefined ? undefined : checkSummaryClaims(s, f.check);
      } catch (e) {
        throw new UsageError(`--check: ${(e as Error).message}`);
      }
      if (checks?.some((c) => !c.ok)) io.setExitCode(1);
      if (f.json) io.out(JSON.stringify({ ...s, table: undefined, checks }, null, 2) + "\n");
      else if (checks) io.out(`\nChecks\n${formatClaimChecks(checks)}`);
    });
}
