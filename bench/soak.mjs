// Soak (issue 7 item 1): the whole pipeline at 10 Hz over 2,000 sleep processes that keep starting and dying, with
// spillover and the Prometheus exporter on, for a set time; records heap, RSS, open fds and tick lag every second and
// checks that they stay flat and that no row is lost. Run with `npm run soak` (builds first) or
// `node bench/soak.mjs [--minutes 10] [--units 200] [--copies 10] [--retention-s 10] [--keep]`; SOAK_MINUTES also
// sets the duration. Prints a JSON summary on stdout, progress on stderr, writes bench/out/soak-<date>.svg and
// a copy to docs/soak.svg (not with --no-docs), and exits 1 when a criterion fails. See BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Subject } from 'rxjs';
import { prometheus, replay, watchUnits } from '../dist/index.js';
import { soakSvg } from './_soak-svg.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: {
  minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '10' },
  units: { type: 'string', default: '200' },
  copies: { type: 'string', default: '10' },
  'retention-s': { type: 'string', default: '10' },
  keep: { type: 'boolean', default: false },
  'no-docs': { type: 'boolean', default: false },
} });
const MINUTES = Number(args.minutes);
const UNITS = Number(args.units);
const COPIES = Number(args.copies);
const RETENTION_MS = Number(args['retention-s']) * 1000;
const INTERVAL_MS = 100;
const RUN_MS = MINUTES * 60_000;
const WARMUP = 0.2; // share of the run left out of every criterion
const LIMITS = { flatPct: 5, lagP99Ms: 50 };
const log = (msg) => process.stderr.write(`soak: ${msg}\n`);
// The heap criterion measures what stays alive: heapUsed right after a forced full collection. Without it, heapUsed
// is a GC sawtooth whose level moves with when V8 chose to collect (a 2-minute run once read −6.9 % on a flat heap).
// Enabled here rather than by a node flag, so every way of starting the soak measures the same thing. A collection
// takes ~20 ms here, so it runs every 5 s and only where the tick just handled left room before the next deadline.
const LIVE_HEAP_EVERY_MS = 5_000;
const GC_ROOM_MS = 50; // at most this long after a tick's sampling began, i.e. ≥ 50 ms before the next deadline
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');

// --- fixture: symlinks to sleep named <prefix>-<i>, one comm unit each, kept alive by _soak-fixture.mjs ---
const work = mkdtempSync(join(tmpdir(), 'procstream-soak-'));
const binDir = join(work, 'bin');
const spillDir = join(work, 'spill');
mkdirSync(binDir);
const prefix = `sk${process.pid.toString(36).slice(-4)}`; // comm ≤ 15 bytes, and distinct from a parallel soak's
const sleepBin = ['/usr/bin/sleep', '/bin/sleep'].find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
for (let u = 0; u < UNITS; u++) symlinkSync(sleepBin, join(binDir, `${prefix}-${u}`));
const unitsFile = join(work, 'units.json');
writeFileSync(unitsFile, JSON.stringify({ units: Array.from({ length: UNITS }, (_, u) => ({ unit: `u${String(u).padStart(3, '0')}`, comm: `${prefix}-${u}` })) }));

const fixture = spawn(process.execPath, [join(here, '_soak-fixture.mjs'), binDir, prefix, String(UNITS), String(COPIES)], {
  detached: true, stdio: ['pipe', 'pipe', 'inherit'],
});
let fixtureCounts = { alive: 0, started: 0, exited: 0, spawnErrors: 0, generations: 0 };
createInterface({ input: fixture.stdout }).on('line', (line) => { try { fixtureCounts = JSON.parse(line); } catch { /* partial line at exit */ } });
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  try { process.kill(-fixture.pid, 'SIGKILL'); } catch { /* already gone */ }
  if (!args.keep) rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { cleanup(); process.exit(130); });

