// The command line: commander program, run on process.argv (entered from main.ts).
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands.js";
import { reportError } from "./shared.js";

const debug = process.argv.includes("--debug");
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command("chainrule")
  .description("Tensors, autodiff, training and worked explanations of backpropagation")
  .version(version, "-V, --version", "print the version")
  .option("--debug", "show stack traces")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });
program.showSuggestionAfterError(true);
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") process.exit(0);
    process.exit(2);
  }
  process.exit(reportError(err, debug));
}
