import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readProgramFile, registerExplain } from "../../src/cli/explain-command.js";
import { UsageError } from "../../src/cli/usage.js";
import { ChainruleError, ParseError, ValueError } from "../../src/errors.js";
import { explainProgram } from "../../src/explain/explain-program.js";
import { formatText } from "../../src/explain/format.js";

const P1 = "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)";
const SET = "x0=1,w0=0.3,w1=-0.2,b0=0.1,b1=-0.3";

/** Runs `chainrule explain …` in process; the exit code is what the entry point would give (2 for errors). */
async function run(...args: string[]): Promise<{ out: string; err: string; code: number; error?: unknown }> {
  const program = new Command("chainrule").exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerExplain(program);
  let out = "";
  let err = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(["node", "chainrule", "explain", ...args]);
    return { out, err, code: Number(process.exitCode ?? 0) };
  } catch (error) {
    if (error instanceof ChainruleError || error instanceof CommanderError) return { out, err, code: 2, error };
    throw error;
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("chainrule explain", () => {
  it("prints P1's worked solution", async () => {
    const r = await run(P1, "--set", SET, "--wrt", "w0,w1,b0,b1");
    expect(r.code).toBe(0);
    expect(r.out).toBe(formatText(explainProgram(P1, { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 }, { wrt: ["w0", "w1", "b0", "b1"] })));
    expect(r.out).toContain("∂z/∂w0 = ReLU'(y1 + x0) · w1 · ReLU'(x0·w0 + b0) · x0\n         = (1)(−0.2)(1)(1) = −0.2");
  });

  it.each([
    ["json", (o: string) => expect(JSON.parse(o).gradients["∂z/∂x0"]).toBeCloseTo(0.94, 15)],
    ["markdown", (o: string) => expect(o).toContain("### Gradients of z")],
    ["latex", (o: string) => expect(o).toContain("\\frac{\\partial z}{\\partial x_{0}}")],
    ["dot", (o: string) => expect(o).toContain('"y1" -> "z"')],
    ["svg", (o: string) => expect(o).toContain("<svg")],
  ])("writes --format %s", async (format, assert) => {
    const r = await run(P1, "--set", SET, "--format", format);
    expect(r.code).toBe(0);
    assert(r.out);
  });

  it("--of picks another output", async () => {
    const r = await run(P1, "--set", SET, "--of", "y1", "--wrt", "w1");
    expect(r.out).toContain("∂y1/∂w1 = x1\n          = 0.4");
  });

  it("exits 1 when a checked claim is wrong and 0 when all are right", async () => {
    const wrong = await run(P1, "--set", SET, "--check", "y1=-0.08, z=0.92, dz/dw1=-0.2");
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain("Check: 0 of 3 right");
    expect(wrong.out).toContain("the term + b1 was dropped");
    const right = await run(P1, "--set", SET, "--check", "y1=-0.38, z=0.62, dz/dw1=0.4", "--format", "json");
    expect(right.code).toBe(0);
    expect(JSON.parse(right.out).checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect((await run(P1, "--set", SET, "--check", "z=0.6", "--tol", "0.05")).code).toBe(0);
  });

  it("reads --values from JSON, --set overriding it, and writes --out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-explain-"));
    writeFileSync(join(dir, "v.json"), JSON.stringify({ x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: 5 }));
    const r = await run(P1, "--values", join(dir, "v.json"), "--set", "b1=-0.3", "--out", join(dir, "out.txt"), "--precision", "3");
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toContain("y1 = x1·w1 + b1       = 0.4·(−0.2) + (−0.3) = −0.38");
  });

  it("prints a named derivation and an MLP's backward pass", async () => {
    const p4 = await run("--derive", "softmax-cross-entropy");
    expect(p4.code).toBe(0);
    expect(p4.out).toContain("∂L/∂hᵢ = Pᵢ − yᵢ");
    const p5 = await run("--model", "784-1024-512-10", "--loss", "cross-entropy", "--l2", "1e-4");
    expect(p5.code).toBe(0);
    for (const s of ["∂L/∂S  = (P − Y)/N", "∂L/∂W3 = H2ᵀ · ∂L/∂S + λ·W3", "[H₂×C]", "∂L/∂Z1 = ∂L/∂H1 ⊙ 1[Z1 > 0]", "[N×H₁]"]) expect(p5.out).toContain(s);
    const batch = await run("--model", "80-1024-512-1", "--batch", "32", "--layout", "features-first", "--loss", "mse");
    expect(batch.out).toContain("Z1 = W1 · X + b1");
    expect(batch.out).toContain("[1024×32]");
  });

  it("reads the program from --file, or from standard input with --file -", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-explain-"));
    writeFileSync(join(dir, "p1.txt"), `# P1\n${P1}\n`);
    const r = await run("--file", join(dir, "p1.txt"), "--set", SET);
    expect(r.code).toBe(0);
    expect(r.out).toBe(formatText(explainProgram(`# P1\n${P1}\n`, { x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 })));
    expect(readProgramFile("-", () => P1)).toBe(P1);
    const missing = await run("--file", join(dir, "nope.txt"), "--set", SET);
    expect(missing.code).toBe(2);
    expect((missing.error as Error).message).toMatch(/^--file: cannot read .*nope\.txt/);
    expect((await run(P1, "--file", join(dir, "p1.txt"), "--set", SET)).error).toBeInstanceOf(UsageError);
  });

  it("--quiet prints only the verdicts of --check, and the exit code says the rest", async () => {
    const wrong = await run(P1, "--set", SET, "--check", "y1=-0.08, z=0.62", "--quiet");
    expect(wrong.code).toBe(1);
    expect(wrong.out).toBe(
      "✗ y1 = −0.08; correct: −0.38\n" +
      "    first wrong step: y1 = x1·w1 + b1 = 0.4·(−0.2) + (−0.3) = −0.38, not −0.08: the term + b1 was dropped (x1·w1 = 0.4·(−0.2) = −0.08)\n" +
      "✓ z = 0.62\n1 of 2 right\n",
    );
    const right = await run(P1, "--set", SET, "--check", "z=0.62", "--quiet", "--format", "json");
    expect(right.code).toBe(0);
    expect(JSON.parse(right.out)).toEqual({ checks: [expect.objectContaining({ claim: "z=0.62", ok: true })], tolerance: 1e-6 });
    expect((await run(P1, "--set", SET, "--quiet")).error).toBeInstanceOf(UsageError);
    expect((await run(P1, "--set", SET, "--check", "z=1", "--quiet", "--format", "latex")).error).toBeInstanceOf(UsageError);
  });

  it("warns on standard error where a value leaves a function's domain or a loss is always 0", async () => {
    const div = await run("z = x0/w0", "--set", "x0=1,w0=0", "--check", "z=42");
    expect(div.code).toBe(1);
    expect(div.out).toContain("✗ z = 42; correct: ∞");
    expect(div.out).toContain("z: division by zero: x0/w0 with w0 = 0 gives ∞");
    expect(div.err).toBe("chainrule: warning: z: division by zero: x0/w0 with w0 = 0 gives ∞\n");
    expect((await run("z = x0/w0", "--set", "x0=1,w0=0", "--check", "z=inf")).code).toBe(0);
    const one = await run("--model", "80-1024-512-1", "--loss", "cross-entropy");
    expect(one.code).toBe(0);
    expect(one.err).toMatch(/^chainrule: warning: the network has one output: softmax over one class is 1 whatever the score/);
    expect(one.out).toContain("the network has one output");
    expect((await run(P1, "--set", SET)).err).toBe("");
  });

  it("refuses values the program does not use and values that are not finite, from --set and --values alike", async () => {
    const unused = await run(P1, "--set", `${SET},w9=5`);
    expect(unused.code).toBe(2);
    expect((unused.error as Error).message).toBe("w9 is not a variable of the program; its inputs are x0, w0, b0, w1, b1 (it assigns x1, y1, z)");
    for (const x0 of ["1e400", "Infinity", "-inf", "nan"]) {
      const r = await run(P1, "--set", SET.replace("x0=1", `x0=${x0}`));
      expect(r.code).toBe(2);
      expect((r.error as Error).message).toMatch(new RegExp(`^${x0} is not a finite number`));
    }
    const dir = mkdtempSync(join(tmpdir(), "chainrule-explain-"));
    writeFileSync(join(dir, "v.json"), '{"x0": 1e400, "w0": 0.3, "w1": -0.2, "b0": 0.1, "b1": -0.3}');
    const json = await run(P1, "--values", join(dir, "v.json"));
    expect(json.code).toBe(2);
    expect((json.error as Error).message).toMatch(/^--values: "x0" in .*v\.json holds a number that is not finite/);
  });

  it.each<[string, string[], unknown]>([
    ["no program", [], UsageError],
    ["a program and --derive", [P1, "--derive", "mse"], UsageError],
    ["dot for a derivation", ["--derive", "mse", "--format", "dot"], UsageError],
    ["--wrt for a model", ["--model", "4-2", "--wrt", "W1"], UsageError],
    ["a bad precision", [P1, "--set", SET, "--precision", "0"], UsageError],
    ["a bad tolerance", [P1, "--set", SET, "--tol", "x"], UsageError],
    ["a bad --loss", ["--model", "4-2", "--loss", "hinge"], UsageError],
    ["a missing --values file", [P1, "--values", "/nonexistent/v.json"], UsageError],
    ["a malformed --set", [P1, "--set", "x0=1,w0"], ParseError],
    ["a malformed program", ["x1 = relu(x0 *", "--set", SET], ParseError],
    ["a missing value", [P1, "--set", "x0=1"], ValueError],
    ["an unknown format", [P1, "--set", SET, "--format", "pdf"], CommanderError],
    ["an unknown derivation", ["--derive", "softmax"], CommanderError],
  ])("exits 2 on bad usage: %s", async (_, args, kind) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.error).toBeInstanceOf(kind as new () => unknown);
  });
});