// --- the pipeline under test ---
const spillBytesOnDisk = () => readdirSync(spillDir).reduce((sum, name) => sum + statSync(join(spillDir, name)).size, 0);
const stop$ = new Subject(); // stopping ends the ticks, so the pipeline completes: summaries out, spill flushed
const { events$, store } = watchUnits({
  until: stop$,
  targets: { unitsFile }, intervalMs: INTERVAL_MS, retentionMs: RETENTION_MS, summaryEveryMs: 10_000,
  // big enough that no segment is ever deleted: about 2.3× the ~430 bytes an evicted line takes
  spill: { dir: spillDir, events: 'evicted', segmentBytes: 4 << 20, maxBytes: Math.max(64 << 20, UNITS * (1000 / INTERVAL_MS) * (RUN_MS / 1000) * 1000) },
});
const exporter = prometheus({ port: 0, spillDir });

const c = { lastTickProcesses: 0, tickProcesses: 0, samples: 0, downs: 0, evicted: 0, evictedBytes: 0, buckets: 0, bucketObservations: 0, summaries: 0, restarts: 0, other: 0, ticks: 0 };
const problems = new Map(); // "dropped spill queue-full" → count
const note = (key, n) => problems.set(key, (problems.get(key) ?? 0) + n);
// Preallocated, so that the recording itself does not grow the heap it measures.
const MAX_TICKS = Math.ceil(RUN_MS / INTERVAL_MS) + 1000;
const tickAt = new Float64Array(MAX_TICKS); // ts of each tick, ms since tStart
const lagOf = new Float64Array(MAX_TICKS); // its lag behind its first unserved deadline (the tick event's lagMs)
let nLags = 0;
let lastTickTs;
const sampleSecs = new Float64Array(MAX_TICKS);
let nSampleSecs = 0;

const cpuAtStart = process.cpuUsage();
const tStart = Date.now();
let completed;
const finished = new Promise((resolve) => { completed = resolve; });
events$.pipe(exporter).subscribe({
  complete() { completed(); },
  next(e) {
    switch (e.type) {
      case 'sample': c.samples++; break;
      case 'unit-down': c.downs++; break;
      case 'evicted': c.evicted++; c.evictedBytes += Buffer.byteLength(JSON.stringify(e)) + 1; return;
      // A bucket that left the store (retention, budget): the observations of rows that folded into it as they aged.
      case 'bucket': c.buckets++; c.bucketObservations += e.samples; c.evictedBytes += Buffer.byteLength(JSON.stringify(e)) + 1; return;
      case 'summary': c.summaries++; return;
      case 'unit-restarted': c.restarts++; return;
      case 'dropped': note(`dropped ${e.source} ${e.reason}`, e.count); return;
      case 'error': note(`error ${e.source} ${e.code}`, 1); return;
      case 'tick': // after its round's rows: how late the round started and how long its sampling took
        if (nLags < MAX_TICKS) lagOf[nLags++] = e.lagMs;
        if (nSampleSecs < MAX_TICKS) sampleSecs[nSampleSecs++] = e.samplingMs / 1000;
        return;
      default: c.other++; return;
    }
    if (e.ts !== lastTickTs) {
      // A new tick: one sampler call stamps all its rows alike.
      lastTickTs = e.ts;
      c.lastTickProcesses = c.tickProcesses;
      c.tickProcesses = 0;
      if (c.ticks < MAX_TICKS) tickAt[c.ticks] = e.ts - tStart;
      c.ticks++;
      if (rowWanted) { rowWanted = false; const tickTs = e.ts; setImmediate(() => { inFlight = record(tickTs); }); }
    }
    if (e.type === 'sample') c.tickProcesses += e.processes;
  },
  error(error) { log(`pipeline failed: ${error.stack ?? error}`); cleanup(); process.exit(2); },
});
const endpoint = await exporter.listening();
log(`${UNITS} units × ${COPIES} sleep copies, ${INTERVAL_MS} ms ticks, ${MINUTES} min, /metrics at ${endpoint.url}, work dir ${work}`);

