// The command line: a fresh commander program per run. main.ts runs it on process.argv; `runCli` with
// sinks runs it in this process (the fuzz tests), its output and exit code captured, nothing exited.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { registerCommands } from "./commands.js";
import { io, reportError } from "./shared.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** What a run writes to, and how a test stops a long run (as Ctrl-C does); without them, the process's own. */
export interface CliSinks {
  out(s: string): void;
  err(s: string): void;
  onInterrupt?(fn: () => void): () => void;
}

/** Runs the arguments after `chainrule`; `exit`: the run failed, and the process exits at once with `code`. */
export async function runCli(argv: readonly string[], sinks?: CliSinks): Promise<{ code: number; exit: boolean }> {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== "string")) throw new ValueError(`runCli: expected an array of strings, found ${JSON.stringify(argv)}`);
  checkOptions("runCli", sinks, ["out", "err", "onInterrupt"]);
  if (sinks && (typeof sinks.out !== "function" || typeof sinks.err !== "function")) throw new ValueError(`runCli: expected out and err functions, found ${typeof sinks.out} and ${typeof sinks.err}`);
  const saved = { ...io };
  let set = 0;
  if (sinks) Object.assign(io, { out: sinks.out, err: sinks.err, errTTY: () => false, setExitCode: (c: number) => void (set = c), onInterrupt: sinks.onInterrupt ?? saved.onInterrupt });
  const program = new Command("chainrule")
    .description("Tensors, autodiff, training and worked explanations of backpropagation")
    .version(version, "-V, --version", "print the version")
    .option("--debug", "show stack traces")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  program.showSuggestionAfterError(true);
  registerCommands(program);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return { code: sinks ? set : Number(process.exitCode ?? 0), exit: false };
  } catch (err) {
    if (err instanceof CommanderError) return { code: ["commander.helpDisplayed", "commander.version", "commander.help"].includes(err.code) ? 0 : 2, exit: true };
    return { code: reportError(err, argv.includes("--debug")), exit: true };
  } finally {
    Object.assign(io, saved);
  }
}
