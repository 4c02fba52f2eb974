import type { Command } from "commander";

/** Adds every subcommand; each lives in its own file. */
export function registerCommands(program: Command): void {
  void program;
}