// --- once a second: memory, fds, a scrape ---
// The 1 Hz rows, in preallocated columns: a row object a second, with its boxed numbers, was part of the ~1.6 MB an
// hour a 30-minute run's live heap climbed, the recording measuring itself. The rows become objects after the run.
const ROW_FIELDS = ['t', 'cpuPct', 'heapMB', 'liveHeapMB', 'rssMB', 'fds', 'alive', 'scrapeMs', 'upLines', 'processes'];
const MAX_ROWS = Math.ceil(RUN_MS / 1000) + 60;
const columns = Object.fromEntries(ROW_FIELDS.map((field) => [field, new Float64Array(MAX_ROWS)]));
let nRows = 0;
const scrapes = { ok: 0, failed: 0, lastError: undefined, unitsUp: [] };
async function scrape() {
  const start = performance.now();
  try {
    const res = await fetch(endpoint.url);
    const body = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    scrapes.ok++;
    return { scrapeMs: performance.now() - start, upLines: body.split('\n').filter((l) => l.startsWith('procstream_unit_up{')).length };
  } catch (error) {
    scrapes.failed++;
    scrapes.lastError = String(error.message ?? error);
    return { scrapeMs: NaN, upLines: NaN };
  }
}
let cpuBefore = process.cpuUsage();
let wallBefore = performance.now();
let inFlight = Promise.resolve();
// Once a second the recorder asks for a row; the row is taken just after the next tick has been handled (see the
// `next` handler), so the forced collection falls in the slack before the following deadline, not across it.
let rowWanted = false;
const recorder = setInterval(() => { rowWanted = true; }, 1000);
const gcMs = [];
let lastGcAt = -Infinity;
let gcPostponed = 0;
async function record(tickTs) {
  const { heapUsed, rss } = process.memoryUsage();
  let liveHeapMB = NaN;
  if (performance.now() - lastGcAt >= LIVE_HEAP_EVERY_MS) {
    if (Date.now() - tickTs <= GC_ROOM_MS) {
      lastGcAt = performance.now();
      collectGarbage();
      gcMs.push(performance.now() - lastGcAt);
      liveHeapMB = process.memoryUsage().heapUsed / 2 ** 20;
    } else {
      gcPostponed++; // tried again with the next row
    }
  }
  const fds = readdirSync('/proc/self/fd').length - 1; // less the fd of the listing itself
  const t = (Date.now() - tStart) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now();
  const cpuPct = (100 * (cpu.user + cpu.system)) / 1000 / (wall - wallBefore);
  cpuBefore = process.cpuUsage();
  wallBefore = wall;
  if (nRows === MAX_ROWS) return;
  const k = nRows++;
  columns.t[k] = t;
  columns.cpuPct[k] = cpuPct;
  columns.heapMB[k] = heapUsed / 2 ** 20;
  columns.liveHeapMB[k] = liveHeapMB;
  columns.rssMB[k] = rss / 2 ** 20;
  columns.fds[k] = fds;
  columns.alive[k] = fixtureCounts.alive;
  columns.processes[k] = c.lastTickProcesses;
  const { scrapeMs, upLines } = await scrape();
  columns.scrapeMs[k] = scrapeMs;
  columns.upLines[k] = upLines;
  if (nRows % 30 === 0) {
    log(`${t.toFixed(0)} s: heap ${columns.heapMB[k].toFixed(1)} MB, rss ${columns.rssMB[k].toFixed(1)} MB, fds ${fds}, cpu ${cpuPct.toFixed(0)} %, ticks ${c.ticks}, ` +
      `samples ${c.samples}, evicted ${c.evicted}, processes ${c.lastTickProcesses}, load ${loadavg()[0].toFixed(2)}`);
  }
}

await new Promise((r) => setTimeout(r, RUN_MS));
clearInterval(recorder);
const cpuRun = process.cpuUsage(cpuAtStart);
await inFlight; // a scrape still running when the server closes would fail for nothing
const series = Array.from({ length: nRows }, (_, k) => Object.fromEntries(ROW_FIELDS.map((field) => [field, columns[field][k]])));

// --- stop gracefully: the ticks end, the spill writes what it has queued and completes, then the stream completes ---
const stopStart = Date.now();
stop$.next();
await finished;
// With tiers (the default) rows older than the current minute are held folded into buckets: count observations.
const rowsInStore = store.units().reduce((sum, u) => sum + store.observations(u), 0);
try { process.kill(-fixture.pid, 'SIGKILL'); } catch { /* gone */ }

