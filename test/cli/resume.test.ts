import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint } from "../../src/index.js";
import { cli, start, writeIdxDigits } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-resume-"));
const data = join(dir, "mnist");
writeIdxDigits(data);
const checkpoint = (run: string) => decodeCheckpoint(new Uint8Array(readFileSync(join(run, "checkpoint.safetensors"))));

describe("train --resume continues the run with the checkpoint's settings", () => {
  const run = join(dir, "adam");
  const first = () => cli("train", "--data", `idx:${data}`, "--model", "784-16-10", "--optimizer", "adam", "--lr", "0.001", "--batch-size", "32",
    "--schedule", "step", "--seed", "3", "--val-split", "0.1", "--epochs", "1", "--out", run, "--progress", "lines");

  it("keeps an idx: data source, an Adam optimizer and its learning rate, the model and the validation split", () => {
    expect(first().code).toBe(0);
    const saved = checkpoint(run).training!.settings as Record<string, unknown>;
    expect(saved).toMatchObject({ data: `idx:${data}`, optimizer: "adam", lr: 0.001, batchSize: 32, schedule: "step", seed: 3, valSplit: 0.1, epochs: 1, modelName: "784-16-10" });
    const r = cli("train", "--resume", join(run, "checkpoint.safetensors"), "--epochs", "2", "--out", run, "--progress", "lines", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(new RegExp(`^chainrule train: idx:${data} \\(600 train, 150 test, validating on 10% of train drawn at random\\), model 784-16-10, adam lr 0\\.0001, batch 32, epochs 2\\.\\.2 \\(resuming `));
    // the step schedule (step size 1, gamma 0.1) took lr 0.001 to 0.0001 after epoch 1: that is the lr shown and used
    expect(r.err).toMatch(/epoch 2\/2 .*val_loss \d\.\d{4}.*lr 0\.000100 /);
    const result = JSON.parse(r.out);
    expect(result.history).toHaveLength(2);
    expect(result.history[1].valLoss).toBeGreaterThan(0);
    expect(result.data).toBe(`idx:${data}`);
    expect(checkpoint(run).training!.settings).toMatchObject({ optimizer: "adam", lr: 0.001, epochs: 2, valSplit: 0.1, scheduleOptions: { stepSize: 1, gamma: 0.1, tMax: 1 } });
  });

  it("continues exactly: 1 epoch then --resume to 2 gives the losses and weights of 2 epochs straight", () => {
    const common = ["--data", `idx:${data}`, "--model", "784-16-10", "--optimizer", "adam", "--lr", "0.001", "--progress", "none"];
    expect(cli("train", ...common, "--epochs", "2", "--out", join(dir, "straight")).code).toBe(0);
    expect(cli("train", ...common, "--epochs", "1", "--out", join(dir, "halves")).code).toBe(0);
    expect(cli("train", "--resume", join(dir, "halves", "checkpoint.safetensors"), "--epochs", "2", "--out", join(dir, "halves"), "--progress", "none").code).toBe(0);
    const [a, b] = [checkpoint(join(dir, "straight")), checkpoint(join(dir, "halves"))];
    const losses = (c: typeof a) => (c.training!.history as { loss: number }[]).map((h) => h.loss);
    expect(losses(b)).toEqual(losses(a));
    expect(Array.from(b.state["2.weight"].data)).toEqual(Array.from(a.state["2.weight"].data));
  });

  it("refuses flags that conflict with the run, naming both values", () => {
    const ckpt = join(run, "checkpoint.safetensors");
    const conflicts: [string[], string][] = [
      [["--model", "784-32-10"], "--model 784-32-10 conflicts with the run in " + ckpt + ", which has model 784-16-10"],
      [["--optimizer", "sgd"], '--optimizer "sgd" conflicts with the run in ' + ckpt + ', which has optimizer "adam"'],
      [["--lr", "0.1"], "--lr 0.1 conflicts with the run in " + ckpt + ", which has lr 0.001"],
      [["--data", "digits"], `--data "digits" conflicts with the run in ${ckpt}, which has data "idx:${data}"`],
      [["--val-split", "0.2"], "--val-split 0.2 conflicts with the run in " + ckpt + ", which has valSplit 0.1"],
      [["--batch-size", "64"], "--batch-size 64 conflicts"],
    ];
    for (const [flags, message] of conflicts) {
      const r = cli("train", "--resume", ckpt, "--epochs", "5", ...flags, "--out", join(dir, "never"));
      expect(r.code, flags.join(" ")).toBe(2);
      expect(r.err).toContain(`chainrule: --resume: ${message}`);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(join(dir, "never"))).toBe(false);
    expect(cli("train", "--resume", ckpt, "--lr", "0.001", "--epochs", "3", "--out", join(dir, "same"), "--progress", "none").code).toBe(0);
  });

  it("says there is nothing to do when --epochs is not above the epochs done (exit 0, nothing written)", () => {
    const ckpt = join(run, "checkpoint.safetensors");
    for (const epochs of [[], ["--epochs", "2"], ["--epochs", "1"]]) {
      const r = cli("train", "--resume", ckpt, ...epochs, "--out", join(dir, "nothing"));
      expect(r.code).toBe(0);
      expect(r.out).toBe("");
      expect(r.err).toMatch(new RegExp(`^chainrule train: nothing to do: ${ckpt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has trained 2 of [12] epochs; pass --epochs N with N > 2 to train further\n$`));
    }
    expect(existsSync(join(dir, "nothing"))).toBe(false);
  });
});

describe("Ctrl-C during training", () => {
  it("stops, says where the last checkpoint is and how to resume, and exits 130", async () => {
    const run = join(dir, "interrupted");
    const { child, done } = start("train", "--data", `idx:${data}`, "--model", "784-16-10", "--batch-size", "8", "--epochs", "200", "--out", run, "--progress", "lines");
    const ckpt = join(run, "checkpoint.safetensors");
    while (!existsSync(ckpt) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    const r = await done;
    expect(r.code, r.err).toBe(130);
    const m = r.err.match(/chainrule train: interrupted in epoch (\d+)\/200; the last checkpoint is (\S+) \((\d+) of 200 epochs\); resume with: (chainrule train --resume \S+ --out \S+)\n$/);
    expect(m, r.err).not.toBeNull();
    expect(m![2]).toBe(ckpt);
    expect(Number(m![1])).toBe(Number(m![3]) + 1);
    expect(m![4]).toBe(`chainrule train --resume ${ckpt} --out ${run}`);
    expect(r.out).toBe("");
    const done2 = checkpoint(run).training!.history as unknown[];
    expect(done2).toHaveLength(Number(m![3]));
    const resumed = cli(...m![4].split(" ").slice(1), "--epochs", String(done2.length + 1), "--progress", "none", "--json");
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out).history).toHaveLength(done2.length + 1);
  }, 60_000);

  it("before the first checkpoint, says that none was written", async () => {
    // one sample per step over the 8,004 digits: the first epoch takes seconds
    const { child, done, stderr } = start("train", "--model", "784-16-10", "--batch-size", "1", "--epochs", "3", "--out", join(dir, "early"), "--progress", "lines");
    while (!stderr().includes("chainrule train: digits") && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGINT");
    const r = await done;
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/\nchainrule train: interrupted in epoch 1\/3; no checkpoint was written\n$/);
    expect(existsSync(join(dir, "early", "checkpoint.safetensors"))).toBe(false);
  }, 60_000);
});

describe("a loss that becomes NaN stops the run", () => {
  it("with exit code 1, the epoch and step, a hint, and the last good checkpoint untouched", () => {
    const run = join(dir, "nan");
    const r = cli("train", "--data", `idx:${data}`, "--model", "784-16-10", "--lr", "1e9", "--epochs", "2", "--out", run, "--progress", "none");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^chainrule: fit: the loss became NaN at epoch 1\/2, step \d+\/10 \(lr 1000000000\); training stopped before the weights were updated with it: try a smaller learning rate; no checkpoint was written\n$/m);
    expect(existsSync(join(run, "checkpoint.safetensors"))).toBe(false);
  });
});
