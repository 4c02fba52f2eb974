#!/usr/bin/env node
// Entry of `npm run bench`: installs the benchmark-only peers on first use, builds the library when
// dist/ is missing, runs bench/suites/*.mjs, prints a table per suite and writes bench/results.json.
//
//   npm run bench                      all suites, full repetitions
//   npm run bench -- --quick           fewer repetitions (a smoke run)
//   npm run bench -- --only core       one suite (comma-separate several)
//   npm run bench -- --reps 11         repetitions per measurement (default 7, 3 with --quick)
//   npm run bench -- --build           rebuild dist/ first even if it exists
//   npm run bench -- --out FILE        write the results elsewhere (default bench/results.json)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(benchDir, "..");
const suitesDir = path.join(benchDir, "suites");

// ------------------------------------------------------------------------------------ arguments

function usage(code) {
  const text = readFileSync(fileURLToPath(import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("//   "))
    .map((l) => l.slice(2))
    .join("\n");
  console.log(`usage:\n${text}\n\nsuites: ${listSuites().join(", ")}`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { quick: false, only: null, reps: null, build: false, out: path.join(benchDir, "results.json") };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let val = null;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) [a, val] = [a.slice(0, eq), a.slice(eq + 1)];
    const next = () => {
      if (val !== null) return val;
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--quick": opts.quick = true; break;
      case "--only": opts.only = next().split(",").map((s) => s.trim().replace(/\.mjs$/, "")).filter(Boolean); break;
      case "--reps": {
        const v = next();
        opts.reps = Number(v);
        if (!Number.isInteger(opts.reps) || opts.reps < 1) fail(`--reps: expected a positive integer, found ${v}`);
        break;
      }
      case "--build": opts.build = true; break;
      case "--out": opts.out = path.resolve(next()); break;
      case "-h": case "--help": usage(0); break;
      default: fail(`unknown argument ${a} (try --help)`);
    }
  }
  return opts;
}

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

// ------------------------------------------------------------------------------------ setup

/** npm as the one running this script when started by `npm run`, else the npm on PATH. */
function npm(args, cwd) {
  const execpath = process.env.npm_execpath;
  const viaNode = execpath && /\.[cm]?js$/.test(execpath) && existsSync(execpath);
  const [cmd, argv] = viaNode ? [process.execPath, [execpath, ...args]] : ["npm", args];
  console.error(`bench: running \`npm ${args.join(" ")}\` in ${path.relative(process.cwd(), cwd) || "."}`);
  const r = spawnSync(cmd, argv, { cwd, stdio: "inherit", shell: !viaNode && process.platform === "win32" });
  if (r.error) fail(`npm ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) fail(`npm ${args.join(" ")} failed with exit code ${r.status}`);
}

/** Installs bench/package-lock.json's exact peers when bench/node_modules lacks them (or holds other versions). */
function ensurePeers() {
  const pkg = JSON.parse(readFileSync(path.join(benchDir, "package.json"), "utf8"));
  const missing = Object.entries(pkg.dependencies ?? {}).filter(([name, version]) => {
    const p = path.join(benchDir, "node_modules", ...name.split("/"), "package.json");
    return !existsSync(p) || JSON.parse(readFileSync(p, "utf8")).version !== version;
  });
  if (missing.length === 0) return;
  console.error(`bench: installing benchmark peers (${missing.map(([n, v]) => `${n}@${v}`).join(", ")}) into bench/node_modules`);
  // --prefix pins the install to bench/ even when npm_config_* variables of a parent `npm run` are set.
  // --ignore-scripts: nothing here needs an install script (the peers are pure JS).
  npm(["ci", "--prefix", benchDir, "--ignore-scripts", "--no-audit", "--no-fund"], benchDir);
}

function newestMtime(dir, filter) {
  let newest = { t: 0, file: null };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const n = newestMtime(p, filter);
      if (n.t > newest.t) newest = n;
    } else if (filter(e.name)) {
      const t = statSync(p).mtimeMs;
      if (t > newest.t) newest = { t, file: p };
    }
  }
  return newest;
}

/** Builds dist/ with the root build when it is missing (or when --build); warns when it is older than src/. */
function ensureDist(force) {
  const entry = path.join(rootDir, "dist", "index.js");
  if (!force && existsSync(entry)) {
    const src = path.join(rootDir, "src");
    if (existsSync(src)) {
      const newest = newestMtime(src, (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
      if (newest.t > statSync(entry).mtimeMs)
        console.error(
          `bench: warning: dist/ is older than ${path.relative(rootDir, newest.file)}; measuring the old build (run \`npm run build\` or pass --build)`,
        );
    }
    return;
  }
  if (!existsSync(path.join(rootDir, "node_modules", "typescript", "package.json")))
    fail("dist/ is missing and the root dependencies are not installed: run `npm ci` at the repository root first (it builds dist/ too)");
  npm(["run", "build"], rootDir);
  if (!existsSync(entry)) fail("the build did not produce dist/index.js");
}

