// Whole-process cost of `procstream watch` against pidstat and pidusage on the same idle pids: CPU of each command as
// a child process (all its threads, GC and V8 workers, and anything it reaps), per pid per tick.
// Usage: npm run build && node bench/watch-process.mjs [sizes] [warmS] [windowS] [windows],
// e.g. node bench/watch-process.mjs 100,1000,5000 90 20 3; BASELINE_BIN=<an older dist/cli/bin.js> adds that build,
// SKIP=<regex> leaves out the commands it matches (fewer at once on a loaded machine), OUT=file sends output to files.
//
// Why windows and not short and long runs: V8 optimizes a function after enough calls, and most of a tick's functions
// run once per tick, so at 1 tick a second `watch` spends its first minute or two compiling on V8's worker threads
// (40 % of its CPU over ticks 5–65 at 100 pids, under 5 % after; see BENCHMARKS.md). CPU(13 ticks) − CPU(3 ticks)
// measured that warm-up, not a tick. So every command runs at once, on the same seconds (started a fraction of a
// second apart so their ticks do not coincide), and its CPU is read from /proc/<pid>/stat: the first `warmS` seconds
// (start-up and warm-up) and then `windows` windows of `windowS` seconds each (steady state), each window the same
// wall seconds for every command, so the machine's load is the same for all of them.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number);
const WARM_S = Number(process.argv[3] ?? 90);
const WINDOW_S = Number(process.argv[4] ?? 20);
const WINDOWS = Number(process.argv[5] ?? 3);
const HZ = 100; // USER_HZ: /proc/<pid>/stat counts CPU in 10 ms ticks
const dir = mkdtempSync(join(tmpdir(), 'procstream-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const spawned = []; // killed on any exit, so a failed run leaves no sleeps or watchers behind
process.on('exit', () => { for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1)); // so the 'exit' cleanup runs

/** CPU seconds of a live child: utime + stime of all its threads, + cutime + cstime of what it reaped. */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / HZ;
}

/** The kept descriptors of a process: fd number → what it points at. */
function fdsOf(pid) {
  const out = new Map();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) { try { out.set(fd, readlinkSync(`/proc/${pid}/fd/${fd}`)); } catch { /* closed meanwhile */ } }
  return out;
}

