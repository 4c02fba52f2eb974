import { FormatError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { RawDataset } from "./raw.js";
import { describeValue } from "../tensor/format.js";

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /** Name of the label column; default: the column named `label`, else the last column; `null`: no label column (features only, for prediction). */
  label?: string | null;
  /** Name of the source (a file path) used in error messages. */
  source?: string;
  /**
   * Whether the first row is a header (default true). A first row of numbers only is refused unless
   * `header` is given explicitly: it is data whose header is missing more often than a header of
   * numbers. With `header: false` the columns are named "0", "1", ... (as pandas names them).
   */
  header?: boolean;
}

interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Parses CSV text with a header row into a {@link RawDataset}: every column except the label column
 * is a numeric feature. Labels that are all non-negative integers are used as they are; otherwise
 * the distinct label strings, sorted, become classes `0..k-1` and are returned as `labelNames`.
 * Handles quoted fields (`""` escapes a quote, newlines allowed inside quotes), CRLF, a byte-order
 * mark and blank lines. Errors are {@link FormatError}s that name the source, line and column.
 *
 * @example
 * const d = parseCsv("a,b,label\n1,2,cat\n3,4,dog\n", { source: "pets.csv" });
 * // d.x = [1, 2, 3, 4], d.y = [0, 1], d.sampleShape = [2], d.labelNames = ["cat", "dog"]
 */
export function parseCsv(text: string, options?: CsvOptions): RawDataset {
  if (typeof text !== "string") throw new ValueError(`parseCsv: expected the CSV text as a string, found ${describeValue(text)}`);
  const opts = checkOptions("parseCsv", options, ["label", "source", "header"]);
  const at = (line: number) => `${opts.source ? opts.source + " " : ""}line ${line}`;
  const records = splitRecords(text, at);
  const hasHeader = opts.header ?? true;
  const head = hasHeader ? records[0] : records[0] && { fields: records[0].fields.map((_, i) => String(i)), line: 0 };
  const rows = hasHeader ? records.slice(1) : records;
  if (!head) throw new FormatError(`${opts.source ?? "CSV"}: expected a header row, found no data`);
  if (opts.header === undefined && head.fields.every((f) => f.trim() !== "" && Number.isFinite(Number(f))))
    throw new FormatError(`${at(head.line)}: the header row holds only numbers (${head.fields.slice(0, 3).join(",")}${head.fields.length > 3 ? ",..." : ""}): is the header missing? Pass header: false (the CLI's --no-header) to read the first row as data, header: true to keep it as the header`);
  const names = head.fields.map((f) => f.trim());
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) throw new FormatError(`${at(head.line)}: column ${i + 1} repeats the column name "${name}"`);
  });
  let labelCol: number;
  if (opts.label === null) labelCol = -1;
  else if (opts.label !== undefined) {
    labelCol = names.indexOf(opts.label);
    if (labelCol < 0) {
      throw new FormatError(`${opts.source ?? "CSV"}: unknown label column "${opts.label}"; the columns are ${names.map((n) => `"${n}"`).join(", ")}`);
    }
  } else {
    labelCol = names.includes("label") ? names.indexOf("label") : names.length - 1;
  }
  if (names.length < (labelCol >= 0 ? 2 : 1)) {
    throw new FormatError(`${at(head.line)}: expected ${labelCol >= 0 ? "a label column and " : ""}at least one feature column, found ${names.length} column`);
  }
  const features = names.length - (labelCol >= 0 ? 1 : 0);
  const n = rows.length;
  const x = new Float32Array(n * features);
  const labels: string[] = [];
  rows.forEach(({ fields, line }, r) => {
    if (fields.length !== names.length) throw new FormatError(`${at(line)}: expected ${names.length} fields, found ${fields.length}`);
    let k = r * features;
    fields.forEach((field, c) => {
      const where = () => `${at(line)}, column ${c + 1} ("${names[c]}")`;
      const t = field.trim();
      if (c === labelCol) {
        if (t === "") throw new FormatError(`${where()}: expected a label, found an empty field`);
        labels.push(t);
        return;
      }
      const v = Number(t);
      if (t === "" || Number.isNaN(v)) throw new FormatError(`${where()}: expected a number, found "${field}"`);
      if (!Number.isFinite(Math.fround(v))) throw new FormatError(`${where()}: expected a finite number within float32 range (±3.4e38), found "${field}"`);
      x[k++] = v;
    });
  });
  const y = new Int32Array(n);
  const numeric = labels.every((s) => /^\d+$/.test(s) && Number(s) <= 0x7fffffff);
  const result: RawDataset = { x, y, n, sampleShape: [features], classes: 0, featureNames: names.filter((_, c) => c !== labelCol) };
  if (numeric) {
    labels.forEach((s, i) => (y[i] = Number(s)));
    result.classes = n === 0 || labelCol < 0 ? 0 : y.reduce((a, b) => Math.max(a, b), 0) + 1;
  } else {
    const labelNames = [...new Set(labels)].sort();
    const index = new Map(labelNames.map((s, i) => [s, i]));
    labels.forEach((s, i) => (y[i] = index.get(s)!));
    result.classes = labelNames.length;
    result.labelNames = labelNames;
  }
  return result;
}

/**
 * The fields of the first record of CSV text (its header row, or its first sample when it has none).
 * @example csvFirstRow("x,y,kind\n1,2,left\n"); // ["x", "y", "kind"]
 */
export function csvFirstRow(text: string): string[] {
  return splitRecords(text, (line) => `line ${line}`)[0]?.fields.map((f) => f.trim()) ?? [];
}

/** Splits CSV text into records, each with the line it starts on; blank lines are dropped. */
function splitRecords(text: string, at: (line: number) => string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let quoted = false;
  let fieldStart = true;
  let anyQuote = false;
  const endRecord = () => {
    fields.push(field);
    if (anyQuote || fields.length > 1 || field.trim() !== "") out.push({ fields, line: start });
    fields = [];
    field = "";
    fieldStart = true;
    anyQuote = false;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
        field += c;
      }
    } else if (c === '"' && fieldStart) {
      quoted = anyQuote = true;
      fieldStart = false;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      fieldStart = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      start = ++line;
    } else {
      field += c;
      fieldStart = false;
    }
  }
  if (quoted) throw new FormatError(`${at(start)}: expected a closing quote before the end of the text`);
  if (field !== "" || fields.length > 0 || anyQuote) endRecord();
  return out;
}