function listSuites() {
  if (!existsSync(suitesDir)) return [];
  return readdirSync(suitesDir)
    .filter((f) => f.endsWith(".mjs") && !f.startsWith("_"))
    .map((f) => f.slice(0, -4))
    .sort();
}

// ------------------------------------------------------------------------------------ output

function fmtNum(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  if (a >= 1) return v.toFixed(3);
  return v.toPrecision(3);
}

function fmtRatio(row) {
  if (row.ratio === undefined) return "";
  const better = row.better === "higher" ? row.ratio > 1 : row.ratio < 1;
  return `${row.ratio.toFixed(2)}× ${better ? "(better)" : "(worse)"}`;
}

function printTable(suite, rows, checks) {
  const head = ["metric", "library", "median", "min", "max", "unit", "reps", "chainrule/peer"];
  const body = rows.map((r) => [r.name, r.library, fmtNum(r.median), fmtNum(r.min), fmtNum(r.max), r.unit, String(r.repetitions), fmtRatio(r)]);
  const right = new Set([2, 3, 4, 6]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (right.has(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
  console.log(`\n## ${suite}`);
  console.log(line(head));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const b of body) console.log(line(b));
  if (rows.some((r) => r.ratio !== undefined))
    console.log("ratio = chainrule median / peer median in the metric's unit (µs/op, ms: lower is better; GFLOPS: higher is better)");
  for (const c of checks) console.log(`${c.ok ? "check ok  " : "CHECK FAILED"}  ${c.name}${c.ok ? "" : `  ${JSON.stringify(c.details)}`}`);
}

function gitCommit() {
  try {
    const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd: rootDir, encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const available = listSuites();
  const selected = opts.only ?? available;
  for (const s of selected) if (!available.includes(s)) fail(`no suite "${s}" (available: ${available.join(", ")})`);

  ensurePeers();
  ensureDist(opts.build);

  // Imported only now: the helpers force GC through V8 flags, and the suites import dist/ and the peers.
  const { sampleInterleaved, metric, compare, gc, canGc, now } = await import("./lib/measure.mjs");
  const reps = opts.reps ?? (opts.quick ? 3 : 7);
  const warmup = opts.quick ? 1 : 2;
  const cpus = os.cpus();
  const rootPkg = JSON.parse(readFileSync(path.join(rootDir, "package.json"), "utf8"));
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg(),
    chainrule: { version: rootPkg.version, commit: gitCommit() },
    peers: {},
    options: { quick: opts.quick, reps, warmup, only: opts.only, gcForcedBetweenSamples: canGc },
    suites: {},
  };
  console.log(
    `chainrule ${rootPkg.version} bench — node ${process.version}, ${results.cpu} ×${results.cores}, ` +
      `${opts.quick ? "quick, " : ""}${reps} repetitions (median reported), load ${results.loadavg.map((x) => x.toFixed(2)).join(" ")}`,
  );
  if (!canGc) console.error("bench: warning: cannot force GC between samples; medians will be noisier");

  let failed = 0;
  for (const name of selected) {
    const mod = await import(pathToFileURL(path.join(suitesDir, `${name}.mjs`)).href);
    if (typeof mod.run !== "function") fail(`suite ${name} does not export run(ctx)`);
    const checks = [];
    const ctx = {
      quick: opts.quick,
      reps,
      warmup,
      now,
      gc,
      metric,
      compare,
      progress: (msg) => console.error(`[${name}] ${msg}`),
      check: (checkName, ok, details = {}) => {
        checks.push({ name: checkName, ok: !!ok, details });
        if (!ok) console.error(`[${name}] CHECK FAILED: ${checkName} ${JSON.stringify(details)}`);
      },
      peer: (id, info) => {
        results.peers[id] = info;
      },
      sample: (variants, o = {}) =>
        sampleInterleaved(variants, {
          ...o,
          onRound: (r, n) => {
            const msg = `[${name}]   ${o.label ?? "sample"}: repetition ${r}/${n}`;
            if (process.stderr.isTTY) process.stderr.write(`\r${msg}${r === n ? "\n" : ""}`);
            else if (r === n) console.error(`${msg} done`);
          },
        }),
    };
    const t0 = performance.now();
    const rows = await mod.run(ctx);
    const seconds = (performance.now() - t0) / 1000;
    results.suites[name] = { description: mod.description ?? null, seconds: +seconds.toFixed(1), rows, checks };
    printTable(name, rows, checks);
    console.log(`(${name}: ${seconds.toFixed(1)} s)`);
    failed += checks.filter((c) => !c.ok).length;
  }

  results.loadavgAtEnd = os.loadavg();
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + "\n");
  console.log(`\nresults written to ${path.relative(process.cwd(), opts.out) || opts.out}`);
  if (failed > 0) {
    console.error(`bench: ${failed} correctness check(s) failed`);
    process.exitCode = 1;
  }
}

await main();