const processCount = () => readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length;
const rows = [];
for (const n of sizes) {
  const idle = [];
  for (let i = 0; i < n; i++) idle.push(spawn('sleep', ['3600'], { stdio: 'ignore' }));
  spawned.push(...idle);
  await Promise.all(idle.map((c) => new Promise((r) => c.once('spawn', r))));
  const pids = idle.map((c) => c.pid);
  const units = join(dir, `units-${n}.json`);
  writeFileSync(units, JSON.stringify(pids.map((pid) => ({ unit: `p${pid}`, pid }))));
  writeFileSync(join(dir, 'pidusage.cjs'), `const pidusage = require(${JSON.stringify(join(root, 'node_modules/pidusage'))});
    const pids = require(${JSON.stringify(units)}).map((u) => u.pid);
    const tick = () => pidusage(pids).then(() => { process.stdout.write('tick\\n'); setTimeout(tick, 1000); }); tick();`);
  // The floor: a node loop that only preads each pid's files once a second on kept fds, and parses nothing.
  writeFileSync(join(dir, 'floor.cjs'), `const fs = require('node:fs'); const names = process.argv[2].split(',');
    const fds = require(${JSON.stringify(units)}).flatMap((u) => names.map((f) => fs.openSync('/proc/' + u.pid + '/' + f, 'r')));
    const buf = Buffer.allocUnsafe(4096);
    setInterval(() => { for (const fd of fds) fs.readSync(fd, buf, 0, 4096, 0); process.stdout.write('tick\\n'); }, 1000);`);
  const watch = (bin, ...extra) => [process.execPath, [bin, 'watch', '--units', units, '--format', 'ndjson', ...extra]];
  const peers = [
    { name: 'procstream watch', cmd: watch(join(root, 'dist/cli/bin.js')), fds: true, tick: '"type":"tick"' },
    { name: 'procstream watch --no-children', cmd: watch(join(root, 'dist/cli/bin.js'), '--no-children'), tick: '"type":"tick"' },
    ...(process.env.BASELINE_BIN ? [{ name: 'procstream watch, baseline build (`BASELINE_BIN`)', cmd: watch(process.env.BASELINE_BIN), tick: '"type":"tick"' }] : []),
    { name: 'pidstat -u -r -d', cmd: ['pidstat', ['-h', '-u', '-r', '-d', '-p', pids.join(','), '1']], tick: '# Time' },
    { name: 'pidusage (node, 1 s loop)', cmd: [process.execPath, [join(dir, 'pidusage.cjs')]], tick: 'tick' },
    { name: 'floor: node, pread stat+statm+io (kept fds)', cmd: [process.execPath, [join(dir, 'floor.cjs'), 'stat,statm,io']], tick: 'tick' },
    { name: 'floor: node, pread stat (kept fds)', cmd: [process.execPath, [join(dir, 'floor.cjs'), 'stat']], tick: 'tick' },
  ].filter((peer) => !(process.env.SKIP && new RegExp(process.env.SKIP).test(peer.name))); // SKIP=<regex of names>
  for (const peer of peers) {
    // Every command's output comes here through a pipe (as into `| jq`), to count the ticks it really made: on a
    // loaded machine a tick can take longer than its second, and then CPU per wall second is not CPU per tick.
    // OUT=file: into a file instead (as `> file`), counted at each window's end; a pipe whose reader falls behind
    // slows every command that prints thousands of lines a tick (seen at 5,000 pids on a loaded machine).
    const file = process.env.OUT === 'file' ? join(dir, `out-${n}-${peers.indexOf(peer)}`) : undefined;
    const outFd = file ? openSync(file, 'w') : 'pipe';
    peer.child = spawn(peer.cmd[0], peer.cmd[1], { stdio: ['ignore', outFd, 'inherit'] });
    if (file) closeSync(outFd);
    peer.ticks = 0;
    let tail = '';
    const count = (chunk) => {
      const text = tail + chunk;
      for (let at = text.indexOf(peer.tick); at >= 0; at = text.indexOf(peer.tick, at + 1)) peer.ticks += 1;
      tail = text.slice(-(peer.tick.length - 1));
    };
    if (file) {
      let offset = 0;
      const buf = Buffer.allocUnsafe(1 << 24);
      peer.count = () => {
        const fd = openSync(file, 'r');
        for (let got; (got = readSync(fd, buf, 0, buf.length, offset)) > 0; offset += got) count(buf.toString('latin1', 0, got));
        closeSync(fd);
      };
    } else peer.child.stdout.setEncoding('latin1').on('data', count);
    spawned.push(peer.child);
    peer.child.once('exit', (code, signal) => { peer.exited = `exited ${code ?? signal}`; });
    await sleep(1000 / peers.length); // staggered: the commands' ticks fall at different moments of each second
  }
  const alive = () => { for (const p of peers) if (p.exited) throw new Error(`${p.name} ${p.exited} during the run`); };
  const machine = [processCount()];
  await sleep(WARM_S * 1000);
  alive();
  peers.forEach((p) => p.count?.());
  let marks = peers.map((p) => cpuOf(p.child.pid));
  let tickMarks = peers.map((p) => p.ticks);
  const warm = marks.map((cpu, k) => cpu / Math.max(1, tickMarks[k]));
  const firstFds = peers.map((p) => (p.fds ? fdsOf(p.child.pid) : undefined));
  const windows = peers.map(() => []);
  const ticksDone = peers.map(() => []);
  for (let w = 0; w < WINDOWS; w++) {
    machine.push(processCount());
    await sleep(WINDOW_S * 1000);
    alive();
    const now = peers.map((p) => cpuOf(p.child.pid));
    peers.forEach((p) => p.count?.());
    const ticks = peers.map((p) => p.ticks);
    now.forEach((cpu, k) => { windows[k].push((cpu - marks[k]) / Math.max(1, ticks[k] - tickMarks[k])); ticksDone[k].push(ticks[k] - tickMarks[k]); });
    marks = now;
    tickMarks = ticks;
  }
  machine.push(processCount());
  for (const [k, peer] of peers.entries()) {
    let fds = '';
    if (peer.fds) {
      const last = fdsOf(peer.child.pid);
      const kept = [...firstFds[k]].filter(([fd, target]) => last.get(fd) === target && target.startsWith('/proc/')).length;
      fds = `${last.size} open; ${kept} /proc fds the same across the windows`;
    }
    const mean = windows[k].reduce((a, b) => a + b, 0) / windows[k].length;
    rows.push({ name: peer.name, n, us: (mean * 1e6) / n, runs: windows[k].map((s) => ((s * 1e6) / n).toFixed(1)).join(', '),
      warm: (warm[k] * 1e6) / n, ticks: ticksDone[k].join(', '), fds, machine: `${Math.min(...machine)}–${Math.max(...machine)}` });
    peer.child.kill('SIGTERM');
  }
  await Promise.all(peers.map((p) => (p.exited ? undefined : new Promise((r) => p.child.once('exit', r)))));
  idle.forEach((c) => c.kill('SIGKILL'));
  for (const f of readdirSync(dir)) if (f.startsWith('out-')) rmSync(join(dir, f));
}
rmSync(dir, { recursive: true, force: true });
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ` +
  `warm-up ${WARM_S} s, then ${WINDOWS} windows of ${WINDOW_S} s (ticks counted from each command's output), all commands at once\n`);
console.log('| command | pids | steady CPU µs / pid / tick (mean) | each window | ticks in each window | ÷ pidusage | ÷ pidstat | first ' + WARM_S + ' s, µs / pid / tick | processes on the machine | fds |');
console.log('|---|---:|---:|---|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  const peer = (name) => rows.find((x) => x.n === r.n && x.name.startsWith(name)).us;
  console.log(`| ${r.name} | ${r.n} | ${r.us.toFixed(1)} | ${r.runs} | ${r.ticks} | ${(r.us / peer('pidusage')).toFixed(2)} | ` +
    `${(r.us / peer('pidstat')).toFixed(2)} | ${r.warm.toFixed(1)} | ${r.machine} | ${r.fds} |`);
}
