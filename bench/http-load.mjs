// Tick lag of procstream under HTTP load: 500 idle processes watched as 500 units at 1 Hz, and wrk -c50 hammering
// the server. Usage: npm run build && node bench/http-load.mjs [wrkSeconds=30] [baselineSeconds=10]
// Optional peer: PEER_DIST=/path/to/an/older/dist (e.g. `git archive 935cd6b | tar -x -C /tmp/old && cd /tmp/old &&
// npx tsc -p tsconfig.build.json`) adds that build's /metrics under the same load, for comparison.
// Each case runs procstream in its own process: `baselineSeconds` without load, then wrk for `wrkSeconds`. Tick lag is
// the tick events' lagMs (ms from a tick's deadline to the start of its sampling; tickLagMs$ in older builds); CPU is utime+stime of the
// procstream process from /proc/<pid>/stat, per second of wall time, so a loaded machine shows as lag, not as CPU.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuSeconds, freePort } from './_proc-helpers.mjs';

const WRK_S = Number(process.argv[2] ?? 30);
const BASE_S = Number(process.argv[3] ?? 10);
const N = 500;
const COMM = 'pst-http-idle';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'procstream-http-bench-'));
const started = [];
const distIndex = (dist) => pathToFileURL(join(dist, 'index.js')).href;

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);

/** procstream in a child: 500 per-pid units at 1 Hz into `sink` ('dashboard' or 'prometheus'); prints its tick lags on SIGUSR2. */
async function procstream(dist, sink) {
  const port = await freePort();
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import * as ps from ${JSON.stringify(distIndex(dist))};
    const pids = readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).filter((d) => {
      try { return readFileSync('/proc/' + d + '/comm', 'utf8').trim() === ${JSON.stringify(COMM)}; } catch { return false; }
    });
    const targets = pids.map((p) => ({ unit: 'idle-' + p, pid: Number(p) }));
    const w = ps.watchUnits({ targets, intervalMs: 1000, summaryEveryMs: 3_600_000 });
    let lags = [];
    // Builds before the tick event had side-channel streams of the self-metrics; newer ones emit 'tick' events.
    const self = w.tickLagMs$ ? { tickLagMs$: w.tickLagMs$, sampleSeconds$: w.sampleSeconds$ } : {};
    w.tickLagMs$?.subscribe((ms) => lags.push(ms));
    process.on('SIGUSR2', () => { process.stdout.write(JSON.stringify(lags) + '\\n'); lags = []; });
    const sink = ${JSON.stringify(sink)} === 'dashboard'
      ? ps.httpDashboard({ port: ${port}, store: w.store, ...self })
      : ps.prometheus({ port: ${port}, ...self });
    w.events$.pipe(sink).subscribe((e) => { if (e.type === 'tick') lags.push(e.lagMs); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  const lags = async () => {
    const before = out.length;
    process.kill(child.pid, 'SIGUSR2');
    while (!out.slice(before).includes('\n')) await sleep(20);
    return JSON.parse(out.slice(before).split('\n')[0]);
  };
  for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.ok, () => false)); i++) await sleep(100);
  return { pid: child.pid, port, lags };
}

function wrk(url, seconds) {
  return new Promise((resolve, reject) => execFile('wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', url], (e, stdout) => {
    if (e) return reject(e);
    resolve({ requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]), p99Latency: /99%\s+(\S+)/.exec(stdout)?.[1] });
  }));
}

const summary = (lags) => {
  const s = [...lags].sort((a, b) => a - b);
  return { ticks: s.length, p50Ms: pct(s, 50), p99Ms: pct(s, 99), maxMs: s.at(-1) ?? null };
};

async function runCase(name, dist, sink, path) {
  const p = await procstream(dist, sink);
  await sleep(5000); // past start-up: the first /proc walk, JIT
  await p.lags();
  const c0 = cpuSeconds(p.pid);
  await sleep(BASE_S * 1000);
  const idle = summary(await p.lags());
  const c1 = cpuSeconds(p.pid);
  const load = await wrk(`http://127.0.0.1:${p.port}${path}`, WRK_S);
  const loaded = summary(await p.lags());
  const c2 = cpuSeconds(p.pid);
  process.kill(-p.pid, 'SIGKILL');
  return { name, path, idle: { ...idle, cpuPerSec: +((c1 - c0) / BASE_S).toFixed(3) },
    underWrk: { ...loaded, cpuPerSec: +((c2 - c1) / WRK_S).toFixed(3), ...load } };
}

try {
  const binary = join(dir, COMM);
  copyFileSync('/bin/sleep', binary);
  start: {
    const s = spawn('sh', ['-c', `i=0; while [ $i -lt ${N} ]; do "${binary}" 3600 & i=$((i+1)); done; wait`], { detached: true, stdio: 'ignore' });
    started.push(s);
    while (Number(execFileSync('pgrep', ['-c', '-x', COMM], { encoding: 'utf8' }).trim()) < N) await sleep(200);
    break start;
  }
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadBefore: loadavg().map((x) => x.toFixed(2)).join(' '),
    wrk: execFileSync('sh', ['-c', 'wrk -v 2>&1 | head -1'], { encoding: 'utf8' }).trim() };
  const here = join(import.meta.dirname, '../dist');
  const cases = [];
  if (process.env.PEER_DIST) cases.push(await runCase('previous build, prometheus', process.env.PEER_DIST, 'prometheus', '/metrics'));
  cases.push(await runCase('this build, prometheus', here, 'prometheus', '/metrics'));
  cases.push(await runCase('this build, dashboard', here, 'dashboard', '/metrics'));
  cases.push(await runCase('this build, dashboard', here, 'dashboard', '/api/units'));
  machine.loadAfter = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(JSON.stringify({ machine, processes: N, units: N, wrkSeconds: WRK_S, baselineSeconds: BASE_S, cases }, null, 2));
} finally {
  for (const c of started) { try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } }
  rmSync(dir, { recursive: true, force: true });
}
