import { randomBytes } from "node:crypto";
import { type Stats, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ChainruleError } from "../errors.js";

/**
 * Writes `data` to `path` atomically: it goes to a temporary file `.${basename}.${pid}.${random}.tmp` in the same
 * directory, is fsynced, then renamed over `path`, so readers and crashes see either the old file or the whole new
 * one. The temporary file is removed if anything fails; the parent directory is created if missing.
 *
 * @example
 * writeFileAtomic("runs/model.safetensors", encodeSafetensors(tensors));
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  makeDir(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o644);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, bytes.byteLength - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    throw writeError(path, e);
  }
  syncDir(dir);
}

/** The temporary file name `writeFileAtomic` uses: `[whole, name it stands for, pid]`, or null for any other name. */
export const temporaryOf = (file: string): RegExpExecArray | null => /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(file);

/**
 * Removes from `dir` the temporary files that `writeFileAtomic` left for the files `names` when its process was
 * killed mid-write (`.${name}.${pid}.${hex}.tmp` of a process that is gone, or of this one: it is between writes).
 * Any other file, and a live process's temporary, stays. Returns the names removed.
 */
export function removeStaleTemporaries(dir: string, names: readonly string[]): string[] {
  const gone = (pid: number) => {
    try {
      return pid === process.pid || !process.kill(pid, 0);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  };
  const stale = (f: string, m = temporaryOf(f)) => m !== null && names.includes(m[1]!) && gone(Number(m[2])) && lstatSync(join(dir, f)).isFile();
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    // no directory, or an unreadable one: nothing to remove
  }
  // NOTE: best effort: an entry removed meanwhile, or one this process may not remove, stays out of the list
  return files.filter((f) => {
    try {
      return stale(f) && (unlinkSync(join(dir, f)), true);
    } catch {
      return false;
    }
  });
}

/** A failed write as one clear ChainruleError: the path, the reason, and that the file there was left as it was. */
function writeError(path: string, e: unknown): ChainruleError {
  const err = e as NodeJS.ErrnoException;
  const full = err.code === "ENOSPC" || err.code === "EDQUOT" || err.code === "EFBIG" ? ": the disk is full or the file is over a size limit" : "";
  const reason = err.code ? `${err.code}${full}` : err.message;
  let kept = false;
  try {
    kept = statOrNull(path)?.isFile() ?? false;
  } catch {
    // cannot even stat it: say nothing was written
  }
  return new ChainruleError(`cannot write ${path} (${reason}); ${kept ? "the file there was left as it was" : "nothing was written there"}`);
}

/**
 * Creates directory `dir` and its missing parents, one at a time. Unlike `mkdirSync(dir, { recursive: true })`,
 * which loops forever under /proc on Linux, it fails at once: a ChainruleError naming the path and the reason
 * (an existing file in the way, no permission, a file system that refuses).
 *
 * @example
 * makeDir("runs/2026-01-01"); // creates runs/ too
 */
export function makeDir(dir: string): void {
  const st = statOrNull(dir);
  if (st?.isDirectory()) return;
  if (st) throw new ChainruleError(`${dir} exists and is not a directory`);
  const parent = dirname(dir);
  if (parent !== dir) makeDir(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EEXIST" && statOrNull(dir)?.isDirectory()) return;
    throw new ChainruleError(`cannot create directory ${dir} (${err.code ?? err.message})`);
  }
}

/** The stat of `path`, or null where nothing is (a missing entry, or a file where a directory should be). */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw e;
  }
}

/**
 * Reads a whole file as bytes (a plain Uint8Array that owns its memory, not a Buffer). A missing file throws ChainruleError
 * `${what} not found: <path>`; `what` defaults to "checkpoint".
 *
 * @example
 * const { tensors } = decodeSafetensors(readFileBytes("model.safetensors"), { source: "model.safetensors" });
 */
export function readFileBytes(path: string, what = "checkpoint"): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ChainruleError(`${what} not found: ${path}`);
    if (code === "EISDIR") throw new ChainruleError(`${what} is a directory, not a file: ${path}`);
    throw new ChainruleError(`cannot read ${what} ${path} (${code ?? (e as Error).message})`);
  }
  // small reads come from Buffer's shared pool: copy those so the result owns its (aligned) memory
  return buf.byteOffset === 0 && buf.buffer.byteLength === buf.byteLength ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
}

/** Best effort: persists the rename itself (fails harmlessly where directories cannot be opened, e.g. Windows). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
