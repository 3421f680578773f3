import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheus } from '../../src/sinks/prometheus.js';
import { watchUnits } from '../../src/watch-units.js';
import { kill, killAll, schedCpuSeconds, sleep, startNode, statusField } from '../helpers/children.js';
import { prometheusBinary, startPrometheus, type PrometheusServer } from '../helpers/prometheus-server.js';

const binary = prometheusBinary();
if (!binary && !process.env.CI) console.warn('prometheus.real.spec: skipped: no `prometheus` binary on PATH and CI is unset (apt-get install prometheus)');
const IDLE = 'process.stdout.write("ready"); setInterval(() => {}, 1e6);';
// Burns 0.6 s of CPU (CPU time, not wall time: the host may be busy), then idles: after a restart the new process's
// own counter starts far below it, so a sink that passed the sampler's counters through would go backwards.
const BURN_THEN_IDLE = 'while (process.cpuUsage().user < 600_000) {} process.stdout.write("ready"); setInterval(() => {}, 1e6);';
const now = () => Date.now() / 1000;
const single = (series: { value?: [number, string] }[]) => Number(series[0]?.value?.[1]);

// Against a real Prometheus 2.x scraping us every second over loopback: its own rate(), resets() and storage.
describe.skipIf(!binary && !process.env.CI)('prometheus sink scraped by a real Prometheus', () => {
  let server: PrometheusServer;
  let subscription: Subscription;
  let dir: string;
  const pids: Record<string, number> = {};
  let svcKilledAt = 0;
  let t0 = 0;
  // What the busy loop really got, from schedstat every 250 ms, to compare with rate() over the same window.
  const kernel: [number, number][] = [];
  let kernelTimer: ReturnType<typeof setInterval> | undefined;
  const kernelCpuAt = (t: number) => kernel.reduce((best, s) => (Math.abs(s[0] - t) < Math.abs(best[0] - t) ? s : best));

  beforeAll(async () => {
    expect(binary, 'CI is set, so the prometheus binary must be installed (.ci/run does)').toBeDefined();
    dir = mkdtempSync(join(tmpdir(), 'procstream-prom-real-'));
    const pidFile = join(dir, 'svc.pid');
    const busy = await startNode('process.stdout.write("ready"); for (;;) {}', true);
    const mem = await startNode('const b = Buffer.alloc(200 * 1024 * 1024, 1); process.stdout.write("ready"); setInterval(() => b[0]++, 1e6);', true);
    const svc = await startNode(BURN_THEN_IDLE, true);
    Object.assign(pids, { busy: busy.pid!, mem: mem.pid!, svc: svc.pid! });
    writeFileSync(pidFile, String(svc.pid));
    const { events$ } = watchUnits({
      targets: [{ unit: 'busy', pid: busy.pid! }, { unit: 'mem', pid: mem.pid! }, { unit: 'svc', pidFile }],
      intervalMs: 100, // a scrape then sees values at most 0.1 s old, so rate() over 10 s is off by 1 % at most
    });
    const sink = prometheus({ port: 0 });
    subscription = events$.pipe(sink).subscribe();
    const endpoint = await sink.listening();
    server = await startPrometheus(binary!, `127.0.0.1:${endpoint.port}`);
    t0 = now();
    kernelTimer = setInterval(() => kernel.push([now(), schedCpuSeconds([busy.pid!])]), 250);
    // Let Prometheus see the first svc process for a few scrapes, then kill it and start another behind the pid file.
    await sleep(3_500);
    await kill(svc);
    svcKilledAt = now();
    await sleep(1_500);
    const svc2 = await startNode(IDLE, true);
    writeFileSync(pidFile, String(svc2.pid));
    // rate() over 10 s extrapolates only half an interval past the first sample in its window, so it reads low until
    // Prometheus (whose first scrape comes after a start-up offset) holds scrapes covering the whole window.
    for (let i = 0; i < 100; i++) {
      const covered = single(await server.query('count_over_time(procstream_unit_up{unit="busy"}[11s])'));
      if (covered >= 11) break;
      await sleep(500);
    }
  }, 60_000);

  afterAll(async () => {
    clearInterval(kernelTimer);
    subscription?.unsubscribe();
    await server?.stop();
    await killAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes us as up, with the sample-duration histogram of every tick', async () => {
    const up = await server.query('up{job="procstream"}');
    expect(single(up)).toBe(1);
    expect(single(await server.query('procstream_sample_duration_seconds_count'))).toBeGreaterThan(50);
  });

  it('rates a busy-loop unit at 0.9–1.1 cores, summed over modes', async (ctx) => {
    const at = now();
    const [rate] = await server.query('sum by (unit) (rate(procstream_unit_cpu_seconds_total{unit="busy"}[10s]))', at);
    const [from, to] = [kernelCpuAt(at - 10), kernelCpuAt(at)];
    const got = (to[1] - from[1]) / (to[0] - from[0]);
    expect(rate?.metric).toEqual({ unit: 'busy' });
    const cores = Number(rate?.value?.[1]);
    expect(Math.abs(cores - got)).toBeLessThan(0.1); // also on a starved host: rate() must say what the loop got
    if (got < 0.9) ctx.skip(`host too busy: the busy loop got only ${got.toFixed(2)} of a core (rate() said ${cores.toFixed(2)})`);
    expect(cores).toBeGreaterThanOrEqual(0.9);
    expect(cores).toBeLessThanOrEqual(1.1);
  });

  it('reports the resident memory of a unit holding 200 MB within 2 % of VmRSS', async () => {
    const rss = single(await server.query('procstream_unit_resident_memory_bytes{unit="mem"}'));
    const vmRss = statusField(pids.mem!, 'VmRSS') * 1024;
    expect(vmRss).toBeGreaterThan(200 * 1024 * 1024);
    expect(Math.abs(rss - vmRss) / vmRss).toBeLessThan(0.02);
  });

  it('keeps the CPU counter monotonic across a kill and restart, and counts the restart', async () => {
    const end = now();
    const start = Math.floor(t0);
    const cpu = await server.queryRange('sum(procstream_unit_cpu_seconds_total{unit="svc"})', start, end, 0.5);
    const values = cpu[0]!.values!.map(([, v]) => Number(v));
    expect(values.length).toBeGreaterThan(10);
    expect(values[0]).toBeGreaterThan(0.55); // the first process burned 0.6 s
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(single(await server.query('sum(resets(procstream_unit_cpu_seconds_total{unit="svc"}[1m]))', end))).toBe(0);
    const restarts = await server.queryRange('procstream_unit_restarts_total{unit="svc"}', start, end, 0.5);
    const counts = restarts[0]!.values!.map(([t, v]) => [t, Number(v)] as const);
    expect(counts.filter(([t]) => t < svcKilledAt).every(([, v]) => v === 0), JSON.stringify(counts)).toBe(true);
    expect(counts.at(-1)![1]).toBe(1);
  });
});
