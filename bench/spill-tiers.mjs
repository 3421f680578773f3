// The tiered log on disk (issue 13, part 3): a synthetic recording of UNITS units at 1 Hz over DAYS days of event
// time, written through the real spill path (spillover, events 'log', default 256 MiB budget and 256 KiB segments,
// the sink's clock = event time), once with compaction (default ages) and once without. Reports the bytes on disk
// against the budget, how much time the log covers (oldest to newest event replayed), and the CPU time of the run;
// compaction's CPU is the difference between the two runs (same input, same writes).
// Run: npm run build && node bench/spill-tiers.mjs [units=100] [days=7] [rawAgeHours] [minuteAgeHours] [only]
// The default (100 units × 7 days, both runs) is ~60 M samples a run: 10–15 minutes of CPU each on a 2-core EPYC.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncScheduler, lastValueFrom, Subject, toArray } from 'rxjs';
import { replay, spillover } from '../dist/index.js';
import { DEFAULT_SPILL_MAX_BYTES } from '../dist/sinks/spillover.js';
import { parseLogSegmentName } from '../dist/formats/log-segments.js';

const units = Number(process.argv[2] ?? 100);
const days = Number(process.argv[3] ?? 7);
// Compaction ages, hours (default: the sink's defaults); the run without compaction is skipped with `only`.
const rawAgeH = process.argv[4] ? Number(process.argv[4]) : undefined;
const minuteAgeH = process.argv[5] ? Number(process.argv[5]) : undefined;
const only = process.argv[6] === 'only';
// BENCH_KEEP=1 keeps the recorded directories (their path is printed last), to look at them with the CLI.
const keep = process.env.BENCH_KEEP === '1';
const compactionOptions = { ...(rawAgeH === undefined ? {} : { rawAgeMs: rawAgeH * 3_600_000 }),
  ...(minuteAgeH === undefined ? {} : { minuteAgeMs: minuteAgeH * 3_600_000 }) };
