import { ChainruleError } from "../errors.js";

/** Bad usage of the command line (a wrong flag value, a missing file): printed as one line, exit code 2. */
export class UsageError extends ChainruleError {
  override name = "UsageError";
}
