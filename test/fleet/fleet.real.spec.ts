/**
 * A fleet with real parts: three test hosts (network namespaces with veth links, root only), each running
 * `procstream watch --prometheus ADDR` over its own processes, and one real Prometheus scraping all three through
 * file_sd_configs with docs/deploy/procstream.rules.yml loaded. Every query goes through Prometheus's HTTP API.
 */
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuilt, root } from '../helpers/bin.js';
import { killAll, sleep, startNode } from '../helpers/children.js';
import { canMakeTestHosts, createTestHost, type TestHost } from '../helpers/netns.js';
import { prometheusBinary, startPrometheus, type PrometheusServer, type Series } from '../helpers/prometheus-server.js';

const promBinary = prometheusBinary();
const able = promBinary !== undefined && canMakeTestHosts();
if (!able && !process.env.CI) console.warn('fleet.real.spec: skipped: needs root, iproute2 and the prometheus binary (CI has all three)');

const RULES = join(root, 'docs/deploy/procstream.rules.yml');
const DASHBOARD = join(root, 'docs/grafana/procstream.json');
const PORT = 9465;
// A light duty cycle (about 5 % of a core) and a buffer that sets each process's RSS apart.
const worker = (mib: number) =>
  `const b = Buffer.alloc(${mib} * 1024 * 1024, 1); process.stdout.write("ready");` +
  'setInterval(() => { const end = Date.now() + 5; while (Date.now() < end) b[0]++; }, 100);';
// Which units each host runs: `api` and `db` live on two hosts each, so sums across hosts mean something.
const PLAN: Record<string, number>[] = [{ api: 40, worker: 20 }, { api: 60, db: 80 }, { db: 30, worker: 50 }];

interface Host { net: TestHost; instance: string; units: Record<string, number>; unitsFile: string; watch?: ChildProcess }

const values = (series: Series[]) => series.map((s) => Number(s.value?.[1]));
const byLabel = (series: Series[], label: string) => new Map(series.map((s) => [s.metric[label] ?? '', Number(s.value?.[1])]));

