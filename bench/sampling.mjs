// Sampling cost per pid per tick: our /proc sampler, our systeminformation sampler, pidusage, and the bare floor
// (one readSync of stat per pid on a kept fd). Usage: npm run build && node bench/sampling.mjs [sizes] [ticks]
// e.g. node bench/sampling.mjs 100,1000 20. CPU includes reaped children (systeminformation forks ps and sh).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { cpus } from 'node:os';
import pidusage from 'pidusage';
import { procSampler, siSampler } from '../dist/index.js';

const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number);
const TICKS = Number(process.argv[3] ?? 10);
const SI_TICKS = Math.max(3, Math.ceil(TICKS / 2));
const WARMUP = 3;
const INTERVAL_MS = 600; // above systeminformation's 500 ms cache, so every si call is a real listing
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Our CPU in µs, plus the CPU of children we reaped (ps, sh, cat started by systeminformation). */
function cpuMicros() {
  const { user, system } = process.cpuUsage();
  const rest = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const reapedTicks = Number(rest[13]) + Number(rest[14]);
  return user + system + reapedTicks * 10_000; // 100 ticks/s
}

async function startIdle(n) {
  const children = [];
  for (let i = 0; i < n; i++) children.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  await Promise.all(children.map((c) => new Promise((resolve, reject) => { c.once('spawn', resolve); c.once('error', reject); })));
  return children;
}

async function stopAll(children) {
  await Promise.all(children.map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', resolve);
    c.kill('SIGKILL');
  })));
}

/**
 * Runs WARMUP untimed ticks (JIT, opening fds), then `ticks` ticks every INTERVAL_MS. CPU is summed over the tick
 * calls only, so timers and GC of the idle gaps are not charged. Returns CPU µs per pid per tick and wall ms per tick.
 */
async function measure(name, n, ticks, tick) {
  for (let i = 0; i < WARMUP; i++) { await tick(); await sleep(INTERVAL_MS); }
  const walls = [];
  let cpu = 0;
  for (let i = 0; i < ticks; i++) {
    const t0 = process.hrtime.bigint();
    const cpu0 = cpuMicros();
    await tick();
    cpu += cpuMicros() - cpu0;
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    walls.push(wallMs);
    await sleep(Math.max(0, INTERVAL_MS - wallMs));
  }
  const cpuPerPidUs = cpu / ticks / n;
  walls.sort((a, b) => a - b);
  return { name, n, cpuPerPidUs, wallMs: walls.reduce((a, b) => a + b, 0) / walls.length, wallMaxMs: walls.at(-1) };
}

const rows = [];
for (const n of sizes) {
  const children = await startIdle(n);
  try {
    const pids = children.map((c) => c.pid);
    const targets = pids.map((pid, i) => ({ unit: `u${i}`, pid }));

    const fds = pids.map((pid) => openSync(`/proc/${pid}/stat`, 'r'));
    const buf = Buffer.allocUnsafe(4096);
    rows.push(await measure('floor: readSync stat on kept fds', n, TICKS, () => { for (const fd of fds) readSync(fd, buf, 0, 4096, 0); }));
    fds.forEach((fd) => closeSync(fd));

    // The same floor for the three files procSampler reads, to separate our overhead from the kernel's.
    const fds3 = pids.flatMap((pid) => ['stat', 'statm', 'io'].map((f) => openSync(`/proc/${pid}/${f}`, 'r')));
    rows.push(await measure('floor ×3: readSync stat+statm+io on kept fds', n, TICKS, () => { for (const fd of fds3) readSync(fd, buf, 0, 4096, 0); }));
    fds3.forEach((fd) => closeSync(fd));

    const proc = procSampler();
    let events = [];
    rows.push(await measure('procSampler (stat+statm+io, kept fds)', n, TICKS, () => { events = proc.sample(targets); }));
    const sampled = events.filter((e) => e.type === 'sample').length;
    if (sampled !== n) throw new Error(`procSampler sampled ${sampled} of ${n} pids`);
    proc.close();

    rows.push(await measure('pidusage (stat only)', n, TICKS, () => pidusage(pids)));
    pidusage.clear();

    const sis = siSampler();
    rows.push(await measure('siSampler (systeminformation)', n, SI_TICKS, () => sis.sample(targets)));
    sis.close();
  } finally {
    await stopAll(children);
  }
}

const floor = (n) => rows.find((r) => r.n === n && r.name.startsWith('floor:')).cpuPerPidUs;
const siRow = (n) => rows.find((r) => r.n === n && r.name.startsWith('siSampler')).cpuPerPidUs;
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ` +
  `${WARMUP} warm-up + ${TICKS} ticks (${SI_TICKS} for si) every ${INTERVAL_MS} ms\n`);
console.log('| sampler | pids | CPU µs / pid / tick | wall ms / tick (mean, max) | × floor | si ÷ this |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.n} | ${r.cpuPerPidUs.toFixed(1)} | ${r.wallMs.toFixed(1)}, ${r.wallMaxMs.toFixed(1)} | ` +
    `${(r.cpuPerPidUs / floor(r.n)).toFixed(1)} | ${(siRow(r.n) / r.cpuPerPidUs).toFixed(1)} |`);
}
