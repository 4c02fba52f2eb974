import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../cli/helpers.js";
import { P1_RIGHT_MD, P1_RIGHT_TXT, P1_SLIPS_MD, P4_RIGHT_MD } from "./solutions.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-check-"));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

describe("chainrule check", () => {
  it("exits 0 on a right solution (Markdown, plain text, P4)", () => {
    for (const [name, text] of [["p1.md", P1_RIGHT_MD], ["p1.txt", P1_RIGHT_TXT], ["p4.md", P4_RIGHT_MD]] as const) {
      const r = cli("check", file(name, text));
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toMatch(/\d+ steps right, 0 wrong\n$/);
      expect(r.out).not.toContain("✗");
    }
  });

  it("marks each line and exits 1 when a step is wrong", () => {
    const r = cli("check", file("slips.md", P1_SLIPS_MD));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/line 12\s+= −0\.5\s+✗ first wrong step/);
    expect(r.out).toMatch(/line 15 .*✗ carried from line 12\n\s+follows from y₁ = −0\.5 above/);
    expect(r.out).toMatch(/line 19 .*✗ first wrong step\n\s+\(1\)\(0\.3\): 0\.3 is w₀'s value; x₁ = 0\.4/);
    expect(r.out).toContain("? unread: d/d has no variable");
  });

  it("prints JSON and Markdown, and reads standard input", () => {
    const j = cli("check", file("s.md", P1_SLIPS_MD), "--format", "json");
    expect(j.code, j.err).toBe(1);
    const data = JSON.parse(j.out) as { checks: { line: number; claim: string; claimed: number; correct: number; ok: boolean; firstWrongStep: string | null }[]; unread: unknown[] };
    expect(data.checks.find((c) => c.line === 12)).toMatchObject({ claim: "y₁ = −0.5", claimed: -0.5, correct: -0.38, ok: false, firstWrongStep: "(0.4)(−0.2) + (−0.3) = −0.38, not −0.5: an arithmetic slip" });
    expect(data.unread).toHaveLength(1);
    expect(cli("check", file("m.md", P1_SLIPS_MD), "--format", "markdown").out).toContain("| Line | Math | Verdict | Why |");
    const r = spawnSync(process.execPath, [resolve("dist/cli/main.js"), "check", "-", "--set", "x=2"], { input: "$$y = 3x = 3 \\cdot 2 = 6$$\n", encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("standard input");
  });

  it("exits 2 on bad usage", () => {
    expect(cli("check", join(dir, "missing.md")).code).toBe(2);
    expect(cli("check", file("prose.md", "No math here.\n")).code).toBe(2);
    expect(cli("check", file("t.md", P1_RIGHT_MD), "--tol", "x").code).toBe(2);
  });
});

describe("summary --check and explain --model --check", () => {
  it("checks claimed counts and shapes (P2, P3)", () => {
    const r = cli("summary", "80-1024-512-1", "--batch", "32", "--layout", "features-first", "--check", "total=608000, 0.weight=[1024,30], A=[1024,32]");
    expect(r.code).toBe(1);
    expect(r.out).toContain("✗ total=608000; correct: 608,257");
    expect(r.out).toContain("✗ 0.weight=[1024,30]; correct: [1024, 80]");
    expect(r.out).toContain("✓ A=[1024,32]");
    expect(cli("summary", "80-1024-512-1", "--check", "total=608257").code).toBe(0);
  });

  it("checks claimed gradient matrices of --model", () => {
    const values = file("v.json", JSON.stringify({ X: [[1, 2]], y: [1], W1: [[0.1, 0.2], [-0.3, 0.4]], b1: [0, 0.1], W2: [[0.5, -0.5], [0.3, 0.2]], b2: [0, 0] }));
    const r = cli("explain", "--model", "2-2-2", "--values", values, "--check", "db2=[0.1, 0.2]");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ db2 = \[0\.1,0\.2\]; correct: /);
  });
});