let spilledLines = 0;
let spilledBuckets = 0;
let spillOtherLines = 0;
await new Promise((resolve, reject) => replay(spillDir, { unwrap: false }).subscribe({
  next(e) { if (e.type === 'evicted') spilledLines++; else if (e.type === 'bucket') spilledBuckets++; else { spillOtherLines++; note(`replay ${e.type} ${e.reason ?? ''}`, e.count ?? 1); } },
  error: reject, complete: resolve,
}));
const spillFiles = readdirSync(spillDir).length;
const spillBytes = spillBytesOnDisk();

// --- criteria ---
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN; };
const runS = RUN_MS / 1000;
// Change of the median of `key` from the second quarter of the run to the last.
const flat = (key) => {
  const of = (a, b) => median(series.filter((r) => r.t >= a * runS && r.t < b * runS).map((r) => r[key]));
  const q2 = of(0.25, 0.5);
  const q4 = of(0.75, 1.01);
  const changePct = (100 * (q4 - q2)) / q2;
  return { q2: +q2.toFixed(2), q4: +q4.toFixed(2), changePct: +changePct.toFixed(2), pass: Math.abs(changePct) <= LIMITS.flatPct };
};
const allLags = Array.from(lagOf.subarray(0, nLags));
const lagAfter = allLags.filter((_, k) => tickAt[k] >= WARMUP * RUN_MS);
let tick = 0;
for (const row of series) { // the graph's lag: the largest of the ticks up to each 1 Hz row
  let max = NaN;
  for (; tick < nLags && tickAt[tick] <= row.t * 1000; tick++) max = Number.isNaN(max) ? allLags[tick] : Math.max(max, allLags[tick]);
  row.lagMaxMs = max;
}
const secs = Array.from(sampleSecs.subarray(0, nSampleSecs));
const spillDropped = [...problems].filter(([k]) => k.startsWith('dropped spill')).reduce((s, [, n]) => s + n, 0);
const rowsIn = c.samples + c.downs;
const heap = flat('liveHeapMB');
const heapUsedAnyTime = flat('heapMB');
const fds = flat('fds');
const rss = flat('rssMB');
const lagP99 = quantile(lagAfter, 0.99);
const criteria = {
  heapFlat: { ...heap, limitPct: LIMITS.flatPct, definition: 'heapUsed just after a forced full GC (every 5 s, just after a tick): median over 75–100 % of the run vs over 25–50 %, |change| ≤ 5 %' },
  fdsFlat: { ...fds, limitPct: LIMITS.flatPct, definition: 'median count of /proc/self/fd (1 Hz) over 75–100 % of the run vs 25–50 %, |change| ≤ 5 %' },
  tickLagP99: { valueMs: lagP99, limitMs: LIMITS.lagP99Ms, pass: nLags === Math.min(c.ticks, MAX_TICKS) && lagP99 < LIMITS.lagP99Ms,
    definition: 'per tick, the start of its sampling − the first deadline not yet served (lagMs of the tick events), so deadlines skipped while the loop was busy count in full; p99 over ticks after warm-up' },
  noRowLost: { rowsIn, rowsInStore, evicted: c.evicted, bucketObservations: c.bucketObservations, pass: rowsIn === rowsInStore + c.evicted + c.bucketObservations,
    definition: 'sample + unit-down events emitted = observations in the store at the end (rows and buckets) + evicted events emitted + observations of bucket events emitted' },
  noEvictionLost: { evicted: c.evicted, buckets: c.buckets, spilledLines, spilledBuckets, spillDropped,
    unaccounted: c.evicted + c.buckets - spilledLines - spilledBuckets - spillDropped, pass: c.evicted + c.buckets === spilledLines + spilledBuckets + spillDropped,
    definition: 'evicted and bucket events emitted = evicted and bucket lines replayed from the spill directory + counts of spill dropped events' },
  scrapes: { ok: scrapes.ok, failed: scrapes.failed, lastError: scrapes.lastError, pass: scrapes.failed === 0 && scrapes.ok > 0 },
};
const failed = Object.entries(criteria).filter(([, v]) => !v.pass).map(([k]) => k);
const summary = {
  pass: failed.length === 0, failed,
  config: { minutes: MINUTES, units: UNITS, copies: COPIES, intervalMs: INTERVAL_MS, retentionMs: RETENTION_MS, warmupShare: WARMUP },
  machine: { nproc: availableParallelism(), cpu: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1], node: process.version, loadavgAtEnd: loadavg().map((l) => +l.toFixed(2)) },
  criteria,
  rss,
  heapUsedAnyTime,
  forcedGcMs: { count: gcMs.length, postponed: gcPostponed, p50: +quantile(gcMs, 0.5).toFixed(2), max: +Math.max(...gcMs).toFixed(2), note: 'the full collection every 5 s that measures the live heap; it runs in this process, so its time is in the CPU and lag figures' },
  tickLag: { ticks: c.ticks, lagsReported: nLags, missedDeadlines: problems.get('dropped interval overlap') ?? 0, p50Ms: quantile(lagAfter, 0.5), p99Ms: lagP99, maxMs: Math.max(...lagAfter), allTicksP99Ms: quantile(allLags, 0.99) },
  sampleSeconds: { p50: quantile(secs, 0.5), p99: quantile(secs, 0.99), max: Math.max(...secs) },
  counts: { ...c, problems: Object.fromEntries(problems), spillFiles, spillBytes, spillOtherLines, stopWaitMs: Date.now() - stopStart },
  cpu: { percentOfOneCoreMedian: median(series.map((r) => r.cpuPct)), msPerTick: +((cpuRun.user + cpuRun.system) / 1000 / c.ticks).toFixed(1),
    note: 'this process (sampling, store, spill, exporter, scrapes, recording), user + system' },
  processesMeasured: { median: median(series.map((r) => r.processes)), max: Math.max(...series.map((r) => r.processes)) },
  fixture: { ...fixtureCounts, aliveMedian: median(series.map((r) => r.alive)), aliveMin: Math.min(...series.slice(5).map((r) => r.alive)), aliveMax: Math.max(...series.map((r) => r.alive)) },
  scrapeMs: { p50: quantile(series.map((r) => r.scrapeMs).filter(Number.isFinite), 0.5), max: Math.max(...series.map((r) => r.scrapeMs).filter(Number.isFinite)), unitsUpLinesLast: series.at(-1)?.upLines },
};

