import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChainruleError } from "../../src/errors.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { makeDir, readFileBytes, writeFileAtomic } from "../../src/node/fs.js";

const failures = vi.hoisted(() => ({ fsync: false }));
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return {
    ...actual,
    fsyncSync: (fd: number) => {
      if (failures.fsync) throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
      return actual.fsyncSync(fd);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chainrule-fs-"));
});
afterEach(() => {
  failures.fsync = false;
  rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("writes bytes and strings, creating parent directories, and leaves no temp file", () => {
    const path = join(dir, "a", "b", "model.safetensors");
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    writeFileAtomic(join(dir, "note.txt"), "héllo");
    expect(readFileSync(join(dir, "note.txt"), "utf8")).toBe("héllo");
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["model.safetensors"]);
    expect(readdirSync(dir).sort()).toEqual(["a", "note.txt"]);
  });

  it("replaces existing content, longer or shorter", () => {
    const path = join(dir, "ckpt.bin");
    writeFileSync(path, "old content that is long");
    writeFileAtomic(path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
    const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
    writeFileAtomic(path, big.subarray(10));
    expect(readFileSync(path).equals(Buffer.from(big.subarray(10)))).toBe(true);
    expect(readdirSync(dir)).toEqual(["ckpt.bin"]);
  });

  it("keeps the old file and removes the temp file when writing throws", () => {
    const path = join(dir, "ckpt.bin");
    writeFileSync(path, "old");
    const bad = new Proxy(new Uint8Array(4), {}) as Uint8Array; // not a real view: writeSync rejects it
    expect(() => writeFileAtomic(path, bad)).toThrow();
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["ckpt.bin"]);
  });

  it("keeps the old file and removes the temp file when fsync fails", () => {
    const path = join(dir, "ckpt.bin");
    writeFileSync(path, "old");
    failures.fsync = true;
    expect(() => writeFileAtomic(path, "new")).toThrow("EIO");
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["ckpt.bin"]);
  });

  it("removes the temp file when the rename fails", () => {
    const path = join(dir, "taken");
    mkdirSync(path);
    writeFileSync(join(path, "inside"), "x");
    expect(() => writeFileAtomic(path, "data")).toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readdirSync(path)).toEqual(["inside"]);
  });
});

describe("readFileBytes", () => {
  it("returns a plain Uint8Array that owns its memory", () => {
    const path = join(dir, "small.bin");
    writeFileSync(path, new Uint8Array([5, 6, 7]));
    const bytes = readFileBytes(path);
    expect(Buffer.isBuffer(bytes)).toBe(false);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(3);
    expect([...bytes]).toEqual([5, 6, 7]);
  });

  it("says clearly when the file is missing or a directory", () => {
    const missing = join(dir, "nope.safetensors");
    expect(() => readFileBytes(missing)).toThrow(ChainruleError);
    expect(() => readFileBytes(missing)).toThrow(`checkpoint not found: ${missing}`);
    expect(() => readFileBytes(missing, "dataset")).toThrow(`dataset not found: ${missing}`);
    expect(() => readFileBytes(dir)).toThrow(ChainruleError);
  });

  it("round-trips a safetensors checkpoint through the disk", () => {
    const path = join(dir, "runs", "model.safetensors");
    writeFileAtomic(path, encodeSafetensors({ "0.weight": { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { epoch: "3" }));
    const { tensors, metadata } = decodeSafetensors(readFileBytes(path), { source: path });
    expect(metadata).toEqual({ epoch: "3" });
    expect(tensors["0.weight"]).toEqual({ dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
  });
});

describe("makeDir", () => {
  it("creates missing parents and accepts an existing directory", () => {
    makeDir(join(dir, "a", "b", "c"));
    makeDir(join(dir, "a", "b", "c"));
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["c"]);
  });

  it("fails at once, naming the path, where mkdir -p would hang (/proc) or a file is in the way", () => {
    if (process.platform === "linux") {
      expect(() => makeDir("/proc/nope/deeper")).toThrow("cannot create directory /proc/nope (ENOENT)");
      expect(() => writeFileAtomic("/proc/nope/x.txt", "x")).toThrow(ChainruleError);
    }
    writeFileSync(join(dir, "file.txt"), "x");
    expect(() => makeDir(join(dir, "file.txt"))).toThrow(`${join(dir, "file.txt")} exists and is not a directory`);
    expect(() => makeDir(join(dir, "file.txt", "sub"))).toThrow(`${join(dir, "file.txt")} exists and is not a directory`);
  });
});

describe("saveCheckpoint and loadCsv check their options", () => {
  it("names an unknown option", async () => {
    const { saveCheckpoint, loadCsv } = await import("../../src/node/index.js");
    const { nn } = await import("../../src/index.js");
    expect(() => saveCheckpoint(join(dir, "m.safetensors"), new nn.Linear(1, 1), { optimiser: null } as never)).toThrow('saveCheckpoint: unknown option "optimiser" (did you mean "optimizer"?)');
    writeFileSync(join(dir, "a.csv"), "a,label\n1,0\n");
    expect(() => loadCsv(join(dir, "a.csv"), { source: "x" } as never)).toThrow('loadCsv: unknown option "source"');
    expect(loadCsv(join(dir, "a.csv"), { label: "label" }).n).toBe(1);
  });
});
