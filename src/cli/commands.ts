import type { Command } from "commander";
import { registerCheck } from "./check-command.js";
import { registerEval, registerPredict } from "./eval-command.js";
import { registerExplain } from "./explain-command.js";
import { registerExport, registerImport } from "./onnx-commands.js";
import { registerSummary } from "./summary-command.js";
import { registerTrain } from "./train-command.js";
import { registerSample } from "./lm-command.js";

/** Adds every subcommand; each lives in its own file. */
export function registerCommands(program: Command): void {
  registerTrain(program);
  registerSummary(program);
  registerEval(program);
  registerPredict(program);
  registerExplain(program);
  registerCheck(program);
  registerExport(program);
  registerImport(program);
  registerSample(program);
}