// --- graph ---
const date = new Date().toISOString().slice(0, 16).replace(':', '');
const svg = soakSvg({
  title: `procstream soak: ${UNITS} units × ${COPIES} churning processes, 10 Hz, spill + /metrics, ${MINUTES} min`,
  subtitle: `${new Date().toISOString().slice(0, 16)}Z, nproc ${summary.machine.nproc}, ${summary.machine.cpu}, node ${process.version}, load ${summary.machine.loadavgAtEnd[0]}; ${summary.pass ? 'PASS' : `FAIL: ${failed.join(', ')}`}`,
  t: series.map((r) => r.t), warmupS: WARMUP * runS, quarters: [[0.25 * runS, 0.5 * runS], [0.75 * runS, runS]],
  panels: [
    { label: 'MiB', series: [{ name: 'heap used', values: series.map((r) => r.heapMB) }, { name: 'heap after full GC', values: series.map((r) => r.liveHeapMB) }, { name: 'RSS', values: series.map((r) => r.rssMB) }] },
    { label: 'open fds', series: [{ name: '/proc/self/fd', values: series.map((r) => r.fds) }] },
    { label: 'ms', series: [{ name: 'tick lag, max/s', values: series.map((r) => r.lagMaxMs) }] },
  ],
});
mkdirSync(join(here, 'out'), { recursive: true });
const svgPath = join(here, 'out', `soak-${date}.svg`);
writeFileSync(svgPath, svg);
writeFileSync(svgPath.replace(/\.svg$/, '.json'), JSON.stringify({ summary, series }));
if (!args['no-docs']) copyFileSync(svgPath, join(here, '..', 'docs', 'soak.svg'));
summary.svg = svgPath;

cleanup();
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
for (const name of failed) log(`FAIL ${name}: ${JSON.stringify(criteria[name])}`);
log(summary.pass ? 'PASS' : `FAIL (${failed.join(', ')})`);
process.exitCode = summary.pass ? 0 : 1;
