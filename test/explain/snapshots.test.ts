import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gradients } from "../../src/autograd/engine.js";
import { explainOutput } from "../../src/cli/explain-command.js";
import { crossEntropy } from "../../src/losses/cross-entropy.js";
import * as F from "../../src/ops/functions.js";
import { randint, randn, scalar } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";

// The committed outputs of `chainrule explain` for P1, P1 --check, P4 and P5, compared exactly.
// After an intended change of the output, rewrite them with UPDATE_SNAPSHOTS=1 npx vitest run test/explain/snapshots.test.ts
// and read the diff.
const P1 = "x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)";
const SET = "x0=1,w0=0.3,w1=-0.2,b0=0.1,b1=-0.3";
const P5 = { model: "784-1024-512-10", loss: "cross-entropy", l2: "1e-4" };
type Flags = Parameters<typeof explainOutput>[1];
const CASES: [file: string, program: string | undefined, flags: Omit<Flags, "format"> & { format?: Flags["format"] }][] = [
  ["p1.txt", P1, { set: SET }],
  ["p1.md", P1, { set: SET, format: "markdown" }],
  ["p1.tex", P1, { set: SET, format: "latex" }],
  ["p1.json", P1, { set: SET, format: "json" }],
  ["p1-check-wrong.txt", P1, { set: SET, check: "y1=-0.08, z=0.92, dz/dw1=-0.2, dz/dx0=1, dz/dw0=0.2" }],
  ["p1-check-wrong.json", P1, { set: SET, check: "y1=-0.08, z=0.92, dz/dw1=-0.2, dz/dx0=1, dz/dw0=0.2", format: "json" }],
  ["p1-check-right.txt", P1, { set: SET, check: "y1=-0.38, z=0.62, dz/dw1=0.4, dz/dx0=0.94" }],
  ["p4.txt", undefined, { derive: "softmax-cross-entropy" }],
  ["p4.tex", undefined, { derive: "softmax-cross-entropy", format: "latex" }],
  ["p5.txt", undefined, P5],
  ["p5.md", undefined, { ...P5, format: "markdown" }],
  ["p5.tex", undefined, { ...P5, format: "latex" }],
  ["p5-numbers.txt", undefined, { model: "4-3-2", batch: "2", loss: "cross-entropy", l2: "0.01" }],
];

const dir = join(import.meta.dirname, "snapshots");
const output = (program: string | undefined, flags: Omit<Flags, "format"> & { format?: Flags["format"] }) => {
  const text = explainOutput(program, { format: "text", ...flags }).text;
  process.exitCode = undefined;
  return text;
};

describe("chainrule explain prints what the committed snapshots hold", () => {
  it.each(CASES)("%s", (file, program, flags) => {
    const text = output(program, flags);
    const path = join(dir, file);
    if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(path)) writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, "utf8"));
  });
});

/** Every number a line prints after its last `=`, as a float (the text's minus sign read back). */
const lastNumber = (line: string): number => Number(line.slice(line.lastIndexOf("=") + 1).trim().replace(/−/g, "-"));

describe("every number printed agrees with autograd", () => {
  it("P1: each forward value and each gradient, run here with the library's ops", () => {
    const leaf = (v: number) => scalar(v, { dtype: "float64", requiresGrad: true });
    const v = { x0: leaf(1), w0: leaf(0.3), w1: leaf(-0.2), b0: leaf(0.1), b1: leaf(-0.3) };
    const x1 = F.relu(F.add(F.mul(v.x0, v.w0), v.b0));
    const y1 = F.add(F.mul(x1, v.w1), v.b1);
    const z = F.relu(F.add(y1, v.x0));
    const all = { ...v, x1, y1 };
    const gs = gradients(z, Object.values(all));
    const grad = Object.fromEntries(Object.keys(all).map((k, i) => [k, gs[i]!.item()]));
    const text = output(P1, { set: SET });
    const [fwd, grads, back] = ["Forward pass", "Gradients of z", "Backward pass"].map((t) => text.split(`${t}`)[1]!.split("\n\n")[0]!.split("\n").slice(1));
    const values: Record<string, number> = { x1: x1.item(), y1: y1.item(), z: z.item() };
    for (const line of fwd!) expect(lastNumber(line)).toBeCloseTo(values[line.trim().split(" ")[0]!]!, 9);
    const shown = grads!.filter((l) => /^\s+∂z\/∂/.test(l)).map((l) => l.trim().split(" ")[0]!.slice(4));
    expect(shown).toEqual(["x0", "w0", "b0", "w1", "b1"]);
    // The result is on the last line of each gradient, before the next ∂z/∂….
    const results = grads!.filter((_, i) => i + 1 === grads!.length || /^\s+∂z\//.test(grads![i + 1]!));
    results.forEach((line, i) => expect(lastNumber(line)).toBeCloseTo(grad[shown[i]!]!, 9));
    for (const line of back!.slice(1)) expect(lastNumber(line)).toBeCloseTo(grad[line.trim().split(" ")[0]!.slice(4)]!, 9);
  });

  it("P5: each backward equation, evaluated by the ops' rules, matches autograd on a batch computed here", () => {
    const text = output(undefined, { model: "4-3-2", batch: "2", loss: "cross-entropy", l2: "0.01", seed: "0" });
    expect(text).toMatch(/agrees with autograd: largest difference 0 /);
    // The loss printed is the loss of the same network and data, built here from the same seed.
    const g = new Generator(0);
    const W1 = randn([4, 3], { dtype: "float64", generator: g }).mul(1 / 2);
    const b1 = randn([3], { dtype: "float64", generator: g }).mul(0.1);
    const W2 = randn([3, 2], { dtype: "float64", generator: g }).mul(1 / Math.sqrt(3));
    const b2 = randn([2], { dtype: "float64", generator: g }).mul(0.1);
    const X = randn([2, 4], { dtype: "float64", generator: g });
    const y = randint(0, 2, [2], { generator: g, dtype: "int32" });
    const S = F.add(F.matmul(F.relu(F.add(F.matmul(X, W1), b1)), W2), b2);
    const L = F.add(crossEntropy(S, y), F.mul(F.add(F.sum(F.mul(W1, W1)), F.sum(F.mul(W2, W2))), 0.005));
    expect(Number(/loss L = (\S+);/.exec(text)![1]!)).toBeCloseTo(L.item(), 9);
  });
});
