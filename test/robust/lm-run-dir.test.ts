// A language model's run directory after a SIGKILL, as the classifier's (run-dir.test.ts): the next run or
// --resume removes the temporaries that chainrule's atomic writes left (its own files only, of processes that
// are gone), and --resume never takes a temporary file, naming the checkpoint instead.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-lm-run-dir-"));
const words = join(dir, "words.txt");
writeFileSync(words, ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"].join("\n") + "\n");
const RECIPE = ["--data", `text:${words}`, "--model", "bigram", "--seed", "3", "--progress", "none"];
const ckptOf = (out: string) => join(out, "checkpoint.safetensors");
/** The id of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("stale temporaries in a language model's run directory", () => {
  const dead = deadPid();
  const stale = [`.checkpoint.safetensors.${dead}.0123456789ab.tmp`, `.metrics.json.${dead}.abcdefabcdef.tmp`];
  // a live process's (this one's), a user's files, names of another shape, a file the LM run does not write
  const kept = [`.metrics.json.${process.pid}.0123456789ab.tmp`, ".checkpoint.safetensors.tmp", `.notes.txt.${dead}.0123456789ab.tmp`,
    `checkpoint.safetensors.${dead}.0123456789ab.tmp`, `.checkpoint.safetensors.${dead}.0123456789AB.tmp`, "notes.tmp"];
  const plant = (out: string) => { for (const f of [...stale, ...kept]) writeFileSync(join(out, f), "not mine to lose\n"); };
  const left = (out: string) => readdirSync(out).filter((f) => f.includes("tmp")).sort();

  it("a new run and a resumed run remove chainrule's temporaries of dead processes, and nothing else", () => {
    const out = join(dir, "stale");
    mkdirSync(out);
    plant(out);
    const r = cli("train", ...RECIPE, "--epochs", "1", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(left(out)).toEqual([...kept].sort());
    for (const f of kept) expect(readFileSync(join(out, f), "utf8")).toBe("not mine to lose\n");
    plant(out);
    const resumed = cli("train", "--resume", ckptOf(out), "--epochs", "2", "--out", join(dir, "elsewhere"), "--progress", "none");
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain("epochs 2..2 (resuming");
    // the directory of the checkpoint resumed from is cleaned too
    expect(left(out)).toEqual([...kept].sort());
  }, 120_000);

  it("--resume refuses a temporary file, even a complete one, and names the checkpoint to resume from", () => {
    const out = join(dir, "tmp-resume");
    expect(cli("train", ...RECIPE, "--epochs", "1", "--out", out).code).toBe(0);
    const tmp = join(out, `.checkpoint.safetensors.${deadPid()}.0123456789ab.tmp`);
    copyFileSync(ckptOf(out), tmp);
    for (const args of [["--resume", tmp], ["--data", `text:${words}`, "--resume", tmp]]) {
      const r = cli("train", ...args, "--epochs", "2", "--out", join(dir, "never"));
      expect(r.code).toBe(2);
      expect(r.err).toBe(`chainrule: --resume: ${tmp} is the temporary file of an interrupted write, not a checkpoint; resume from ${ckptOf(out)}\n`);
    }
    expect(existsSync(join(dir, "never"))).toBe(false);
  }, 120_000);
});
