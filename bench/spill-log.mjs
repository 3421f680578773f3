// The event log (issue 12): bytes on disk per recorded sample of a whole-machine recording, the time to rebuild a
// full 10 MiB window on restart, and the cost of one rotation with 10 vs 10,000 segments in the directory.
// Run: npm run build && node bench/spill-log.mjs [recordSeconds=60] [extraProcesses=300]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, from, lastValueFrom } from 'rxjs';
import { replay, spillover, watchUnits } from '../dist/index.js';
import { SegmentDir } from '../dist/sinks/segment-dir.js';
import { segmentName } from '../dist/formats/segment-names.js';

const recordSeconds = Number(process.argv[2] ?? 60);
const extra = Number(process.argv[3] ?? 300);
const root = mkdtempSync(join(tmpdir(), 'procstream-bench-log-'));
const bin = new URL('../dist/cli/bin.js', import.meta.url).pathname;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const cpuSeconds = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
const userSeconds = () => process.cpuUsage().user / 1e6;
const dirBytes = (dir) => readdirSync(dir).reduce((s, n) => s + statSync(join(dir, n)).size, 0);
console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}; load average ${load()}`);

// 1. Whole machine: every process, one unit per command name; `extra` idle processes with distinct names join it.
const children = [];
try {
  const names = join(root, 'names');
  mkdirSync(names);
  for (let i = 0; i < extra; i++) {
    const path = join(names, `svc-${String(i).padStart(3, '0')}`);
    symlinkSync('/bin/sleep', path);
    children.push(spawn(path, [String(recordSeconds + 120)], { stdio: 'ignore' }));
  }
  const dir = join(root, 'machine');
  const r = spawnSync(process.execPath, [bin, 'watch', '--spill', dir, '--duration', `${recordSeconds}s`, '--format', 'ndjson'],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`watch exited ${r.status}: ${r.stderr}`);
  const printed = r.stdout.split('\n').filter((l) => l.includes('"type":"sample"'));
  let samples = 0;
  await lastValueFrom(replay(dir).pipe(filter((e) => { if (e.type === 'sample') samples++; return false; })), { defaultValue: undefined });
  const bytes = dirBytes(dir);
  const plain = printed.reduce((s, l) => s + l.length + 1, 0);
  console.log(`\n### whole-machine recording: ${recordSeconds} s at 1 s, ${extra} extra idle processes; load ${load()}`);
  console.log('| samples recorded | samples printed | bytes on disk | bytes per sample | NDJSON bytes per sample (stdout) | ratio |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| ${samples} | ${printed.length} | ${bytes} | ${(bytes / samples).toFixed(1)} | ${(plain / printed.length).toFixed(0)} | ${(plain / bytes).toFixed(1)}× |`);
} finally {
  for (const c of children) c.kill('SIGKILL');
}

