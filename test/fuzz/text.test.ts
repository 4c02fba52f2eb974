// Fuzzing the text readers: the explain program parser, claims and --set values, MLP specs, JSON
// model specs and CSV. Random inputs and mutants of valid ones; each returns or throws a
// ChainruleError, fast (see harness.ts). `npm run fuzz -- --runs N --target explain` for long runs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../src/explain/ast.js";
import { enabled, fuzz, mutatedText, report } from "./harness.js";
import { TARGETS } from "./targets.js";

const PROGRAMS = [
  "x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)",
  "# P1\n\nx1 = ReLU(x0 * w0 + b0)  # hidden\n\r\ny1 = x1 * w1 + b1\r\n  z  = RELU(y1 + x0);\n",
  "h = sigmoid(x*w + b)\nL = -(y*log(h) + (1 - y)*log(1 - h))",
  "a = x^2 + exp(-x)/2; b = sqrt(abs(a)) - tanh(a)**3; c = max(a, b)",
  "s = softmax(z, 0); L = -sum(y * log(s))",
  "p = x0 * w0 ; q = p / (1 + p) ; r = q - -q",
];
const PROGRAM_TOKENS = [
  ...Object.keys(FUNCTIONS), "(", ")", ",", ";", "\n", "=", "+", "-", "*", "/", "^", "**", "·", "−", "#", "1e308", "1e-400", "0x1f", ".5", "5.",
  "NaN", "Infinity", "∞", "x", "y1", "∂", "_", "λ", "\r", "\t", "(((((((((", ")))))))))", "= =", "\u0000", "\ud800", "a".repeat(300),
];
const CLAIMS = ["y1=-0.08, z=0.92, dz/dw1=-0.2", "∂z/∂w1 = −0.2; d z / d w1=1\n dL/dW_1 = 3e-2 \n", "z=inf, z=-Infinity, z=−∞, z=NaN, dz/dw=+INF", "dz=1"];
const SETS = ["x0=1,w0=0.3,w1=-0.2,b0=0.1,b1=-0.3", " x0 = 1 , w1 = − 0.2 ; λ=+2.5E+1\nb=.5,", ""];
const VALUE_TOKENS = ["=", ",", ";", "\n", "d", "/", "∂", "-", "−", "+", "e", "E", ".", "1e999", "inf", "NaN", "0", "dz/d", "x0", " ", "==", "\u2028"];

const BOUNDED = 400;

describe.runIf(enabled("explain"))("fuzz: the explain parser", () => {
  const programs = fc.oneof(
    { weight: 3, arbitrary: mutatedText(PROGRAMS, PROGRAM_TOKENS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...PROGRAM_TOKENS), { maxLength: 60 }).map((t) => t.join("")) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => "z = " + "(".repeat(n) + "x" + ")".repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => "z = " + "-".repeat(n) + "x") },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((n) => "z = x" + "^x".repeat(n)) },
  );
  it("parseProgram returns or throws a ChainruleError, in bounded time", async () => {
    await fuzz("explain/parseProgram", programs, TARGETS["explain/parseProgram"], BOUNDED);
    console.log(report("explain/parseProgram"));
  });
  it("parseClaims and parseSetValues return or throw a ChainruleError", async () => {
    const values = fc.oneof(mutatedText([...CLAIMS, ...SETS], VALUE_TOKENS), fc.string({ maxLength: 100 }), fc.array(fc.constantFrom(...VALUE_TOKENS), { maxLength: 40 }).map((t) => t.join("")));
    await fuzz("explain/parseClaims", values, TARGETS["explain/parseClaims"], BOUNDED);
    await fuzz("explain/parseSetValues", values, TARGETS["explain/parseSetValues"], BOUNDED);
    console.log(report("explain/parseClaims"));
    console.log(report("explain/parseSetValues"));
  });
});

const SPECS = ["784-1024-512-10", "4-16-3", " 80 - 1024 - 512 - 1 ", "2-2"];
const LAYER_SEEDS = [
  { layers: [{ type: "Linear", in: 4, out: 3 }, { type: "ReLU" }, { type: "Linear", in: 3, out: 2, bias: false }] },
  { layers: [{ type: "Conv2d", in: 1, out: 2, kernel: 3, padding: 1 }, { type: "ReLU" }, { type: "MaxPool2d", kernel: 2 }, { type: "Flatten" }, { type: "Linear", in: 8, out: 3 }] },
  { layers: [{ type: "BatchNorm1d", features: 4 }, { type: "LayerNorm", shape: [4] }, { type: "Dropout", p: 0.2 }, { type: "LeakyReLU", slope: 0.1 }, { type: "Softmax", axis: 1 }, { type: "GELU" }, { type: "Tanh" }, { type: "Sigmoid" }] },
];
const FIELD_VALUES = [0, 1, -1, 2, 3, 0.5, 1e-9, -0, NaN, Infinity, null, true, "3", [], [2, 2], [0], {}, 2 ** 31, -(2 ** 31), 1e300, 1000, 40_000, 1e6, [1000, 1000], 2 ** 28];
const MAX_SIZE = 64; // NOTE: the target caps models at 1e6 parameters (maxParameters), so the huge FIELD_VALUES are refused before allocating

