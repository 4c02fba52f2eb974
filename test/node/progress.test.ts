import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressBar } from "../../src/node/progress.js";

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (c, _, done) => void (chunks.push(String(c)), done()) }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120 });
  return { stream, text: () => chunks.splice(0).join("") };
}

const batch = { epoch: 0, epochs: 3, step: 1, steps: 10, loss: 1.5, accuracy: 0.5, samplesPerSecond: 100, eta: 4 };

describe("progressBar on a terminal", () => {
  it("hides the cursor and turns line wrap off while it draws, and end() (as on Ctrl-C) turns both back on", () => {
    const t = terminal();
    const bar = progressBar(t.stream);
    bar.batch!(batch);
    const drawn = t.text();
    expect(drawn).toContain("\x1b[?25l");
    expect(drawn).toContain("\x1b[?7l");
    expect(drawn).toContain("epoch 1/3");
    bar.end!();
    const after = t.text();
    expect(after).toContain("\x1b[?25h");
    expect(after).toContain("\x1b[?7h");
    bar.end!();
    expect(t.text()).toBe("");
  });
});
