#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ChainruleError } from "../errors.js";
import { registerCommands } from "./commands.js";

const debug = process.argv.includes("--debug");

function fail(err: unknown): never {
  if (debug) console.error(err);
  else {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`chainrule: ${msg.split("\n")[0]}${msg.includes("\n") && err instanceof ChainruleError ? "\n" + msg.split("\n").slice(1).join("\n") : ""}`);
  }
  process.exit(2);
}

const program = new Command("chainrule")
  .description("Tensors, autodiff, training and worked explanations of backpropagation")
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
  fail(err);
}