/** A JSON-ish mutant of a layer list: fields set, removed or added, layers dropped or duplicated. */
const modelSpecs = fc.oneof(
  fc.tuple(
    fc.constantFrom(...LAYER_SEEDS),
    fc.array(
      fc.record({
        layer: fc.nat(),
        op: fc.constantFrom("set", "del", "add", "drop", "dup", "type"),
        key: fc.constantFrom("type", "in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias", "features", "shape", "p", "axis", "slope", "start", "end", "ceilMode", "extra", "__proto__"),
        value: fc.oneof(fc.constantFrom(...FIELD_VALUES), fc.integer({ min: -3, max: MAX_SIZE }), fc.string({ maxLength: 6 })),
        type: fc.constantFrom("Linear", "Conv2d", "MaxPool2d", "ReLU", "Flatten", "BatchNorm1d", "LayerNorm", "Softmax", "Dropout", "Nope", "toString", "constructor", "__proto__"),
      }),
      { maxLength: 5 },
    ),
  ).map(([seed, edits]) => {
    const layers: any[] = structuredClone(seed.layers);
    for (const e of edits) {
      if (layers.length === 0) break;
      const i = e.layer % layers.length;
      if (e.op === "set") Object.defineProperty(layers[i], e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
      else if (e.op === "del") delete layers[i][e.key];
      else if (e.op === "add") layers.splice(i, 0, { type: e.type, [e.key]: e.value });
      else if (e.op === "drop") layers.splice(i, 1);
      else if (e.op === "dup") layers.splice(i, 0, structuredClone(layers[i]));
      else layers[i].type = e.type;
    }
    return { layers } as unknown;
  }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).match(/\d{3,}/)),
  fc.constantFrom(null, undefined, 3, "784-10", [], { layers: null }, { layers: [] }, { layers: [null] }, { layers: [[]] }, { layers: "Linear" }),
);

describe.runIf(enabled("model"))("fuzz: model specs", () => {
  it("mlpSpec and parseMlpSpec return or throw a ChainruleError", async () => {
    const specs = fc.oneof(mutatedText(SPECS, ["-", "--", " ", "0", "1e3", "+1", "-1", "0x10", "9".repeat(400), "\n", ".", "١٢"]), fc.string({ maxLength: 40 }));
    await fuzz("model/mlpSpec", specs, TARGETS["model/mlpSpec"], BOUNDED);
    console.log(report("model/mlpSpec"));
  });
  it("buildModel returns or throws a ChainruleError on JSON layer lists", async () => {
    await fuzz("model/buildModel", modelSpecs, TARGETS["model/buildModel"], BOUNDED);
    console.log(report("model/buildModel"));
  });
});

const CSVS = [
  "a,b,label\n1,2,cat\n3,4,dog\n",
  "x,y,kind\r\n1.5,-2,left\r\n3e2,4,right\r\n",
  '\ufeff"col, one","b""q",label\n1,2,0\n"3",4,1\n\n5,6,2',
  "1,2,3\n4,5,6\n",
  "f0,f1\n1,0\n",
];
const CSV_TOKENS = [",", '"', '""', "\n", "\r", "\r\n", "label", "1e39", "-1e39", "NaN", "Infinity", "0x10", " ", "", "\ufeff", "2147483648", "-1", "1.5", "a"];

describe.runIf(enabled("csv"))("fuzz: CSV", () => {
  it("parseCsv returns or throws a ChainruleError, with output no larger than the text justifies", async () => {
    const inputs = fc.record(
      {
        text: fc.oneof({ weight: 3, arbitrary: mutatedText(CSVS, CSV_TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 200 }) }),
        label: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom("label", "a", "kind", "0", "", "nope")),
        header: fc.constantFrom(undefined, true, false),
      },
      { requiredKeys: ["text"] },
    );
    await fuzz("csv/parse", inputs, TARGETS["csv/parse"], BOUNDED);
    console.log(report("csv/parse"));
  });
  it("treats a field that opens a quote and never closes it as a FormatError", () => {
    expect(TARGETS["csv/parse"]({ text: 'a,b\n"1,2\n' }).outcome).toBe("FormatError");
  });
});
