// Sampling cost per pid per tick: our /proc sampler, our systeminformation sampler, pidusage, and the bare floors
// (one readSync of stat, or of stat+statm+io, per pid on kept fds), run interleaved round by round.
// Usage: npm run build && node bench/sampling.mjs [sizes] [ticks], e.g. node bench/sampling.mjs 100,1000 20;
// BASELINE=<older dist/index.js> adds that build's procSampler. CPU includes reaped children (si forks ps and sh).
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
 * Runs the samplers interleaved: WARMUP untimed rounds (JIT, opening fds), then `TICKS` rounds INTERVAL_MS apart,
 * each round giving every sampler one tick (si only on its first SI_TICKS rounds), with a short pause between
 * samplers so that a child reaped late is not charged to the next one. CPU is summed over the tick calls only, so
 * timers and GC of the idle gaps are not charged. Interleaving puts every peer under the same load, which on a
 * shared machine matters more than anything else. Returns, per sampler, CPU µs per pid per tick (mean and best tick)
 * and wall ms per tick (mean and max).
 */
async function measureInterleaved(n, samplers) {
  for (let i = 0; i < WARMUP; i++) {
    for (const s of samplers) { await s.tick(); await sleep(50); }
    await sleep(INTERVAL_MS);
  }
  const stats = samplers.map(() => ({ cpu: [], wall: [] }));
  const loads = [];
  for (let i = 0; i < TICKS; i++) {
    loads.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
    for (const [k, s] of samplers.entries()) {
      if (i >= s.ticks) continue;
      const t0 = process.hrtime.bigint();
      const cpu0 = cpuMicros();
      await s.tick();
      stats[k].cpu.push(cpuMicros() - cpu0);
      stats[k].wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await sleep(50);
    }
    await sleep(INTERVAL_MS);
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return samplers.map((s, k) => ({
    name: s.name, n, load: `${Math.min(...loads)}–${Math.max(...loads)}`,
    cpuPerPidUs: mean(stats[k].cpu) / n, bestCpuPerPidUs: Math.min(...stats[k].cpu) / n,
    wallMs: mean(stats[k].wall), wallMaxMs: Math.max(...stats[k].wall),
  }));
}

// BASELINE=/path/to/an/older/dist/index.js adds that build's procSampler to the same rounds (before/after).
const baseline = process.env.BASELINE ? await import(process.env.BASELINE) : undefined;

const rows = [];
for (const n of sizes) {
  const children = await startIdle(n);
  const opened = [];
  try {
    const pids = children.map((c) => c.pid);
    const targets = pids.map((pid, i) => ({ unit: `u${i}`, pid }));
    const buf = Buffer.allocUnsafe(4096);
    const fds = pids.map((pid) => openSync(`/proc/${pid}/stat`, 'r'));
    // The same floor for the three files procSampler reads, to separate our overhead from the kernel's.
    const fds3 = pids.flatMap((pid) => ['stat', 'statm', 'io'].map((f) => openSync(`/proc/${pid}/${f}`, 'r')));
    opened.push(...fds, ...fds3);
    const proc = procSampler();
    const alone = procSampler({ children: false });
    const base = baseline?.procSampler();
    const sis = siSampler();
    let events = [];
    const samplers = [
      { name: 'floor: readSync stat on kept fds', ticks: TICKS, tick: () => { for (const fd of fds) readSync(fd, buf, 0, 4096, 0); } },
      { name: 'floor ×3: readSync stat+statm+io on kept fds', ticks: TICKS, tick: () => { for (const fd of fds3) readSync(fd, buf, 0, 4096, 0); } },
      { name: 'procSampler (stat+statm+io, kept fds)', ticks: TICKS, tick: () => { events = proc.sample(targets); } },
      { name: 'procSampler, `children: false` (roots alone)', ticks: TICKS, tick: () => { alone.sample(targets); } },
      ...(base ? [{ name: 'procSampler, baseline build (`BASELINE`)', ticks: TICKS, tick: () => { base.sample(targets); } }] : []),
      { name: 'pidusage (stat only)', ticks: TICKS, tick: () => pidusage(pids) },
      { name: 'siSampler (systeminformation)', ticks: SI_TICKS, tick: () => sis.sample(targets) },
    ];
    rows.push(...await measureInterleaved(n, samplers));
    const sampled = events.filter((e) => e.type === 'sample').length;
    if (sampled !== n) throw new Error(`procSampler sampled ${sampled} of ${n} pids`);
    proc.close();
    alone.close();
    base?.close();
    sis.close();
    pidusage.clear();
  } finally {
    opened.forEach((fd) => closeSync(fd));
    await stopAll(children);
  }
}

const floor3 = (n) => rows.find((r) => r.n === n && r.name.startsWith('floor ×3')).cpuPerPidUs;
const siRow = (n) => rows.find((r) => r.n === n && r.name.startsWith('siSampler')).cpuPerPidUs;
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ` +
  `${WARMUP} warm-up + ${TICKS} interleaved rounds (${SI_TICKS} for si) every ${INTERVAL_MS} ms\n`);
console.log('| sampler | pids | CPU µs / pid / tick (mean) | best tick | wall ms / tick (mean, max) | × floor ×3 | si ÷ this | load |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.n} | ${r.cpuPerPidUs.toFixed(1)} | ${r.bestCpuPerPidUs.toFixed(1)} | ${r.wallMs.toFixed(1)}, ${r.wallMaxMs.toFixed(1)} | ` +
    `${(r.cpuPerPidUs / floor3(r.n)).toFixed(2)} | ${(siRow(r.n) / r.cpuPerPidUs).toFixed(1)} | ${r.load} |`);
}
