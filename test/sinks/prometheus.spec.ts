import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_FORMAT_VERSION, NO_UNIT, type MetricEvent } from '../../src/events.js';
import { prometheus, type PrometheusOptions } from '../../src/sinks/prometheus.js';
import { segmentName } from '../../src/formats/segment-names.js';
import { down, sample, tick } from '../../src/testing/index.js';

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0)) c(); });

/** A sink on a free loopback port, fed by a Subject; unsubscribed after the test. */
async function started(options: PrometheusOptions = {}) {
  const input = new Subject<MetricEvent>();
  const sink = prometheus({ port: 0, ...options });
  const seen: MetricEvent[] = [];
  const sub = input.pipe(sink).subscribe((e) => seen.push(e));
  cleanups.push(() => sub.unsubscribe());
  const endpoint = await sink.listening();
  const scrape = async (accept?: string) => {
    const res = await fetch(endpoint.url, { headers: accept ? { accept } : {} });
    return { type: res.headers.get('content-type'), status: res.status, body: await res.text() };
  };
  return { input, sink, seen, endpoint, scrape, sub };
}
const line = (body: string, series: string) => body.split('\n').find((l) => l.startsWith(`${series} `));
const value = (body: string, series: string) => Number(line(body, series)?.split(' ')[1]);

