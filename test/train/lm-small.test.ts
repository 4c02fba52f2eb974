// A language model trained on too few words to hold any out: the run ends with its training loss, not a crash.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../cli/helpers.js";

describe("train --data text:<file> with no validation words", () => {
  it("reports the training loss and samples, and says there was nothing to validate on", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-lm-small-"));
    writeFileSync(join(dir, "w.txt"), "emma\nolivia\nava\nmia\n");
    // 10% of 4 words rounds to 0 held out
    const r = cli("train", "--data", `text:${join(dir, "w.txt")}`, "--model", "bigram", "--epochs", "1", "--out", join(dir, "run"), "--progress", "lines");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("(4 train words, 0 validation, 8 characters)");
    expect(r.err).toMatch(/epoch 1\/1 {2}loss \d\.\d{4} {2}val_loss - /);
    expect(r.out).toMatch(/^no validation words \(train \d\.\d{4}\); samples: /);
  }, 60_000);
});