describe.skipIf(!able && !process.env.CI)('a fleet of three hosts scraped by one real Prometheus', () => {
  const hosts: Host[] = [];
  let prometheus: PrometheusServer;
  let dir: string;

  /** Starts (or restarts) procstream inside a host's namespace and waits until it serves /metrics. */
  async function startWatch(host: Host): Promise<void> {
    const child = host.net.spawn(process.execPath, [
      bin, 'watch', '--units', host.unitsFile, '--interval', '500ms', '--format', 'ndjson',
      '--prometheus', `${host.net.address}:${PORT}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    for (let i = 0; !stderr.includes('metrics at'); i++) {
      if (child.exitCode !== null || i > 200) throw new Error(`procstream in ${host.net.ns} did not start: ${stderr}`);
      await sleep(100);
    }
    host.watch = child;
  }

  async function stopWatch(host: Host): Promise<void> {
    const child = host.watch;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
    await exited;
  }

  /** Waits until `expr` returns at least `count` series (Prometheus scrapes and evaluates every second). */
  async function waitForSeries(expr: string, count: number, what: string): Promise<Series[]> {
    for (let i = 0; ; i++) {
      const result = await prometheus.query(expr);
      if (result.length >= count) return result;
      if (i > 120) throw new Error(`${what}: ${expr} gave ${result.length} series after 60 s`);
      await sleep(500);
    }
  }

  beforeAll(async () => {
    expect(able, 'CI runs as root with iproute2 and prometheus (.ci/run installs them)').toBe(true);
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'procstream-fleet-'));
    for (const [index, plan] of PLAN.entries()) {
      const net = createTestHost(index);
      const units: Record<string, number> = {};
      for (const [unit, mib] of Object.entries(plan)) units[unit] = (await startNode(worker(mib), true)).pid!;
      const unitsFile = join(dir, `units-${index}.json`);
      writeFileSync(unitsFile, JSON.stringify({ units: Object.entries(units).map(([unit, pid]) => ({ unit, pid })) }));
      hosts.push({ net, instance: `${net.address}:${PORT}`, units, unitsFile });
    }
    await Promise.all(hosts.map(startWatch));
    const targets = join(dir, 'targets.json');
    writeFileSync(targets, JSON.stringify([{ targets: hosts.map((h) => h.instance), labels: { fleet: 'test' } }]));
    prometheus = await startPrometheus(promBinary!, {
      scrapeConfigs: ['  - job_name: procstream', '    file_sd_configs:', `      - files: [${JSON.stringify(targets)}]`,
        '        refresh_interval: 1s'],
      ruleFiles: [RULES],
    });
    await waitForSeries('up{job="procstream"} == 1', 3, 'every host scraped');
    // Counters need a few scrapes in a window before rate() and increase() have two points to work with.
    await waitForSeries('count_over_time(procstream_unit_up[10s]) >= 6', 6, 'six scrapes of every unit');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(hosts.map(stopWatch));
    for (const host of hosts) host.net.remove();
    await prometheus?.stop();
    await killAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every host\'s units, told apart by the instance label', async () => {
    const up = await prometheus.query('procstream_unit_up');
    const seen = up.map((s) => `${s.metric.instance} ${s.metric.unit}`).sort();
    const planned = hosts.flatMap((h) => Object.keys(h.units).map((u) => `${h.instance} ${u}`)).sort();
    expect(seen).toEqual(planned);
    expect(values(up)).toEqual(planned.map(() => 1));
    expect(up.every((s) => s.metric.job === 'procstream' && s.metric.fleet === 'test')).toBe(true);
  });

  it('sums a unit across hosts to the sum of its per-host series, evaluated at the same instant', async () => {
    const at = Date.now() / 1000 - 1;
    for (const metric of ['procstream_unit_resident_memory_bytes', 'procstream_unit_cpu_seconds_total']) {
      const perHost = await prometheus.query(metric, at);
      const summed = byLabel(await prometheus.query(`sum by (unit) (${metric})`, at), 'unit');
      const expected = new Map<string, number>();
      for (const s of perHost) expected.set(s.metric.unit!, (expected.get(s.metric.unit!) ?? 0) + Number(s.value![1]));
      expect([...summed.keys()].sort()).toEqual(['api', 'db', 'worker']);
      for (const [unit, total] of expected) expect(summed.get(unit)).toBeCloseTo(total, 6);
    }
  });

  it('reports each host\'s RSS as the kernel reports it for that host\'s processes', async () => {
    const rss = await prometheus.query('procstream_unit_resident_memory_bytes');
    const pageBytes = 4096;
    for (const host of hosts) {
      for (const [unit, pid] of Object.entries(host.units)) {
        const kernel = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageBytes;
        const exported = Number(rss.find((s) => s.metric.instance === host.instance && s.metric.unit === unit)?.value?.[1]);
        // the buffers are allocated once; what still moves is the runtime's own few MiB
        expect(Math.abs(exported - kernel), `${unit} on ${host.instance}`).toBeLessThan(8 * 1024 * 1024);
      }
    }
  });

  it('answers every query of the Grafana dashboard with data', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { name: string; type: string; query?: { query: string } }[] };
    };
    const fill = (expr: string) =>
      expr.replaceAll('$__rate_interval', '5s').replace(/\$(instance|unit|job)\b/g, '.*');
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: fill(t.expr) })));
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    for (const { panel, expr } of exprs) {
      const result = await prometheus.query(expr);
      expect(result.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      expect(result.some((s) => Number.isFinite(Number(s.value?.[1]))), `${panel}: ${expr}`).toBe(true);
    }
    // label_values(metric{selector}, label): Grafana asks Prometheus's label-values endpoint with match[]
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(variable.query!.query)!;
      const res = await fetch(`${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': fill(selector!) })}`);
      const body = (await res.json()) as { data: string[] };
      expect(body.data.length, `variable ${variable.name}`).toBeGreaterThan(0);
    }
  });

  it('checks and runs the recording rules of docs/deploy without errors', async () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const records = [...readFileSync(RULES, 'utf8').matchAll(/^\s+- record: (\S+)$/gm)].map((m) => m[1]!);
    expect(records.length).toBeGreaterThanOrEqual(7);
    for (const record of records) await waitForSeries(record, 1, `recorded series ${record}`);
    const fleetCpu = byLabel(await prometheus.query('unit:procstream_unit_cpu_seconds:rate1m'), 'unit');
    expect([...fleetCpu.keys()].sort()).toEqual(['api', 'db', 'worker']);
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const unhealthy = rules.data.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok');
    expect(unhealthy).toEqual([]);
  }, 60_000);

  it('serves exposition that `promtool check metrics` passes, with no pid or start time in any label', async () => {
    const pids = new Set(hosts.flatMap((h) => Object.values(h.units).map(String)));
    for (const host of hosts) {
      const text = await (await fetch(`http://${host.instance}/metrics`)).text();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      expect((check.stdout + check.stderr).trim()).toBe('');
      const labels = [...text.matchAll(/^\w+\{([^}]*)\}/gm)].flatMap((m) => [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)]);
      expect(new Set(labels.map((l) => l[1]))).toEqual(new Set(['unit', 'mode', 'le']));
      expect(labels.filter((l) => pids.has(l[2]!))).toEqual([]);
    }
  });

  it('sees a restarted exporter as a counter reset that rate() handles, with no negative rate', async () => {
    const host = hosts[1]!;
    const selector = `{instance="${host.instance}"}`;
    const before = Date.now() / 1000;
    await stopWatch(host);
    await sleep(2_500);
    await startWatch(host);
    await waitForSeries(`count_over_time(procstream_tick_lag_seconds_count${selector}[6s]) >= 5`, 1, 'five scrapes after the restart');
    const after = Date.now() / 1000;
    const window = `${Math.ceil(after - before) + 5}s`;
    // the new process counts its ticks from zero: Prometheus must see that as a reset
    expect(values(await prometheus.query(`resets(procstream_tick_lag_seconds_count${selector}[${window}])`))[0]).toBeGreaterThanOrEqual(1);
    for (const counter of ['procstream_tick_lag_seconds_count', 'procstream_unit_cpu_seconds_total']) {
      const rates = await prometheus.queryRange(`rate(${counter}${selector}[3s])`, before, after, 0.5);
      const points = rates.flatMap((s) => (s.values ?? []).map(([, v]) => Number(v)));
      expect(points.length, counter).toBeGreaterThan(5);
      expect(Math.min(...points), counter).toBeGreaterThanOrEqual(0);
    }
  }, 90_000);

  it('sees a host that disappears as up == 0', async () => {
    const host = hosts[2]!;
    await stopWatch(host);
    host.net.remove();
    const down = await waitForSeries(`up{instance="${host.instance}"} == 0`, 1, 'the vanished host reported down');
    expect(values(down)).toEqual([0]);
    expect(values(await prometheus.query(`up{instance!="${host.instance}"}`))).toEqual([1, 1]);
  }, 60_000);
});

// Keep a stray namespace from outliving a crashed run: the names carry this pid, so only ours match.
process.once('exit', () => {
  try {
    for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
      const name = ns.split(' ')[0];
      if (name?.startsWith(`psfleet-${process.pid % 100_000}`)) execFileSync('ip', ['netns', 'del', name]);
    }
  } catch { /* no iproute2 */ }
});