// 2. Restart: a log holding more than a 10 MiB window (300 units at 1 Hz, the last ~3 h), then the time from
//    subscribing a restarted pipeline to its first new sample (the rebuild runs before the first tick).
{
  const dir = join(root, 'rebuild');
  const units = 300;
  const seconds = 3 * 3600;
  const now = Date.now();
  const rows = (function* () {
    for (let s = 0; s < seconds; s++) {
      for (let u = 0; u < units; u++) {
        const ts = now - (seconds - s) * 1000;
        yield { type: 'sample', v: 1, unit: `svc-${u}`, ts, pid: 1000 + u, startTimeMs: now - 10 * 86_400_000,
          cpuPercent: Math.round(Math.random() * 500) / 100, cpuUserSeconds: Math.round(s * (u % 7)) / 100,
          cpuSystemSeconds: Math.round(s * (u % 3)) / 100, rssBytes: 50_000_000 + ((s * 4096 * (u % 5)) % 10_000_000),
          ioReadBytes: s * 512 * (u % 4), ioWriteBytes: s * 1024 * (u % 6), netRxBytes: null, netTxBytes: null, netScope: null,
          hostCpuPercent: 0, processes: 1, threads: 1 + (u % 9), missing: { net: 'no per-process counters on Linux' } };
      }
    }
  })();
  await lastValueFrom(from(rows).pipe(spillover({ dir, events: 'log', maxQueue: units * seconds + 1, segmentBytes: 1 << 20, maxBytes: 1 << 30 })),
    { defaultValue: undefined });
  const diskBytes = dirBytes(dir);
  const best = { wall: Infinity, cpu: Infinity };
  let held = 0;
  for (let run = 0; run < 3; run++) {
    const { events$, store } = watchUnits({ targets: [{ unit: 'self', pid: process.pid }], intervalMs: 1000, count: 1,
      spill: { dir, maxBytes: 1 << 30 } });
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await firstValueFrom(events$.pipe(filter((e) => e.type === 'sample')));
    best.wall = Math.min(best.wall, performance.now() - t0);
    best.cpu = Math.min(best.cpu, cpuSeconds() - c0);
    held = store.units().reduce((s, u) => s + store.size(u), 0);
    if (run === 0) console.log(`\n### restart rebuild: log of ${units} units × ${seconds} s = ${units * seconds} samples, ${diskBytes} bytes on disk; load ${load()}`);
    console.log(`run ${run}: store holds ${held} rows in ${store.bytesUsed()} bytes (budget 10 MiB)`);
  }
  console.log(`| rows rebuilt | wall ms (best of 3) | CPU ms (best of 3) |\n| ---: | ---: | ---: |\n| ${held} | ${best.wall.toFixed(0)} | ${(best.cpu * 1000).toFixed(0)} |`);
}

// 3. Rotation: SegmentDir with segmentBytes 1 closes a segment after every batch, and with a full budget deletes the
//    oldest one too. 10 vs 10,000 segments already in the directory, interleaved, CPU per rotation.
{
  const batch = Buffer.from(`${JSON.stringify({ type: 'sample', v: 1, unit: 'x', ts: 1 })}\n`);
  const measure = async (existing) => {
    const dir = join(root, `rot-${existing}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir, { mode: 0o700 });
    for (let i = 0; i < existing; i++) writeFileSync(join(dir, segmentName(i, 0, { compressed: true })), 'x'.repeat(100));
    const segs = new SegmentDir(dir, { maxBytes: existing * 100, segmentBytes: 1, fsync: 'never', now: () => 0, onLost: () => undefined });
    await segs.start();
    const n = 1000;
    const c0 = cpuSeconds();
    const u0 = userSeconds();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await segs.append(batch, 1);
    const r = { cpuUs: ((cpuSeconds() - c0) / n) * 1e6, userUs: ((userSeconds() - u0) / n) * 1e6, wallUs: ((performance.now() - t0) / n) * 1000, left: segs.count };
    rmSync(dir, { recursive: true, force: true });
    return r;
  };
  const rows = { 10: [], 10000: [] };
  for (let run = 0; run < 3; run++) for (const k of [10, 10000]) rows[k].push(await measure(k));
  const best = (k, f) => Math.min(...rows[k].map((r) => r[f]));
  console.log(`\n### rotation cost (1000 rotations, each creating, closing and deleting one segment); load ${load()}`);
  console.log('| segments in dir | CPU µs per rotation (best of 3) | of which user | wall µs | segments after |\n| ---: | ---: | ---: | ---: | ---: |');
  for (const k of [10, 10000]) console.log(`| ${k} | ${best(k, 'cpuUs').toFixed(0)} | ${best(k, 'userUs').toFixed(0)} | ${best(k, 'wallUs').toFixed(0)} | ${rows[k][0].left} |`);
  console.log(`ratio 10,000 / 10: CPU ${(best(10000, 'cpuUs') / best(10, 'cpuUs')).toFixed(2)}, user CPU ${(best(10000, 'userUs') / best(10, 'userUs')).toFixed(2)}`);
}
rmSync(root, { recursive: true, force: true });
