// procstream's Prometheus endpoint vs Debian's prometheus-process-exporter, watching the same 1,000 idle processes
// (copies of sleep under one command name, started here). Usage: npm run build && node bench/prometheus.mjs [scrapes] [windowS]
// Every figure is CPU time (utime+stime of the exporter process from /proc/<pid>/stat, all threads), never wall time:
// the machine is shared. Phase 1: CPU per scrape, N scrapes back to back, with procstream sampling only once at start
// so a scrape is all it does. Phase 2: total CPU over a window at equal resolution (sampled and scraped every 15 s),
// and procstream sampling at 1 Hz, all scraped every 15 s; all exporters run side by side in the same window.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuSeconds, freePort } from './_proc-helpers.mjs';

const SCRAPES = Number(process.argv[2] ?? 20);
const WINDOW_S = Number(process.argv[3] ?? 60);
const N = 1000;
const COMM = 'pst-bench-idle';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'procstream-prom-bench-'));
const index = pathToFileURL(join(import.meta.dirname, '../dist/index.js')).href;
const started = [];

function start(file, args) {
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
  started.push(child);
  return child;
}
async function ready(url) {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} never answered`);
}
const scrape = (url) => fetch(url, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } }).then((r) => r.text());

/** procstream as its own process: watchUnits → prometheus on loopback. `perPid` makes one unit per process. */
async function procstream(name, intervalMs, perPid = false) {
  const port = await freePort();
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { prometheus, watchUnits } from ${JSON.stringify(index)};
    const pids = readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).filter((d) => {
      try { return readFileSync('/proc/' + d + '/comm', 'utf8').trim() === ${JSON.stringify(COMM)}; } catch { return false; }
    });
    const targets = ${perPid} ? pids.map((p) => ({ unit: 'idle-' + p, pid: Number(p) })) : [{ unit: 'idle', comm: ${JSON.stringify(COMM)} }];
    const { events$ } = watchUnits({ targets, intervalMs: ${intervalMs}, summaryEveryMs: 3_600_000 });
    events$.pipe(prometheus({ port: ${port} })).subscribe();`;
  const child = start(process.execPath, ['--input-type=module', '-e', script]);
  const url = `http://127.0.0.1:${port}/metrics`;
  await ready(url);
  return { name, pid: child.pid, url };
}
async function processExporter(name) {
  const port = await freePort();
  const config = join(dir, 'process-exporter.yml');
  writeFileSync(config, `process_names:\n  - name: "{{.Comm}}"\n    comm:\n      - ${COMM}\n`);
  const child = start('prometheus-process-exporter', ['-config.path', config, '-web.listen-address', `127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}/metrics`;
  await ready(url);
  return { name, pid: child.pid, url };
}

async function perScrape(exporter) {
  for (let i = 0; i < 3; i++) await scrape(exporter.url); // warm-up: JIT, first /proc walk
  await sleep(500);
  const cpu0 = cpuSeconds(exporter.pid);
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) bytes += (await scrape(exporter.url)).length;
  const ms = ((cpuSeconds(exporter.pid) - cpu0) * 1000) / SCRAPES;
  return { name: exporter.name, cpuMsPerScrape: ms, bytesPerScrape: Math.round(bytes / SCRAPES) };
}

try {
  const binary = join(dir, COMM);
  copyFileSync('/bin/sleep', binary);
  const sleeper = start('sh', ['-c', `i=0; while [ $i -lt ${N} ]; do "${binary}" 3600 & i=$((i+1)); done; wait`]);
  for (;;) {
    const n = execFileSync('pgrep', ['-c', '-x', COMM], { encoding: 'utf8' }).trim();
    if (Number(n) >= N) break;
    await sleep(200);
  }
  const machine = {
    nproc: cpus().length, cpu: cpus()[0]?.model, node: process.version, load: loadavg().map((x) => x.toFixed(2)).join(' '),
    processExporter: execFileSync('prometheus-process-exporter', ['-version'], { encoding: 'utf8' }).split('\n')[0],
  };

  // Phase 1: CPU per scrape. procstream samples once at start (interval of an hour), so only scrapes cost CPU.
  const phase1 = [
    await processExporter('process-exporter'),
    await procstream('procstream, 1 unit (comm group)', 3_600_000),
    await procstream('procstream, 1,000 units (one per pid)', 3_600_000, true),
  ];
  await sleep(1500);
  const perScrapeRows = [];
  for (const e of phase1) perScrapeRows.push(await perScrape(e));
  for (const e of phase1) process.kill(-e.pid, 'SIGKILL');

  // Phase 2: all exporters side by side for WINDOW_S, each scraped every 15 s.
  const phase2 = [
    await processExporter('process-exporter (scraped every 15 s)'),
    await procstream('procstream 15 s, 1 unit', 15_000),
    await procstream('procstream 1 Hz, 1 unit', 1_000),
    await procstream('procstream 15 s, 1,000 units', 15_000, true),
    await procstream('procstream 1 Hz, 1,000 units', 1_000, true),
  ];
  await Promise.all(phase2.map((e) => scrape(e.url)));
  await sleep(3000); // past start-up work
  const c0 = phase2.map((e) => cpuSeconds(e.pid));
  for (let t = 0; t < WINDOW_S; t += 15) {
    await Promise.all(phase2.map((e) => scrape(e.url)));
    await sleep(Math.min(15, WINDOW_S - t) * 1000);
  }
  const perMinute = phase2.map((e, i) => ({ name: e.name, cpuSecondsPerMinute: ((cpuSeconds(e.pid) - c0[i]) * 60) / WINDOW_S }));
  machine.loadAfter = loadavg().map((x) => x.toFixed(2)).join(' ');

  const pe1 = perScrapeRows[0].cpuMsPerScrape;
  const pe2 = perMinute[0].cpuSecondsPerMinute;
  console.log(JSON.stringify({ machine, scrapes: SCRAPES, windowS: WINDOW_S, processes: N,
    perScrape: perScrapeRows.map((r) => ({ ...r, cpuMsPerScrape: +r.cpuMsPerScrape.toFixed(2), cheaperX: +(pe1 / r.cpuMsPerScrape).toFixed(1) })),
    perMinute: perMinute.map((r) => ({ ...r, cpuSecondsPerMinute: +r.cpuSecondsPerMinute.toFixed(3), ratioToProcessExporter: +(r.cpuSecondsPerMinute / pe2).toFixed(3) })),
  }, null, 2));
  void sleeper;
} finally {
  for (const c of started) { try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } }
  rmSync(dir, { recursive: true, force: true });
}
