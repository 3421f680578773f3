// Spill write throughput, and replay throughput against jq and a plain JSON.parse loop, on the same files.
// Run: npm run build && node bench/spill.mjs [lines]   (default 400 000 evicted samples, ~110 MB)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, count } from 'rxjs';
import { replay, spillover } from '../dist/index.js';

const lines = Number(process.argv[2] ?? 400_000);
const dir = mkdtempSync(join(tmpdir(), 'procstream-bench-'));
const mb = (bytes) => bytes / 1e6;
const time = async (fn) => { const t0 = process.hrtime.bigint(); const r = await fn(); return [r, Number(process.hrtime.bigint() - t0) / 1e9]; };
const best = async (runs, fn) => { let b; for (let i = 0; i < runs; i++) { const [r, s] = await time(fn); if (!b || s < b[1]) b = [r, s]; } return b; };

const units = ['api', 'worker', 'db', 'cache', 'web-frontend'];
const events = Array.from({ length: lines }, (_, i) => {
  const unit = units[i % units.length];
  const ts = 1_795_165_200_000 + i * 200;
  return { type: 'evicted', v: 1, unit, ts: ts + 600_000, reason: 'retention', event: {
    type: 'sample', v: 1, unit, ts, pid: 4000 + (i % 5), startTimeMs: 1_795_160_000_000, cpuPercent: Math.round(Math.random() * 40000) / 100,
    cpuUserSeconds: Math.round(i * 1.3) / 100, cpuSystemSeconds: Math.round(i * 0.4) / 100, /* clock ticks / 100, as /proc gives them */ rssBytes: 100_000_000 + (i % 1000) * 4096,
    ioReadBytes: i * 4096, ioWriteBytes: i * 8192, netRxBytes: null, netTxBytes: null, netScope: null, missing: { net: 'unsupported' } } };
});

try {
  const spill = (into, fsync) => time(() => lastValueFrom(from(events).pipe(
    spillover({ dir: into, maxBytes: 2 ** 31, segmentBytes: 4 * 2 ** 20, maxQueue: lines + 1, fsync })), { defaultValue: null }));
  const [, writeNeverS] = await spill(join(dir, 'never'), 'never');
  rmSync(join(dir, 'never'), { recursive: true });
  const [, writeS] = await spill(dir, 'rotate');
  const files = readdirSync(dir).sort().map((n) => join(dir, n));
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const row = (what, n, s) => `| ${what} | ${n.toLocaleString('en')} | ${s.toFixed(3)} | ${Math.round(n / s).toLocaleString('en')} | ${mb(bytes / s).toFixed(1)} |`;

  const [replayed, replayS] = await best(3, () => lastValueFrom(replay(dir, { unwrap: false }).pipe(count())));
  const [unwrapped, unwrapS] = await best(3, () => lastValueFrom(replay(dir).pipe(count())));
  const [one, oneS] = await best(3, () => lastValueFrom(replay(dir, { unit: 'db' }).pipe(count())));
  const [parsed, parseS] = await best(3, () => {
    let n = 0;
    for (const f of files) for (const line of readFileSync(f, 'utf8').split('\n')) if (line) { JSON.parse(line); n++; }
    return n;
  });
  const [, jqS] = await best(1, () => execFileSync('/bin/sh', ['-c', `/usr/bin/jq -c . "$@" > /dev/null`, 'sh', ...files]));
  if (replayed !== lines || unwrapped !== lines || parsed !== lines || one !== lines / units.length) throw new Error(`count mismatch ${replayed} ${unwrapped} ${one} ${parsed}`);

  console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model}), node ${process.version}; ${lines.toLocaleString('en')} lines, ${mb(bytes).toFixed(1)} MB in ${files.length} segments`);
  console.log('| what | lines | seconds | lines/s | MB/s |\n| --- | ---: | ---: | ---: | ---: |');
  console.log(row('spillover write, `fsync: never` (serialize + queue + write)', lines, writeNeverS));
  console.log(row('spillover write, `fsync: rotate` (default), 4 MiB segments', lines, writeS));
  console.log(row('replay, evicted lines as written (`unwrap: false`)', replayed, replayS));
  console.log(row('replay, unwrapped (default)', unwrapped, unwrapS));
  console.log(row("replay `unit: 'db'` (1 unit of 5; other lines skipped unparsed), MB/s of all files", one, oneS));
  console.log(row('plain loop: readFileSync + split + JSON.parse per line', parsed, parseS));
  console.log(row('`jq -c . > /dev/null`', lines, jqS));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
