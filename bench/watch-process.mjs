// Whole-process cost of `procstream watch` against pidstat and pidusage on the same idle pids: CPU of each command as
// a child process (all its threads, GC and V8 workers, and anything it reaps), per pid per tick, in steady state.
// Usage: npm run build && node bench/watch-process.mjs [sizes] [pairs], e.g. node bench/watch-process.mjs 100,1000 2;
// BASELINE_BIN=<an older dist/cli/bin.js> adds that build's watch to the same rounds.
// Each command runs for SHORT and LONG ticks, interleaved round by round; (CPU(LONG) − CPU(SHORT)) / (LONG − SHORT)
// cancels start-up (node's own, the first full /proc listing) and leaves the cost of a tick.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number);
const PAIRS = Number(process.argv[3] ?? 2);
const SHORT = 3, LONG = 13; // ticks of 1 s
const dir = mkdtempSync(join(tmpdir(), 'procstream-bench-'));

/** CPU ticks (10 ms) of the children this process has reaped: utime + stime + cutime of /proc/self/stat's cutime/cstime. */
const reapedTicks = () => { const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); return Number(f[13]) + Number(f[14]); };

/** Runs a command to its end with stdout to /dev/null; resolves to its CPU seconds (with everything it reaped). */
function cpuOf(file, args) {
  return new Promise((resolve, reject) => {
    const before = reapedTicks();
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve((reapedTicks() - before) / 100) : reject(new Error(`${file} exited ${code}`))));
  });
}

const processCount = () => readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length;
const rows = [];
for (const n of sizes) {
  const idle = Array.from({ length: n }, () => spawn('sleep', ['3600'], { stdio: 'ignore' }));
  await Promise.all(idle.map((c) => new Promise((r) => c.once('spawn', r))));
  const pids = idle.map((c) => c.pid);
  const units = join(dir, `units-${n}.json`);
  writeFileSync(units, JSON.stringify(pids.map((pid) => ({ unit: `p${pid}`, pid }))));
  writeFileSync(join(dir, 'pidusage.cjs'), `const pidusage = require(${JSON.stringify(join(root, 'node_modules/pidusage'))});
    const pids = require(${JSON.stringify(units)}).map((u) => u.pid); const ticks = Number(process.argv[2]);
    let i = 0; const tick = () => pidusage(pids).then(() => { if (++i < ticks) setTimeout(tick, 1000); else pidusage.clear(); }); tick();`);
  const peers = [
    { name: 'procstream watch', run: (t) => cpuOf(process.execPath, [join(root, 'dist/cli/bin.js'), 'watch', '--units', units, '--format', 'ndjson', '--count', String(t)]) },
    { name: 'procstream watch --no-children', run: (t) => cpuOf(process.execPath, [join(root, 'dist/cli/bin.js'), 'watch', '--units', units, '--no-children', '--format', 'ndjson', '--count', String(t)]) },
    ...(process.env.BASELINE_BIN ? [{ name: 'procstream watch, baseline build (`BASELINE_BIN`)', run: (t) => cpuOf(process.execPath, [process.env.BASELINE_BIN, 'watch', '--units', units, '--format', 'ndjson', '--count', String(t)]) }] : []),
    { name: 'pidstat -u -r -d', run: (t) => cpuOf('pidstat', ['-h', '-u', '-r', '-d', '-p', pids.join(','), '1', String(t)]) },
    { name: 'pidusage (node, 1 s loop)', run: (t) => cpuOf(process.execPath, [join(dir, 'pidusage.cjs'), String(t)]) },
  ];
  const perTick = peers.map(() => []);
  const machine = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const [k, peer] of peers.entries()) {
      machine.push(processCount());
      const short = await peer.run(SHORT);
      const long = await peer.run(LONG);
      perTick[k].push((long - short) / (LONG - SHORT));
    }
  }
  for (const [k, peer] of peers.entries()) {
    const mean = perTick[k].reduce((a, b) => a + b, 0) / perTick[k].length;
    rows.push({ name: peer.name, n, usPerPidTick: (mean * 1e6) / n, runs: perTick[k].map((s) => ((s * 1e6) / n).toFixed(1)).join(', '),
      machine: `${Math.min(...machine)}–${Math.max(...machine)}` });
  }
  idle.forEach((c) => c.kill('SIGKILL'));
}
rmSync(dir, { recursive: true, force: true });
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ` +
  `ticks ${LONG} − ${SHORT}, ${PAIRS} interleaved pairs per command\n`);
console.log('| command | pids | CPU µs / pid / tick (mean) | each pair | ÷ pidusage | ÷ pidstat | processes on the machine |');
console.log('|---|---:|---:|---|---:|---:|---:|');
for (const r of rows) {
  const peer = (name) => rows.find((x) => x.n === r.n && x.name.startsWith(name)).usPerPidTick;
  console.log(`| ${r.name} | ${r.n} | ${r.usPerPidTick.toFixed(1)} | ${r.runs} | ${(r.usPerPidTick / peer('pidusage')).toFixed(2)} | ` +
    `${(r.usPerPidTick / peer('pidstat')).toFixed(2)} | ${r.machine} |`);
}
