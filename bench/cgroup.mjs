// One cgroup unit holding N processes, read from the cgroup's own counters, against the /proc sampler measuring the
// same N processes as one unit (their parent with `children: true`), interleaved tick by tick, in CPU time of this
// process. Root only (it makes a cgroup). Usage: npm run build && node bench/cgroup.mjs [N] [ticks].
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cgroupSampler, procSampler } from '../dist/index.js';
import { readCgroupMounts } from '../dist/sources/cgroup-paths.js';

const N = Number(process.argv[2] ?? 1000);
const TICKS = Number(process.argv[3] ?? 20);
const WARMUP = 3;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuMicros = () => { const { user, system } = process.cpuUsage(); return user + system; };

if (process.getuid?.() !== 0) { console.log('cgroup bench: skipped (needs root to make a cgroup)'); process.exit(0); }
const mounts = readCgroupMounts();
if (!mounts.v2) { console.log('cgroup bench: skipped (no cgroup2 mount)'); process.exit(0); }
// The same N processes in a v2 cgroup and, on a hybrid host, in v1 cpuacct/memory/blkio/pids cgroups too (below our
// own memory cgroup, so a sandbox's limit still holds), so each layout is measured on the same processes.
const leaf = `procstream-bench-${process.pid}`;
const ownMemory = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
const v1Path = join(ownMemory, leaf).replace(/^\/+/, '');
const dirs = [join(mounts.v2, leaf)];
const hybrid = mounts.v1.has('cpuacct') && mounts.v1.has('memory');
const made = [];
if (hybrid) for (const c of ['cpuacct', 'memory', 'blkio', 'pids']) if (mounts.v1.has(c)) dirs.push(join(mounts.v1.get(c), v1Path));
for (const dir of dirs) {
  const first = mkdirSync(dir, { recursive: true });
  if (first) for (let d = dir; d.length >= first.length; d = dirname(d)) made.push(d);
}
// One shell that joins the cgroups, starts N sleeps and waits: its children are born inside.
const joinAll = dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join('; ');
const parent = spawn('sh', ['-c', `${joinAll}; i=0; while [ $i -lt ${N} ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`],
  { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
await new Promise((resolve) => parent.stdout.on('data', (d) => d.toString().includes('ready') && resolve()));
const members = readFileSync(join(dirs[0], 'cgroup.procs'), 'utf8').trim().split('\n').length;

const samplers = [
  ...(hybrid ? [{ name: 'cgroup sampler, v1 (cpuacct, memory, blkio, pids)', s: cgroupSampler({ mounts: { v1: mounts.v1 } }),
    targets: [{ unit: 'svc', cgroup: v1Path }], cpu: [] }] : []),
  { name: `cgroup sampler, v2${hybrid ? ' (no memory controller here: RSS summed from /proc)' : ''}`,
    s: cgroupSampler({ mounts: { v2: mounts.v2, v1: new Map() } }), targets: [{ unit: 'svc', cgroup: leaf }], cpu: [] },
  { name: '/proc sampler (children: true)', s: procSampler({ children: true }), targets: [{ unit: 'svc', pid: parent.pid, children: true }], cpu: [] },
];
for (let round = 0; round < WARMUP + TICKS; round++) {
  for (const x of samplers) {
    const before = cpuMicros();
    const events = x.s.sample(x.targets);
    const spent = cpuMicros() - before;
    if (round >= WARMUP) x.cpu.push(spent);
    if (!events.some((e) => e.type === 'sample')) throw new Error(`${x.name}: no sample`);
    await sleep(20);
  }
  await sleep(200);
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${members} processes in one cgroup, ${TICKS} interleaved ticks each, load ${load}`);
console.log('| sampler | CPU µs per tick (median) | CPU µs per tick (mean) |');
console.log('| --- | ---: | ---: |');
for (const x of samplers) {
  const mean = x.cpu.reduce((a, b) => a + b, 0) / x.cpu.length;
  console.log(`| ${x.name} | ${median(x.cpu).toFixed(0)} | ${mean.toFixed(0)} |`);
}
const proc = median(samplers.at(-1).cpu);
for (const x of samplers.slice(0, -1)) console.log(`ratio /proc ÷ ${x.name} (medians): ${(proc / median(x.cpu)).toFixed(1)}×`);
for (const x of samplers) x.s.close();
process.kill(-parent.pid, 'SIGKILL');
await sleep(300);
for (const dir of made) { try { rmdirSync(dir); } catch (error) { console.error(`left ${dir}: ${error.message}`); } }
