// The restart rebuild over the store's retention: a log of UNITS units × HOURS hours at 1 Hz (event time), written
// through the real spill path (spillover, events 'log', 256 KiB segments, the sink's clock = event time) with and
// without compaction (default ages: raw 6 h, then 1-minute buckets), then a restarted store rebuilt from it, this
// build against another (default: main's, built in a temporary directory), interleaved, each run in a fresh node
// process. Reports per build: CPU and wall of the rebuild, segments and bytes read, and the horizon each unit's summary
// covers (`firstTs`) with its observations against what the log holds within the 12 h retention. A second part starts a
// restarted `watchUnits({ spill })` on the same log and reports when its first live sample and its first summary came
// (this build samples beside the rebuild; main's first tick waits for it) and the worst tick lag meanwhile.
// Run: npm run build && node bench/rebuild.mjs [units=100] [hours=12] [otherBuildDir|main] [runs=2] [rawAgeHours]
// (rawAgeHours: compaction's rawAgeMs for the compacted log, default the sink's 6 h; only that log is then measured).
// Logs are kept in $TMPDIR/procstream-bench-rebuild-logs/ between runs (writing 100 units × 12 h takes ~1–2 minutes).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncScheduler, lastValueFrom, Subject, toArray } from 'rxjs';

const here = new URL('..', import.meta.url).pathname;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const cpuSeconds = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
const RETENTION_MS = 12 * 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

/** One second of `units` samples shaped like /proc samples (CPU and RSS moving, IO growing) and its tick. */
function* secondOf(units, s, state) {
  const ts = T0 + s * 1_000;
  for (let u = 0; u < units; u++) {
    const st = state[u];
    st.seed = (st.seed * 69_069 + 1) % 4_294_967_296;
    const r = st.seed / 4_294_967_296;
    const cpu = Math.round((u % 10 === 0 ? 60 : u % 4 === 0 ? 6 : 0.8) * r * 1000) / 1000;
    st.user += cpu / 100;
    if (r > 0.8) st.rss += r > 0.9 ? 8192 : -8192;
    if (r > 0.6) st.io += 4096;
    yield { type: 'sample', v: 1, unit: `unit-${u}`, ts, pid: 2000 + u, startTimeMs: T0 - 3_600_000, cpuPercent: cpu,
      cpuUserSeconds: Math.round(st.user * 100) / 100, cpuSystemSeconds: Math.round(st.user * 20) / 100, rssBytes: st.rss,
      ioReadBytes: st.io, ioWriteBytes: st.io * 2, netRxBytes: null, netTxBytes: null, netScope: null,
      hostCpuPercent: Math.round(cpu * 500) / 1000, processes: 1, threads: 2, missing: { net: 'no per-process counters on Linux' } };
  }
  yield { type: 'tick', v: 1, unit: '*', ts: ts + 2, deadlineMs: ts, lagMs: 2, samplingMs: 1.5, missed: 0, units, processes: units };
}

/** Writes the log through spillover at event time (the writer paced to keep up, as live), unless already there. */
async function writeLog(dist, dir, units, hours, compaction) {
  if (existsSync(join(dir, 'done'))) return;
  rmSync(dir, { recursive: true, force: true });
  const { spillover } = await import(join(dist, 'index.js'));
  let now = T0;
  const clock = Object.assign(Object.create(asyncScheduler), { now: () => now });
  const input = new Subject();
  let fed = 0;
  let written = 0;
  const out = lastValueFrom(input.pipe(spillover({ dir, events: 'log', scheduler: clock, compaction, onWritten: (n) => { written += n; } }), toArray()));
  const state = Array.from({ length: units }, (_, u) => ({ seed: u + 7, user: 0, rss: (30 + u) * 1_048_576, io: 0 }));
  for (let s = 0; s < hours * 3_600; s++) {
    now = T0 + s * 1_000;
    for (const e of secondOf(units, s, state)) { input.next(e); fed++; }
    while (fed - written > 5_000) await sleep(0);
  }
  input.complete();
  const problems = await out;
  if (problems.length > 0) console.log(`log ${dir}: ${problems.length} problem events while writing`, problems.slice(0, 3));
  writeFileSync(join(dir, 'done'), '');
}

/** Child: rebuild a store from `dir` with `dist`'s logTail, as watchUnits does at T0 + hours (`maxBytes` of disk). */
async function measureRebuild(dist, dir, hours, maxBytes) {
  const { logTail } = await import(join(dist, 'sources/log-tail.js'));
  const { createWindowStore } = await import(join(dist, 'store/create-window-store.js'));
  const now = T0 + hours * 3_600_000;
  const clock = Object.assign(Object.create(asyncScheduler), { now: () => now });
  const store = createWindowStore({ retentionMs: RETENTION_MS, scheduler: clock });
  let read = 0;
  const emit = () => undefined;
  const c0 = cpuSeconds();
  const w0 = performance.now();
  await new Promise((resolve, reject) => logTail(dir, { sinceMs: now - RETENTION_MS, maxDiskBytes: maxBytes }).subscribe({
    next: (e) => { read++; store.ingest(e, emit); }, error: reject, complete: resolve }));
  const cpu = cpuSeconds() - c0;
  const wall = (performance.now() - w0) / 1000;
  const hoursCovered = [];
  let observations = 0;
  for (const unit of store.units()) {
    const s = store.summary(unit, { now });
    if (s?.firstTs != null) hoursCovered.push((now - s.firstTs) / 3_600_000);
    observations += store.observations(unit);
  }
  hoursCovered.sort((a, b) => a - b);
  return { cpu, wall, read, units: store.units().length, observations, bytesUsed: store.bytesUsed(),
    minH: hoursCovered[0] ?? 0, medianH: hoursCovered[hoursCovered.length >> 1] ?? 0 };
}

