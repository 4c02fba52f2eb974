#!/usr/bin/env node
// Entry of `npm run bench`: installs the benchmark-only peers on first use, builds the library when
// dist/ is missing, runs bench/suites/*.mjs (each interleaves chainrule and its peers round by
// round, medians after warm-up), prints a table per suite with the chainrule/peer ratios, and writes
// bench/results.json and bench/README-table.md (the markdown tables of every suite in results.json:
// a run of some suites replaces those suites and keeps the others).
//
//   npm run bench                      all suites, full repetitions
//   npm run bench -- --quick           fewer repetitions (a smoke run)
//   npm run bench -- --only core       one suite (comma-separate several)
//   npm run bench -- --reps 11         repetitions per measurement (default 7, 3 with --quick)
//   npm run bench -- --build           rebuild dist/ first even if it exists
//   npm run bench -- --out FILE        write the results elsewhere (default bench/results.json)
//   npm run bench -- --backend NAME    run chainrule on another registered backend (setBackend(NAME))
//   npm run bench -- --fresh           do not keep the other suites of an earlier results file
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";

// As the chainrule command does: relaxed SIMD on Node 20/21 (behind a flag there) for every library
// measured in this process, before any WASM is compiled; BENCH_RELAXED_SIMD=0 measures without it.
if (Number(process.versions.node.split(".")[0]) < 22 && process.env.BENCH_RELAXED_SIMD !== "0") setFlagsFromString("--experimental-wasm-relaxed-simd");

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
  const opts = { quick: false, only: null, reps: null, build: false, out: path.join(benchDir, "results.json"), backend: null, fresh: false };
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
      case "--backend": opts.backend = next(); break;
      case "--fresh": opts.fresh = true; break;
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
  // --ignore-scripts: nothing here needs an install script (the peers are JS and prebuilt .wasm).
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

function printTable(suite, rows, checks, consoleTable) {
  console.log(`\n## ${suite}`);
  console.log(consoleTable(rows));
  if (rows.some((r) => r.library !== "chainrule"))
    console.log("ratios = chainrule median / peer median in the metric's unit (GFLOPS, samples/s, %: above 1 is better; ms, µs/op, s: below 1 is better)");
  const ok = checks.filter((c) => c.ok);
  if (ok.length > 8) console.log(`check ok      ${ok.length} checks (listed in results.json)`);
  else for (const c of ok) console.log(`check ok      ${c.name}`);
  for (const c of checks) if (!c.ok) console.log(`CHECK FAILED  ${c.name}  ${JSON.stringify(c.details)}`);
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
  const { consoleTable, readmeTables, annotateRatios } = await import("./lib/table.mjs");
  if (opts.backend) {
    const cr = await import(pathToFileURL(path.join(rootDir, "dist", "index.js")).href);
    cr.setBackend(opts.backend);
  }
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
    options: { quick: opts.quick, reps, warmup, only: opts.only, backend: opts.backend, gcForcedBetweenSamples: canGc },
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
    const notes = [];
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
      note: (text) => {
        if (!notes.includes(text)) notes.push(text);
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
    const date = new Date().toISOString();
    const loadavg = os.loadavg().map((x) => +x.toFixed(2));
    const rows = await mod.run(ctx);
    const seconds = (performance.now() - t0) / 1000;
    annotateRatios(rows);
    results.suites[name] = { description: mod.description ?? null, date, loadavg, quick: opts.quick, seconds: +seconds.toFixed(1), rows, checks, notes };
    printTable(name, rows, checks, consoleTable);
    for (const n of notes) console.log(`note: ${n}`);
    console.log(`(${name}: ${seconds.toFixed(1)} s)`);
    failed += checks.filter((c) => !c.ok).length;
  }

  results.loadavgAtEnd = os.loadavg();
  // A run of some suites keeps the other suites (and their peers' descriptions) of the last results.
  if (!opts.fresh && existsSync(opts.out)) {
    try {
      const prev = JSON.parse(readFileSync(opts.out, "utf8"));
      for (const [k, v] of Object.entries(prev.suites ?? {})) if (!(k in results.suites)) results.suites[k] = { ...v, date: v.date ?? prev.date };
      results.peers = { ...(prev.peers ?? {}), ...results.peers };
      const order = listSuites();
      results.suites = Object.fromEntries(Object.entries(results.suites).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
    } catch {
      /* an unreadable earlier file is replaced */
    }
  }
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + "\n");
  console.log(`\nresults written to ${path.relative(process.cwd(), opts.out) || opts.out}`);
  const tablePath = path.join(path.dirname(opts.out), opts.out === path.join(benchDir, "results.json") ? "README-table.md" : `${path.basename(opts.out, ".json")}-table.md`);
  writeFileSync(tablePath, readmeTables(results));
  console.log(`markdown tables written to ${path.relative(process.cwd(), tablePath) || tablePath}`);
  if (failed > 0) {
    console.error(`bench: ${failed} correctness check(s) failed`);
    process.exitCode = 1;
  }
}

await main();
// The PyTorch child (and the peers' handles) must not keep the process alive.
process.exit(process.exitCode ?? 0);