const root = mkdtempSync(join(tmpdir(), 'procstream-bench-tiers-'));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const cpuSeconds = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 10, 1);
console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}; load average ${load()}`);
console.log(`input: ${units} units × ${days} days at 1 Hz = ${(units * days * 86_400 / 1e6).toFixed(2)} M samples + a tick a second`);

/** One second of the recording: samples shaped like /proc samples (values that move as real ones do), and a tick. */
function* second(s, state) {
  const ts = T0 + s * 1_000;
  for (let u = 0; u < units; u++) {
    const st = state[u];
    st.seed = (st.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const r = st.seed / 2_147_483_648;
    const busy = u % 10 === 0 ? 40 : u % 3 === 0 ? 5 : 0.5;
    const cpu = Math.round(busy * r * 2 * 1000) / 1000;
    st.user += cpu / 100;
    if (r > 0.7) st.rss += r > 0.85 ? 4096 : -4096;
    if (r > 0.5) st.read += 4096 * Math.floor(r * 8);
    if (r > 0.3) st.write += 512 * Math.floor(r * 16);
    yield { type: 'sample', v: 1, unit: `svc-${u}`, ts, pid: 1000 + u, startTimeMs: T0 - 86_400_000, cpuPercent: cpu,
      cpuUserSeconds: Math.round(st.user * 100) / 100, cpuSystemSeconds: Math.round(st.user * 10) / 100, rssBytes: st.rss,
      ioReadBytes: st.read, ioWriteBytes: st.write, netRxBytes: null, netTxBytes: null, netScope: null,
      hostCpuPercent: Math.round((cpu / 2) * 1000) / 1000, processes: 1, threads: 1 + (u % 7),
      missing: { net: 'no per-process counters on Linux' } };
  }
  yield { type: 'tick', v: 1, unit: '*', ts: ts + 3, deadlineMs: ts, lagMs: 3, samplingMs: 2 + (s % 17) / 7, missed: 0,
    units, processes: units };
}

async function record(dir, compaction) {
  let now = T0;
  const clock = Object.assign(Object.create(asyncScheduler), { now: () => now });
  const input = new Subject();
  let fed = 0;
  let written = 0;
  const onWritten = (n) => { written += n; };
  const out = lastValueFrom(input.pipe(spillover({ dir, events: 'log', scheduler: clock, compaction, onWritten }), toArray()));
  const state = Array.from({ length: units }, (_, u) => ({ seed: u + 1, user: 0, rss: (20 + u) * MiB, read: 0, write: 0 }));
  const seconds = days * 86_400;
  const cpu0 = cpuSeconds();
  const wall0 = performance.now();
  // How long a sampling tick could have waited: the event loop's longest stall while the log is written (and compacted).
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  for (let s = 0; s < seconds; s++) {
    now = T0 + s * 1_000;
    for (const e of second(s, state)) { input.next(e); fed++; }
    // As a live pipeline's sink sees it: the writer keeps up, a few thousand lines behind at most (never dropping).
    while (fed - written > 5_000) await sleep(0);
  }
  input.complete();
  const problems = await out;
  delay.disable();
  return { cpu: cpuSeconds() - cpu0, wallS: (performance.now() - wall0) / 1000, problems,
    stallMs: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } };
}

async function covered(dir) {
  let first = Infinity;
  let last = -Infinity;
  let samples = 0;
  const seen = replay(dir);
  await new Promise((resolve, reject) => seen.subscribe({
    next: (e) => {
      if (e.type === 'sample') samples++;
      else if (e.type === 'bucket') samples += e.samples;
      else return;
      const ts = e.type === 'bucket' ? e.firstTs : e.ts;
      if (ts < first) first = ts;
      if (ts > last) last = ts;
    },
    error: reject, complete: resolve,
  }));
  return { hours: (last - first) / 3_600_000, samples };
}

const kinds = (dir) => {
  const by = { raw: 0, '1-minute': 0, '15-minute': 0 };
  for (const n of readdirSync(dir)) {
    const w = parseLogSegmentName(n)?.widthMs;
    if (w === undefined) continue;
    by[w === 0 ? 'raw' : w === 60_000 ? '1-minute' : '15-minute'] += statSync(join(dir, n)).size;
  }
  return by;
};

try {
  console.log('\n| run | CPU s | wall s | event-loop stall p99 / max | bytes on disk | of the 256 MiB budget | raw / 1-min / 15-min bytes | time covered | observations covered | problem events |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
  const results = {};
  const runs = [['without compaction', false], ['with compaction', compactionOptions]];
  for (const [name, compaction] of only ? runs.slice(1) : runs) {
    const dir = join(root, name.replace(/ /g, '-'));
    const r = await record(dir, compaction);
    const k = kinds(dir);
    const bytes = k.raw + k['1-minute'] + k['15-minute'];
    const c = await covered(dir);
    // What a user sees of it: `procstream inspect` drawing the whole recording from the log (the first unit).
    const t = performance.now();
    const cli = new URL('../dist/cli/bin.js', import.meta.url).pathname;
    const drawn = execFileSync(process.execPath, [cli, 'inspect', 'svc-0', '--from', dir, '--window', `${days}d`],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    results[name] = { ...r, k, drawn, drawnS: (performance.now() - t) / 1000 };
    console.log(`| ${name} | ${r.cpu.toFixed(1)} | ${r.wallS.toFixed(1)} | ${r.stallMs.p99.toFixed(0)} / ${r.stallMs.max.toFixed(0)} ms | ${bytes} | ${(100 * bytes / DEFAULT_SPILL_MAX_BYTES).toFixed(1)} % | ${(k.raw / MiB).toFixed(1)} / ${(k['1-minute'] / MiB).toFixed(1)} / ${(k['15-minute'] / MiB).toFixed(1)} MiB | ${c.hours.toFixed(1)} h | ${c.samples} | ${r.problems.length} |`);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, { k, problems, drawn, drawnS }] of Object.entries(results)) {
    console.log(`${name}: bytes raw ${k.raw}, 1-minute ${k['1-minute']}, 15-minute ${k['15-minute']}`);
    console.log(`  procstream inspect svc-0 --from DIR --window ${days}d (${drawnS.toFixed(1)} s wall):\n${drawn.replace(/^/gm, '    ')}`);
    // What the problem events were, by kind (a few distinct messages each), so a run that lost data says why.
    const kinds = new Map();
    for (const e of problems) {
      const key = `${e.type} ${e.source ?? ''} ${e.reason ?? e.code ?? ''}`;
      const seen = kinds.get(key) ?? { events: 0, count: 0, messages: new Set() };
      seen.events++;
      seen.count += e.count ?? 1;
      if (seen.messages.size < 3 && e.message) seen.messages.add(String(e.message).slice(0, 200));
      kinds.set(key, seen);
    }
    for (const [key, { events, count, messages }] of kinds) console.log(`  ${key}: ${events} events, count ${count}${messages.size ? `; ${[...messages].join(' | ')}` : ''}`);
  }
  const on = results['with compaction'].cpu;
  const off = results['without compaction']?.cpu ?? NaN;
  console.log(`\ncompaction CPU ≈ ${(on - off).toFixed(1)} s (${(on / off).toFixed(2)}× the run without it) for ${days} days of ${units} units; load ${load()}`);
} finally {
  if (keep) console.log(`kept: ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