/** Child: a restarted watchUnits on `dir` (the clock set to the log's end): when its first sample and summary came. */
async function measureRestart(dist, dir, hours, seconds) {
  const { watchUnits } = await import(join(dist, 'index.js'));
  const offset = T0 + hours * 3_600_000 - Date.now();
  const clock = Object.assign(Object.create(asyncScheduler), { now: () => Date.now() + offset });
  const w0 = performance.now();
  const at = { sample: null, summary: null, maxLagMs: 0, ticks: 0 };
  await new Promise((resolve, reject) => watchUnits({ targets: [{ unit: 'bench', pid: process.pid }], intervalMs: 1_000,
    summaryEveryMs: 1_000, durationMs: seconds * 1_000, scheduler: clock, spill: { dir, maxBytes: 1 << 30, compaction: false } })
    .events$.subscribe({
      next: (e) => {
        const t = (performance.now() - w0) / 1000;
        if (e.type === 'sample' && at.sample === null) at.sample = t;
        if (e.type === 'summary' && at.summary === null) at.summary = t;
        if (e.type === 'tick') { at.ticks++; at.maxLagMs = Math.max(at.maxLagMs, e.lagMs); }
      },
      error: reject, complete: resolve,
    }));
  return at;
}

/** main's build, from git, in a temporary directory (node_modules linked from this checkout). */
function mainBuild() {
  const dir = join(tmpdir(), `procstream-bench-rebuild-main-${execFileSync('git', ['-C', here, 'rev-parse', '--short', 'main']).toString().trim()}`);
  if (!existsSync(join(dir, 'dist', 'index.js'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git -C '${here}' archive main | tar -x -C '${dir}'`]);
    symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'));
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'inherit' });
  }
  return join(dir, 'dist');
}

const child = (args) => {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
};

if (process.argv[2] === '--rebuild') {
  console.log(JSON.stringify(await measureRebuild(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]))));
} else if (process.argv[2] === '--restart') {
  console.log(JSON.stringify(await measureRestart(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]))));
} else {
  const units = Number(process.argv[2] ?? 100);
  const hours = Number(process.argv[3] ?? 12);
  const other = process.argv[4] ?? 'main';
  const runs = Number(process.argv[5] ?? 2);
  const rawAgeH = process.argv[6] === undefined ? undefined : Number(process.argv[6]);
  const mine = join(here, 'dist');
  const theirs = other === 'main' ? mainBuild() : join(other, 'dist');
  const logs = join(tmpdir(), 'procstream-bench-rebuild-logs');
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const { DEFAULT_REBUILD_MAX_BYTES } = await import(join(mine, 'watch-units.js'));
  const MiB = 1_048_576;
  console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}; load average ${load()}`);
  console.log(`log: ${units} units × ${hours} h at 1 Hz (${(units * hours * 3600 / 1e6).toFixed(2)} M samples); retention 12 h; this build's rebuild budget ${DEFAULT_REBUILD_MAX_BYTES / MiB} MiB, main's 10 MiB (maxMemoryBytes)`);
  const variants = rawAgeH === undefined ? [false, undefined] : [{ rawAgeMs: rawAgeH * 3_600_000 }];
  for (const compaction of variants) {
    const name = `${units}u-${hours}h-${compaction === false ? 'raw' : `compacted${rawAgeH === undefined ? '' : `-raw${rawAgeH}h`}`}`;
    const dir = join(logs, name);
    const w0 = performance.now();
    await writeLog(mine, dir, units, hours, compaction);
    const bytes = readdirSync(dir).filter((n) => n.startsWith('procstream-')).reduce((s, n) => s + statSync(join(dir, n)).size, 0);
    const inRetention = units * Math.min(hours * 3_600, RETENTION_MS / 1000);
    console.log(`\n### ${name}: ${(bytes / MiB).toFixed(1)} MiB on disk, ${readdirSync(dir).length - 1} segments (written or reused in ${((performance.now() - w0) / 1000).toFixed(0)} s); load ${load()}`);
    console.log('| build | budget | rebuild CPU s | wall s | events read | observations rebuilt | of the log\'s in 12 h | hours covered per unit (min / median) | store bytes |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const rows = [];
    for (let run = 0; run < runs; run++) {
      for (const [label, dist, budget] of [['main', theirs, 10 * MiB], ['this', mine, DEFAULT_REBUILD_MAX_BYTES]]) {
        const r = child(['--rebuild', dist, dir, String(hours), String(budget)]);
        rows.push([label, r]);
        console.log(`| ${label} | ${budget / MiB} MiB | ${r.cpu.toFixed(2)} | ${r.wall.toFixed(2)} | ${r.read} | ${r.observations} | ${(100 * r.observations / inRetention).toFixed(1)} % | ${r.minH.toFixed(2)} / ${r.medianH.toFixed(2)} | ${r.bytesUsed} |`);
      }
    }
    console.log('\nrestarted watchUnits on this log (10 s, 1 s ticks, summaries every 1 s): seconds from subscribe to the first live sample / first summary, worst tick lag');
    for (const [label, dist] of [['main', theirs], ['this', mine]]) {
      const copy = join(logs, `${name}-restart`); // the restart writes into its log: a copy keeps the kept log as written
      rmSync(copy, { recursive: true, force: true });
      execFileSync('cp', ['-a', dir, copy]);
      const r = child(['--restart', dist, copy, String(hours), '10']);
      rmSync(copy, { recursive: true, force: true });
      console.log(`${label}: first sample ${r.sample?.toFixed(2)} s, first summary ${r.summary?.toFixed(2)} s, ticks ${r.ticks}, worst lag ${r.maxLagMs.toFixed(0)} ms`);
    }
  }
  console.log(`\nload at the end ${load()}`);
}
