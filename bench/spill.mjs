// Spill write throughput, and replay throughput against jq and a plain JSON.parse loop, on the same files.
// Run: npm run build && node bench/spill.mjs [lines] [runs]   (default 400 000 evicted samples, ~165 MB; 5 runs)
// Readers run interleaved, one round after another, and each keeps its best CPU time (and its best wall time).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { from, lastValueFrom, count } from 'rxjs';
import { replay, spillover } from '../dist/index.js';

// BASELINE=/path/to/an/older/dist/index.js adds that build's replay as one more interleaved reader (before/after).
const baseline = process.env.BASELINE ? await import(process.env.BASELINE) : undefined;

const lines = Number(process.argv[2] ?? 400_000);
const dir = mkdtempSync(join(tmpdir(), 'procstream-bench-'));
const mb = (bytes) => bytes / 1e6;
/** CPU of this process and of the children it reaped (jq), in seconds: the machine is shared, so wall time is noise. */
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  const rest = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (user + system) / 1e6 + (Number(rest[13]) + Number(rest[14])) / 100;
};
const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  const c0 = cpuSeconds();
  const r = await fn();
  return { r, cpu: cpuSeconds() - c0, wall: Number(process.hrtime.bigint() - t0) / 1e9 };
};
const RUNS = Number(process.argv[3] ?? 5);
const units = ['api', 'worker', 'db', 'cache', 'web-frontend'];
const events = Array.from({ length: lines }, (_, i) => {
  const unit = units[i % units.length];
  const ts = 1_795_165_200_000 + i * 200;
  return { type: 'evicted', v: 1, unit, ts: ts + 600_000, reason: 'retention', event: {
    type: 'sample', v: 1, unit, ts, pid: 4000 + (i % 5), startTimeMs: 1_795_160_000_000, cpuPercent: Math.round(Math.random() * 40000) / 100,
    cpuUserSeconds: Math.round(i * 1.3) / 100, cpuSystemSeconds: Math.round(i * 0.4) / 100, /* clock ticks / 100, as /proc gives them */ rssBytes: 100_000_000 + (i % 1000) * 4096,
    ioReadBytes: i * 4096, ioWriteBytes: i * 8192, missing: { net: 'no per-process counters on Linux' } } }; // the sample as the store keeps it
});

try {
  const spill = (into, fsync) => time(() => lastValueFrom(from(events).pipe(
    spillover({ dir: into, maxBytes: 2 ** 31, segmentBytes: 4 * 2 ** 20, maxQueue: lines + 1, fsync })), { defaultValue: null }));
  const writeNever = await spill(join(dir, 'never'), 'never');
  rmSync(join(dir, 'never'), { recursive: true });
  const write = await spill(dir, 'rotate');
  const files = readdirSync(dir).sort().map((n) => join(dir, n));
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);

  const readers = [
    ['replay, evicted lines as written (`unwrap: false`)', lines, () => lastValueFrom(replay(dir, { unwrap: false }).pipe(count()))],
    ['replay, unwrapped (default)', lines, () => lastValueFrom(replay(dir).pipe(count()))],
    ["replay `unit: 'db'` (1 unit of 5; other lines skipped unparsed), MB/s of all files", lines / units.length,
      () => lastValueFrom(replay(dir, { unit: 'db' }).pipe(count()))],
    ...(baseline ? [['replay, unwrapped, baseline build (`BASELINE`)', lines, () => lastValueFrom(baseline.replay(dir).pipe(count()))]] : []),
    ['plain loop: readFileSync + gunzipSync + split + JSON.parse per line', lines, () => {
      let n = 0;
      for (const f of files) for (const line of gunzipSync(readFileSync(f)).toString('utf8').split('\n')) if (line) { JSON.parse(line); n++; }
      return n;
    }],
    ['`zcat | jq -c . > /dev/null` (CPU of zcat, jq and sh)', lines, () => { execFileSync('/bin/sh', ['-c', `zcat "$@" | /usr/bin/jq -c . > /dev/null`, 'sh', ...files]); return lines; }],
  ];
  const best = readers.map(() => ({ cpu: Infinity, wall: Infinity }));
  const loads = [];
  for (let run = 0; run < RUNS; run++) {
    loads.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
    for (const [i, [what, expected, fn]] of readers.entries()) {
      if (what.startsWith('`zcat') && run > 0) continue; // jq takes ~15 s a run: one is enough for a 5-10x gap
      const t = await time(fn);
      if (t.r !== expected) throw new Error(`${what}: ${t.r} lines, expected ${expected}`);
      best[i] = { cpu: Math.min(best[i].cpu, t.cpu), wall: Math.min(best[i].wall, t.wall) };
    }
  }
  const loop = best[readers.findIndex(([what]) => what.startsWith('plain loop'))].cpu;
  const row = (what, n, t, ratio = true) => `| ${what} | ${n.toLocaleString('en')} | ${t.cpu.toFixed(3)} | ${mb(bytes / t.cpu).toFixed(1)} | ` +
    `${t.wall.toFixed(3)} | ${mb(bytes / t.wall).toFixed(1)} | ${ratio ? (loop / t.cpu).toFixed(2) : ''} |`;

  console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}; ${lines.toLocaleString('en')} lines, ` +
    `${mb(bytes).toFixed(1)} MB in ${files.length} segments; best of ${RUNS} interleaved runs; load average at each round ${loads.join(', ')}`);
  console.log('| what | lines | CPU s | MB/s by CPU | wall s | MB/s by wall | × plain loop (CPU) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(row('spillover write, `fsync: never` (serialize + queue + write)', lines, writeNever, false));
  console.log(row('spillover write, `fsync: rotate` (default), 4 MiB segments', lines, write, false));
  for (const [i, [what, n]] of readers.entries()) console.log(row(what, n, best[i]));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
