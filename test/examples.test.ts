import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Runs an example of examples/ on the built package (dist/), in its short form. */
function example(file: string) {
  const r = spawnSync(process.execPath, [`examples/${file}`], { encoding: "utf8", timeout: 120_000, env: { ...process.env, CHAINRULE_EXAMPLE_TINY: "1" } });
  expect(r.status, r.stderr).toBe(0);
  const epochs = [...r.stdout.matchAll(/^epoch (\d+) {2}loss (\d\.\d{4}) {2}val_loss (\d\.\d{4}) nats\/character/gm)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
  const samples = r.stdout.match(/^samples: (.*)$/m)?.[1].split(", ");
  return { out: r.stdout, epochs, samples };
}

// Uniform guessing over the 27 characters costs ln 27 ≈ 3.2958 nats per character: a trained model is below it.
const UNIFORM = Math.log(27);

describe("the language-model examples run on the built package", () => {
  // parameter counts: MLP 27·10 + (30·200 + 200) + (200·27 + 27); with BatchNorm the first layer has no bias and
  // BatchNorm1d(200) has 400; the 1-layer GPT of width 32: embeddings 27·32 + 16·32, a block 2·64 + (3·32·32 + 96) +
  // (32·32 + 32) + (32·128 + 128) + (128·32 + 32), the final LayerNorm 64 and the head 32·27 + 27
  const cases: [string, number | null, number][] = [
    ["bigram.mjs", null, 1], ["mlp.mjs", 11_897, 1], ["mlp-batchnorm.mjs", 12_097, 1], ["gpt.mjs", 15_035, 2],
  ];
  for (const [file, params, epochs] of cases)
    it(`${file}: prints each epoch's losses below uniform guessing and ten sampled names`, () => {
      const r = example(file);
      if (params !== null) expect(r.out).toContain(`: ${params} parameters`);
      expect(r.epochs.map((e) => e[0])).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
      for (const [, , val] of r.epochs) expect(val).toBeLessThan(UNIFORM);
      if (epochs > 1) expect(r.epochs[1][2]).toBeLessThan(r.epochs[0][2]);
      expect(r.samples).toHaveLength(10);
      for (const w of r.samples!) expect(w).toMatch(/^[a-z]{0,40}$/);
    }, 120_000);
});
