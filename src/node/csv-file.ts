import { checkOptions } from "../options.js";
import { readFileBytes } from "./fs.js";
import { parseCsv, type CsvOptions } from "../data/csv.js";
import type { RawDataset } from "../data/raw.js";

/**
 * Reads a CSV file (UTF-8) and parses it with {@link parseCsv}; error messages name the file.
 *
 * @example
 * const iris = loadCsv("data/iris.csv", { label: "species" }); // iris.labelNames = ["setosa", ...]
 */
export function loadCsv(path: string, opts?: Omit<CsvOptions, "source">): RawDataset {
  return parseCsv(new TextDecoder().decode(readFileBytes(path, "CSV file")), { ...checkOptions("loadCsv", opts, ["label", "header"]), source: path });
}
