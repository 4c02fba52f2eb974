import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError } from "../../src/errors.js";
import { parseCsv } from "../../src/data/csv.js";
import { loadCsv } from "../../src/node/csv-file.js";

const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
`;

const fails = (text: string, opts = {}) => {
  try {
    parseCsv(text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error("expected parseCsv to throw");
};

describe("parseCsv", () => {
  it("reads numeric features and maps string labels to sorted classes", () => {
    const d = parseCsv(IRIS, {});
    expect(d.n).toBe(4);
    expect(d.sampleShape).toEqual([4]);
    expect(d.featureNames).toEqual(["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    expect(Array.from(d.x.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(d.labelNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(d.y)).toEqual([0, 1, 2, 0]);
    expect(d.classes).toBe(3);
  });

  it("uses integer labels as they are, from a column named label by default", () => {
    const d = parseCsv("a,label,b\n1,3,2\n4,0,5\n", {});
    expect(Array.from(d.y)).toEqual([3, 0]);
    expect(d.classes).toBe(4);
    expect(d.labelNames).toBeUndefined();
    expect(Array.from(d.x)).toEqual([1, 2, 4, 5]);
    expect(d.featureNames).toEqual(["a", "b"]);
  });

  it("picks the label column by name", () => {
    const d = parseCsv("a,b,c\n1,2,3\n4,5,6\n", { label: "a" });
    expect(Array.from(d.y)).toEqual([1, 4]);
    expect(Array.from(d.x)).toEqual([2, 3, 5, 6]);
  });

  it("treats labels as strings unless all are non-negative integers", () => {
    const d = parseCsv("x,y\n1,2\n2,-1\n3,10\n", {});
    expect(d.labelNames).toEqual(["-1", "10", "2"]);
    expect(Array.from(d.y)).toEqual([2, 0, 1]);
  });

  it("handles quotes, CRLF, a BOM, blank lines and no trailing newline", () => {
    const text = '\uFEFF"len, cm","the ""kind"""\r\n\r\n"1.5","a, b"\r\n  \r\n2,"multi\r\nline"\r\n3,"a, b"';
    const d = parseCsv(text, {});
    expect(d.featureNames).toEqual(["len, cm"]);
    expect(d.labelNames).toEqual(["a, b", "multi\r\nline"]);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(Array.from(d.x)).toEqual([1.5, 2, 3]);
  });

  it("accepts a header with no rows", () => {
    const d = parseCsv("a,label\n", {});
    expect(d.n).toBe(0);
    expect(d.classes).toBe(0);
    expect(d.x.length).toBe(0);
  });


  it("names source, line and column for a bad number", () => {
    const lines = IRIS.split("\n");
    lines.splice(5, 0, "", "6.1,2.8,abc,1.2,versicolor");
    expect(fails(lines.join("\n"), { source: "data.csv" })).toBe(
      'data.csv line 7, column 3 ("petal_length"): expected a number, found "abc"',
    );
    expect(fails("a,b\n,1\n")).toBe('line 2, column 1 ("a"): expected a number, found ""');
  });

  it("counts lines inside quoted fields", () => {
    expect(fails('a,b\n1,"x\ny"\nq,z\n', { source: "f.csv" })).toBe('f.csv line 4, column 1 ("a"): expected a number, found "q"');
  });

  it("reports a wrong field count", () => {
    expect(fails("a,b,c,d,e\n1,2,3,4,5\n\n\n1,2,3,4\n")).toBe("line 5: expected 5 fields, found 4");
    expect(fails("a,b\n1,2,3\n", { source: "x.csv" })).toBe("x.csv line 2: expected 2 fields, found 3");
  });

  it("reports an empty label", () => {
    expect(fails("a,label\n1,\n")).toBe('line 2, column 2 ("label"): expected a label, found an empty field');
  });

  it("lists the columns for an unknown label column", () => {
    expect(fails("a,b,c\n1,2,3\n", { label: "species", source: "d.csv" })).toBe(
      'd.csv: unknown label column "species"; the columns are "a", "b", "c"',
    );
  });

  it("rejects a missing header, a single column, repeated names and an open quote", () => {
    expect(fails("", { source: "e.csv" })).toBe("e.csv: expected a header row, found no data");
    expect(fails("\n\n")).toBe("CSV: expected a header row, found no data");
    expect(fails("label\n1\n")).toBe("line 1: expected a label column and at least one feature column, found 1 column");
    expect(fails("a,b,a\n")).toBe('line 1: column 3 repeats the column name "a"');
    expect(fails('a,b\n1,"open\n2,3\n')).toBe("line 2: expected a closing quote before the end of the text");
  });
});

describe("loadCsv", () => {
  it("reads a file and names it in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-csv-"));
    try {
      const good = join(dir, "iris.csv");
      writeFileSync(good, IRIS);
      const d = loadCsv(good, { label: "species" });
      expect(d.n).toBe(4);
      expect(d.labelNames).toEqual(["setosa", "versicolor", "virginica"]);
      const bad = join(dir, "bad.csv");
      writeFileSync(bad, "a,b\n1,2\n2\n");
      expect(() => loadCsv(bad, { label: "a" })).toThrow(`${bad} line 3: expected 2 fields, found 1`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseCsv without a label column", () => {
  it("reads every column as a feature when label is null", async () => {
    const { parseCsv } = await import("../../src/data/csv.js");
    const d = parseCsv("a,b\n1,2\n3,4\n", { label: null });
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
    expect(d.sampleShape).toEqual([2]);
    expect(d.classes).toBe(0);
  });
});

describe("parseCsv refuses numbers it cannot hold and a missing header", () => {
  const message = fails;

  it("refuses a cell that is not finite in float32 (1e999, Infinity, 1e39)", () => {
    expect(message("a,label\n1e999,0\n", { source: "big.csv" })).toBe('big.csv line 2, column 1 ("a"): expected a finite number within float32 range (±3.4e38), found "1e999"');
    expect(message("a,label\n-Infinity,0\n")).toMatch(/line 2, column 1 \("a"\): expected a finite number/);
    expect(message("a,label\n1e39,0\n")).toMatch(/found "1e39"/);
    expect(parseCsv("a,label\n3e38,0\n").x[0]).toBe(Math.fround(3e38));
  });

  it("refuses a first row of numbers as a header unless told, and reads it as data with header: false", () => {
    expect(message("5.1,3.5,0\n4.9,3.0,1\n", { source: "iris.csv" })).toBe(
      "iris.csv line 1: the header row holds only numbers (5.1,3.5,0): is the header missing? Pass header: false (the CLI's --no-header) to read the first row as data, header: true to keep it as the header",
    );
    const d = parseCsv("5.1,3.5,0\n4.9,3.0,1\n", { header: false });
    expect(d.n).toBe(2);
    expect(d.featureNames).toEqual(["0", "1"]);
    expect(Array.from(d.y)).toEqual([0, 1]);
    expect(Array.from(d.x)).toEqual([5.1, 3.5, 4.9, 3.0].map(Math.fround));
    expect(parseCsv("5.1,3.5,0\n4.9,3.0,1\n", { header: false, label: "0" }).featureNames).toEqual(["1", "2"]);
    expect(parseCsv("1,2,3\n4,5,1\n", { header: true }).featureNames).toEqual(["1", "2"]);
    expect(() => parseCsv("a,b\n1,2\n", { labels: "a" } as never)).toThrow('parseCsv: unknown option "labels" (did you mean "label"?)');
  });
});