describe('prometheus', () => {
  it('listens on 127.0.0.1 by default and passes every event through unchanged', async () => {
    const { input, seen, endpoint } = await started();
    expect(endpoint.host).toBe('127.0.0.1');
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}/metrics`);
    const events = [sample('a', 1), down('a', 2)];
    events.forEach((e) => input.next(e));
    expect(seen).toEqual(events);
  });

  it('serves the per-unit metrics of the newest events, labelled by unit only', async () => {
    const { input, scrape } = await started();
    input.next(sample('api', 1, { pid: 4242, cpuUserSeconds: 2.5, cpuSystemSeconds: 0.5, rssBytes: 52_428_800, ioReadBytes: 4096, ioWriteBytes: 512, processes: 3, threads: 11 }));
    const { body, type, status } = await scrape();
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(value(body, 'procstream_unit_cpu_seconds_total{unit="api",mode="user"}')).toBe(2.5);
    expect(value(body, 'procstream_unit_cpu_seconds_total{unit="api",mode="system"}')).toBe(0.5);
    expect(value(body, 'procstream_unit_resident_memory_bytes{unit="api"}')).toBe(52_428_800);
    expect(value(body, 'procstream_unit_disk_read_bytes_total{unit="api"}')).toBe(4096);
    expect(value(body, 'procstream_unit_disk_write_bytes_total{unit="api"}')).toBe(512);
    expect(value(body, 'procstream_unit_up{unit="api"}')).toBe(1);
    expect(value(body, 'procstream_unit_restarts_total{unit="api"}')).toBe(0);
    expect(value(body, 'procstream_unit_processes{unit="api"}')).toBe(3);
    expect(value(body, 'procstream_unit_threads{unit="api"}')).toBe(11);
    expect(body).not.toMatch(/pid|4242/);
  });

  it('keeps the CPU counter growing across a restart and counts the restart', async () => {
    const { input, scrape } = await started();
    input.next(sample('svc', 1, { pid: 1, startTimeMs: 1, cpuUserSeconds: 8 }));
    input.next(down('svc', 2));
    expect(value((await scrape()).body, 'procstream_unit_up{unit="svc"}')).toBe(0);
    expect(line((await scrape()).body, 'procstream_unit_resident_memory_bytes{unit="svc"}')).toBeUndefined();
    input.next({ type: 'unit-restarted', v: EVENT_FORMAT_VERSION, unit: 'svc', ts: 3, previous: { pid: 1, startTimeMs: 1 }, current: { pid: 2, startTimeMs: 3 }, restarts: 1 });
    input.next(sample('svc', 3, { pid: 2, startTimeMs: 3, cpuUserSeconds: 0.25 }));
    const { body } = await scrape();
    expect(value(body, 'procstream_unit_cpu_seconds_total{unit="svc",mode="user"}')).toBe(8.25);
    expect(value(body, 'procstream_unit_restarts_total{unit="svc"}')).toBe(1);
  });

  it('escapes unit names as label values', async () => {
    const { input, scrape } = await started();
    input.next(sample('a"b\\c\nd', 1));
    expect((await scrape()).body).toContain('procstream_unit_up{unit="a\\"b\\\\c\\nd"} 1');
  });

  it('answers Prometheus with OpenMetrics, and anyone else with the text format', async () => {
    const { input, scrape } = await started();
    input.next(sample('a', 1, { cpuUserSeconds: 1 }));
    const open = await scrape(PROMETHEUS_ACCEPT);
    expect(open.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(open.body).toContain('# TYPE procstream_unit_cpu_seconds counter');
    expect(open.body).toContain('procstream_unit_cpu_seconds_total{unit="a",mode="user"} 1');
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    const text = await scrape();
    expect(text.body).toContain('# TYPE procstream_unit_cpu_seconds_total counter'); // the OpenMetrics scrape renamed nothing here
    expect(text.body).not.toContain('# EOF');
  });

  it('reports skipped ticks, dropped events, spill errors, sample durations, tick lags and spill bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-prom-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, segmentName(1, 0)), 'x'.repeat(300));
    writeFileSync(join(dir, segmentName(2, 1)), 'y'.repeat(200));
    writeFileSync(join(dir, 'not-ours.txt'), 'z'.repeat(1000));
    const { input, scrape } = await started({ spillDir: dir });
    const problem = { v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: 1 } as const;
    input.next({ ...problem, type: 'dropped', source: 'interval', reason: 'overlap', count: 2, total: 2 });
    input.next({ ...problem, type: 'dropped', source: 'spill', reason: 'queue-full', count: 5, total: 5 });
    input.next({ ...problem, type: 'error', source: 'spill', code: 'ENOSPC', message: 'full', count: 1 });
    input.next(tick(0, { samplingMs: 3, lagMs: 1 }));
    input.next(tick(1_000, { samplingMs: 200, lagMs: 2 }));
    input.next(tick(3_000, { samplingMs: 0, lagMs: 1_250, missed: 1 })); // sampled in under the clock's resolution
    const { body } = await scrape();
    expect(value(body, 'procstream_ticks_skipped_total')).toBe(2);
    expect(value(body, 'procstream_events_dropped_total{source="spill"}')).toBe(5);
    expect(value(body, 'procstream_spill_errors_total{code="ENOSPC"}')).toBe(1);
    expect(value(body, 'procstream_sample_duration_seconds_count')).toBe(3);
    expect(value(body, 'procstream_sample_duration_seconds_bucket{le="0.005"}')).toBe(2);
    expect(value(body, 'procstream_sample_duration_seconds_sum')).toBeCloseTo(0.203, 9);
    expect(value(body, 'procstream_tick_lag_seconds_count')).toBe(3);
    expect(value(body, 'procstream_tick_lag_seconds_bucket{le="0.0025"}')).toBe(2);
    expect(value(body, 'procstream_tick_lag_seconds_sum')).toBeCloseTo(1.253, 9);
    expect(value(body, 'procstream_spill_bytes')).toBe(500);
  });

  it('shows every scrape the newest values, also for a unit removed and seen again', async () => {
    const { input, scrape } = await started();
    const cpu = async () => value((await scrape()).body, 'procstream_unit_cpu_seconds_total{unit="a",mode="user"}');
    const rss = async () => value((await scrape()).body, 'procstream_unit_resident_memory_bytes{unit="a"}');
    input.next(sample('a', 1, { cpuUserSeconds: 5, rssBytes: 1000 }));
    expect([await cpu(), await rss()]).toEqual([5, 1000]);
    input.next(sample('a', 2, { cpuUserSeconds: 7, rssBytes: 2000 }));
    expect([await cpu(), await rss()]).toEqual([7, 2000]);
    input.next(sample('a', 3, { cpuUserSeconds: 7, rssBytes: 1000 }));
    expect([await cpu(), await rss()]).toEqual([7, 1000]);
    input.next({ type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit: 'a', ts: 4, reason: 'retention' });
    expect((await scrape()).body).not.toContain('unit="a"');
    input.next(sample('a', 5, { pid: 9, startTimeMs: 5, cpuUserSeconds: 1, rssBytes: 1000 }));
    expect([await cpu(), await rss()]).toEqual([1, 1000]);
    input.next(sample('a', 6, { pid: 9, startTimeMs: 5, cpuUserSeconds: 4, rssBytes: 1000 }));
    expect(await cpu()).toBe(4);
    input.next({ type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit: 'a', ts: 7, reason: 'retention' });
    input.next(sample('a', 8, { pid: 10, startTimeMs: 8, cpuUserSeconds: 2 })); // back before the next scrape
    expect(await cpu()).toBe(2);
  });

  it('forgets a removed unit', async () => {
    const { input, scrape } = await started();
    input.next(sample('gone', 1));
    input.next({ type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit: 'gone', ts: 2, reason: 'target-removed' });
    expect((await scrape()).body).not.toContain('gone');
  });

  it('answers 404 off /metrics and 405 to POST', async () => {
    const { endpoint } = await started();
    expect((await fetch(endpoint.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(endpoint.url, { method: 'POST' })).status).toBe(405);
  });

  it('closes the server when the source completes, then completes', async () => {
    const { input, seen, endpoint, sub } = await started();
    input.next(sample('a', 1));
    input.complete();
    await new Promise((r) => setTimeout(r, 50));
    expect(sub.closed).toBe(true);
    expect(seen).toHaveLength(1);
    await expect(fetch(endpoint.url)).rejects.toThrow();
  });

  it('closes the server on unsubscribe', async () => {
    const { endpoint, sub } = await started();
    sub.unsubscribe();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(endpoint.url)).rejects.toThrow();
  });

  it('fails the stream with E_SINK when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const sink = prometheus({ port });
    const result = lastValueFrom(new Subject<MetricEvent>().pipe(sink, toArray()));
    await expect(result).rejects.toMatchObject({ code: 'E_SINK', message: expect.stringMatching(/EADDRINUSE/) });
    await expect(sink.listening()).rejects.toMatchObject({ code: 'E_SINK' });
  });

  it('starts from empty state on each subscription', async () => {
    const first = await started();
    first.input.next(sample('old', 1));
    first.sub.unsubscribe();
    const second = await started();
    expect((await second.scrape()).body).not.toContain('old');
  });
});
