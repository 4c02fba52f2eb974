// A run directory after a SIGKILL: the temporaries of interrupted atomic writes are removed by the next run in it
// (only chainrule's own, of processes that are gone), --resume never takes one, and a run killed after its last
// checkpoint but before its final evaluation is finished by --resume (evaluated and written, not retrained).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint, decodeSafetensors, encodeSafetensors } from "../../src/index.js";
import { cli, writePointsCsv } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-run-dir-"));
const csv = join(dir, "points.csv");
writePointsCsv(csv, 100);
const RECIPE = ["--data", `csv:${csv}`, "--model", "2-8-2", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--seed", "4", "--progress", "none"];
const ckptOf = (out: string) => join(out, "checkpoint.safetensors");
const load = (out: string) => decodeCheckpoint(new Uint8Array(readFileSync(ckptOf(out))));
const metricsOf = (out: string) => JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
const weights = (out: string) => Object.fromEntries(Object.entries(load(out).state).map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
/** The id of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("stale temporaries in a run directory", () => {
  const dead = deadPid();
  const stale = [`.checkpoint.safetensors.${dead}.0123456789ab.tmp`, `.metrics.json.${dead}.abcdefabcdef.tmp`, `.curves.svg.${dead}.000000000000.tmp`];
  // a live process's (this one's), a user's files, names of another shape, and a directory of the right name
  const kept = [`.curves.svg.${process.pid}.0123456789ab.tmp`, ".checkpoint.safetensors.tmp", `.notes.txt.${dead}.0123456789ab.tmp`,
    `checkpoint.safetensors.${dead}.0123456789ab.tmp`, `.checkpoint.safetensors.${dead}.0123456789ab.tmp.bak`, `.metrics.json.${dead}.0123456789AB.tmp`, "notes.tmp"];
  const plant = (out: string) => {
    for (const f of [...stale, ...kept]) writeFileSync(join(out, f), "not mine to lose\n");
    mkdirSync(join(out, `.metrics.json.${dead}.fedcba987654.tmp`), { recursive: true });
  };
  const left = (out: string) => readdirSync(out).filter((f) => f.includes("tmp")).sort();
  const expected = [...kept, `.metrics.json.${dead}.fedcba987654.tmp`].sort();

  it("a new run and a resumed run remove chainrule's temporaries of dead processes, and nothing else", () => {
    const out = join(dir, "stale");
    mkdirSync(out);
    plant(out);
    const r = cli("train", ...RECIPE, "--epochs", "1", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(left(out)).toEqual(expected);
    for (const f of kept) expect(readFileSync(join(out, f), "utf8")).toBe("not mine to lose\n");
    plant(out);
    const resumed = cli("train", "--resume", ckptOf(out), "--epochs", "2", "--out", join(dir, "elsewhere"), "--progress", "none");
    expect(resumed.code, resumed.err).toBe(0);
    // the directory of the checkpoint resumed from is cleaned too
    expect(left(out)).toEqual(expected);
  });

  it("--resume refuses a temporary file, even a complete one, and names the checkpoint to resume from", () => {
    const out = join(dir, "tmp-resume");
    expect(cli("train", ...RECIPE, "--epochs", "1", "--out", out).code).toBe(0);
    const tmp = join(out, `.checkpoint.safetensors.${deadPid()}.0123456789ab.tmp`);
    copyFileSync(ckptOf(out), tmp);
    const r = cli("train", "--resume", tmp, "--epochs", "2", "--out", join(dir, "never"));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`chainrule: --resume: ${tmp} is the temporary file of an interrupted write, not a checkpoint; resume from ${ckptOf(out)}\n`);
    expect(existsSync(join(dir, "never"))).toBe(false);
  });
});

describe("a run killed after its last checkpoint, before its final evaluation", () => {
  it("--resume runs the final evaluation and writes what the uninterrupted run wrote, without training again", () => {
    const ref = join(dir, "reference"), out = join(dir, "killed");
    const full = cli("train", ...RECIPE, "--epochs", "2", "--out", ref, "--json");
    expect(full.code, full.err).toBe(0);
    const refResult = JSON.parse(full.out);
    // the state on disk then: the checkpoint of epoch 2 as written at the end of the epoch, without test results
    // (metrics.json and curves.svg may be missing or an epoch behind: here they are missing)
    mkdirSync(out);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(ckptOf(ref))));
    const { test, ...training } = JSON.parse(metadata["chainrule.training"]!);
    expect(test).toEqual({ accuracy: refResult.testAccuracy, loss: refResult.testLoss });
    writeFileSync(ckptOf(out), encodeSafetensors(tensors as never, { ...metadata, "chainrule.training": JSON.stringify(training) }));
    const r = cli("train", "--resume", ckptOf(out), "--out", out, "--progress", "none", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/, epochs 2 of 2 done \(finishing \S+checkpoint\.safetensors: the final evaluation\), seed 4 → /);
    const result = JSON.parse(r.out);
    for (const k of ["testAccuracy", "testLoss", "history", "epochs", "model", "lr"]) expect(result[k], k).toEqual(refResult[k]);
    const metrics = metricsOf(out), refMetrics = metricsOf(ref);
    for (const k of ["testAccuracy", "testLoss", "history"]) expect(metrics[k], k).toEqual(refMetrics[k]);
    expect(readFileSync(join(out, "curves.svg"), "utf8")).toBe(readFileSync(join(ref, "curves.svg"), "utf8"));
    expect(weights(out)).toEqual(weights(ref));
    expect(load(out).training).toEqual(load(ref).training);
    // now finished: a further --resume has nothing to do
    const again = cli("train", "--resume", ckptOf(out), "--out", out, "--progress", "none");
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/^chainrule train: nothing to do: \S+ has trained 2 of 2 epochs/);
    rmSync(out, { recursive: true });
  });
});
