// Replays every input that once broke a fuzz rule (test/fuzz/regressions/*.json): each must now
// return or throw one of the library's errors, in bounded time.
import { describe, expect, it } from "vitest";
import { cliVerdict, makeFixtures, runCli } from "./cli-run.js";
import { fromStored, loadRegressions } from "./harness.js";
import { TARGETS } from "./targets.js";

const cases = loadRegressions();

describe("fuzz regressions", () => {
  it("has stored cases, each naming a known target", () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(c.target === "cli" || Object.hasOwn(TARGETS, c.target), c.target).toBe(true);
  });
  it.each(cases.filter((c) => c.target !== "cli").map((c, i) => [`${c.target} #${i}: ${c.note ?? ""}`.slice(0, 160), c] as const))("%s", (_, c) => {
    const v = TARGETS[c.target](fromStored(c));
    expect(v.ok, v.outcome).toBe(true);
  });
  it("the CLI command lines", async () => {
    const { dir } = makeFixtures();
    for (const c of cases.filter((c) => c.target === "cli")) {
      const argv = (fromStored(c) as string[]).map((a) => a.split("$DIR").join(dir));
      const r = await runCli(dir, argv, 30_000);
      expect(cliVerdict(r), `chainrule ${argv.join(" ")}\n${r.err}`).toBeNull();
    }
  }, 120_000);
});
