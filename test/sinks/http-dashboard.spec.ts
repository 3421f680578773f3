import { connect, type Socket } from 'node:net';
import { from, lastValueFrom, Observable, Subject, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_FORMAT_VERSION, type MetricEvent } from '../../src/events.js';
import { httpDashboard, type HttpDashboardOptions } from '../../src/sinks/http-dashboard.js';
import type { WindowStoreOptions } from '../../src/store/create-window-store.js';
import { windowedStore } from '../../src/streams/windowed-store.js';
import { down, sample, unitAdded } from '../../src/testing/index.js';

const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0)) c(); });
const HOSTILE = '<img src=x onerror=alert(1)>';

/** A dashboard on a free loopback port and a real windowed store, both fed by one Subject. */
async function started(options: Partial<HttpDashboardOptions> = {}, storeOptions: WindowStoreOptions = {}) {
  const input = new Subject<MetricEvent>();
  const store = windowedStore(storeOptions);
  const sink = httpDashboard({ port: 0, store, ...options });
  const seen: MetricEvent[] = [];
  const subs = [input.pipe(store).subscribe(), input.pipe(sink).subscribe((e) => seen.push(e))];
  cleanups.push(() => subs.forEach((s) => s.unsubscribe()));
  const endpoint = await sink.listening();
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(new URL(path, endpoint.url), init);
    return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() };
  };
  return { input, seen, endpoint, get };
}
const restarted = (unit: string, ts: number, restarts: number): MetricEvent =>
  ({ type: 'unit-restarted', v: EVENT_FORMAT_VERSION, unit, ts, previous: null, current: { pid: 2, startTimeMs: 2 }, restarts });
const untilTrue = async (check: () => boolean | Promise<boolean>) => { while (!(await check())) await new Promise((r) => setTimeout(r, 20)); };

describe('httpDashboard', () => {
  it('listens on 127.0.0.1 by default, passes events through, and serves the page with a strict CSP', async () => {
    const { input, seen, endpoint, get } = await started();
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}/`);
    const e = sample('a', Date.now());
    input.next(e);
    expect(seen).toEqual([e]);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).toContain('<script src="/uplot.js">');
    expect((await get('/uplot.js')).text).toContain('uPlot');
  });

  it('lists units in /api/units with their state, restarts, IO rates and a CPU sparkline from the store', async () => {
    const { input, get } = await started();
    const t = Date.now();
    input.next(unitAdded('web', t - 3_000));
    input.next(sample('web', t - 2_000, { cpuPercent: 5, ioReadBytes: 1_000, ioWriteBytes: 0 }));
    input.next(sample('web', t - 1_000, { cpuPercent: 7, ioReadBytes: 3_000, ioWriteBytes: 500 }));
    input.next(restarted('web', t - 1_000, 1));
    input.next(down('db', t - 500, 'pid-file-missing'));
    const body = JSON.parse((await get('/api/units')).text) as { logWindow: boolean; units: Record<string, unknown>[] };
    expect(body.logWindow).toBe(false);
    expect(body.units).toMatchObject([
      { unit: 'db', state: 'down', reason: 'pid-file-missing', cpuPercent: null, sparkCpuPercent: [null] },
      { unit: 'web', state: 'up', cpuPercent: 7, ioReadBytesPerSec: 2_000, ioWriteBytesPerSec: 500, restarts: 1, sparkCpuPercent: [5, 7] },
    ]);
  });

  it('serves a unit series in buckets, with gaps, restarts, and 400/404 for bad queries', async () => {
    // Raw rows throughout (tiers fold the previous minute into one bucket, which keeps no process identity): this is
    // about 10-s columns, gaps and restart markers at row resolution; the tiered 12 h chart has its own test.
    const { input, get } = await started({}, { tiers: false });
    const t = Date.now();
    input.next(sample('web', t - 50_000, { cpuPercent: 10, pid: 1 }));
    input.next(down('web', t - 30_000));
    input.next(sample('web', t - 10_000, { cpuPercent: 20, pid: 2 }));
    const res = await get('/api/units/web/series?window=1m&points=6');
    expect(res.status).toBe(200);
    const s = JSON.parse(res.text) as { cpuMean: (number | null)[]; restartsMs: number[]; downMs: number[]; window: string };
    expect(s.window).toBe('1m');
    expect(s.cpuMean.filter((v) => v !== null)).toEqual([10, 20]);
    expect(s.cpuMean.indexOf(10) < s.cpuMean.indexOf(20) - 1).toBe(true); // a null bucket between: the downtime
    expect([s.restartsMs, s.downMs]).toEqual([[t - 10_000], [t - 30_000]]);
    expect((await get('/api/units/web/series?window=forever')).status).toBe(400);
    expect((await get('/api/units/web/series?points=0')).status).toBe(400);
    expect(JSON.parse((await get('/api/units/web/series?window=log')).text).error).toContain('--spill');
    expect((await get('/api/units/nobody/series')).status).toBe(404);
    expect((await get('/api/units/%E0%A4%A/series')).status).toBe(400);
  });

  it('reaches into the log for window=log: older rows from history, newer ones from the store', async () => {
    const t = Date.now();
    const history = (unit: string) => from(unit !== 'web' ? [] : [sample(unit, t - 7_200_000, { cpuPercent: 1 }), sample('other', t - 7_000_000), sample(unit, t - 3_600_000, { cpuPercent: 2 })]);
    const { input, get } = await started({ history });
    input.next(sample('web', t - 1_000, { cpuPercent: 3 }));
    const s = JSON.parse((await get('/api/units/web/series?window=log&points=3')).text) as { fromMs: number; cpuMean: (number | null)[] };
    expect(s.fromMs).toBeLessThanOrEqual(t - 7_200_000); // the first column starts on a multiple of the column width
    expect(s.fromMs).toBeGreaterThan(t - 7_200_000 - 2 * 3_600_000 / 3);
    expect(s.cpuMean.filter((v) => v !== null)).toEqual([1, 2, 3]);
    expect(JSON.parse((await get('/api/units')).text).logWindow).toBe(true);
    // a unit the log has nothing older of starts where the store's history starts
    input.next(sample('db', t - 20_000, { cpuPercent: 4 }));
    input.next(sample('db', t - 10_000, { cpuPercent: 5 }));
    const db = JSON.parse((await get('/api/units/db/series?window=log&points=20')).text) as typeof s;
    expect(db.fromMs).toBeLessThanOrEqual(t - 20_000);
    expect(db.fromMs).toBeGreaterThan(t - 40_000);
    // (when a minute turned between the two, the first is a 1-minute bucket, drawn across the columns it spans)
    const drawn = db.cpuMean.filter((v) => v !== null);
    expect([drawn[0], drawn.at(-1)]).toEqual([4, 5]);
  });

  it('is read-only: 405 for every other method, /metrics included', async () => {
    const { get } = await started();
    for (const path of ['/', '/api/units', '/api/units/x/series', '/api/events', '/metrics']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const res = await get(path, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow')).toBe('GET, HEAD');
      }
    }
    expect((await get('/nothing')).status).toBe(404);
    for (const path of ['/', '/api/units', '/api/events', '/metrics']) {
      const res = await get(path, { method: 'HEAD' });
      expect([path, res.status, res.text]).toEqual([path, 200, '']);
    }
  });

  it('serves /metrics from the same server, in the Prometheus text format', async () => {
    const { input, get } = await started();
    input.next(sample('api', Date.now(), { rssBytes: 4096 }));
    const res = await get('/metrics');
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toContain('procstream_unit_resident_memory_bytes{unit="api"} 4096');
  });

  it('escapes a hostile unit name in JSON: no raw <, the same name after parsing', async () => {
    const { input, get } = await started();
    input.next(sample(HOSTILE, Date.now()));
    const list = await get('/api/units');
    expect(list.type).toBe('application/json; charset=utf-8');
    expect(list.text).not.toContain('<');
    expect(JSON.parse(list.text).units[0].unit).toBe(HOSTILE);
    const series = await get(`/api/units/${encodeURIComponent(HOSTILE)}/series`);
    expect(series.status).toBe(200);
    expect(series.text).not.toContain('<');
  });

  it('streams changed rows as Server-Sent Events, one message per round', async () => {
    const { input, endpoint } = await started();
    input.next(unitAdded('a', Date.now()));
    const res = await fetch(new URL('/api/events', endpoint.url));
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    const messages: { rows: { unit: string; cpuPercent: number | null }[] }[] = [];
    let buffer = '';
    const read = async (n: number) => {
      while (messages.length < n) {
        buffer += new TextDecoder().decode((await reader.read()).value);
        for (const m of buffer.split('\n\n').slice(0, -1)) { const d = /^data: (.*)$/m.exec(m); if (d) messages.push(JSON.parse(d[1]!)); }
        buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
      }
    };
    await read(1);
    expect(messages[0]!.rows.map((r) => r.unit)).toEqual(['a']);
    const t = Date.now();
    input.next(sample('a', t, { cpuPercent: 3 }));
    input.next(sample('b', t, { cpuPercent: 4 }));
    await read(2);
    expect(messages[1]!.rows.map((r) => [r.unit, r.cpuPercent])).toEqual([['a', 3], ['b', 4]]);
    await reader.cancel();
  });

  it('drops live messages for a client that does not read, counts them in dropped events, then closes it', async () => {
    const { input, seen, endpoint } = await started({ sse: { maxBufferBytes: 64 * 1024, maxDropsInRow: 5 } });
    const socket: Socket = connect(endpoint.port, '127.0.0.1');
    socket.write('GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause(); // never reads: the kernel buffers fill, then our per-client queue
    let closed = false;
    socket.on('close', () => { closed = true; });
    await untilTrue(() => socket.bytesWritten > 0);
    await new Promise((r) => setTimeout(r, 100));
    const names = Array.from({ length: 200 }, (_, i) => `unit-${i}-${'x'.repeat(500)}`); // ~100 KiB per round
    const drops = () => seen.filter((e) => e.type === 'dropped' && e.source === 'http' && e.reason === 'sse-client-slow');
    for (let round = 0; drops().length < 5 && round < 1_000; round += 1) {
      const t = Date.now();
      for (const u of names) input.next(sample(u, t));
      await new Promise((r) => setTimeout(r, 5)); // let the round's message go out
    }
    // one more round: the client is gone, so nothing more is dropped for it
    for (const u of names) input.next(sample(u, Date.now()));
    await new Promise((r) => setTimeout(r, 50));
    expect(drops().map((e) => (e as { count: number }).count)).toEqual([1, 1, 1, 1, 1]);
    expect(drops().at(-1)).toMatchObject({ total: 5 });
    socket.on('error', () => undefined);
    socket.resume(); // reading again, it finds the connection closed by the server
    await untilTrue(() => closed);
  });

  it('answers 500 when a handler throws, and goes on serving and passing events', async () => {
    const input = new Subject<MetricEvent>();
    // a fault no real store shows on demand: its query throws
    const broken = { series: () => { throw new Error('store exploded'); }, latest: () => [], observations: () => 1, now: () => Date.now() };
    const sink = httpDashboard({ port: 0, store: broken });
    const seen: MetricEvent[] = [];
    const sub = input.pipe(sink).subscribe((e) => seen.push(e));
    cleanups.push(() => sub.unsubscribe());
    const { url } = await sink.listening();
    input.next(sample('a', 1));
    const res = await fetch(new URL('/api/units', url));
    expect([res.status, await res.text()]).toEqual([500, 'procstream: store exploded\n']);
    expect((await fetch(new URL('/metrics', url))).status).toBe(200);
    input.next(sample('a', 2));
    expect(seen.map((e) => e.ts)).toEqual([1, 2]);
  });

  it('stops a synchronous source with take(2), and closes its server', async () => {
    let produced = 0;
    const endless = new Observable<MetricEvent>((s) => {
      for (let i = 0; !s.closed && i < 1_000_000; i += 1) { produced += 1; s.next(sample('a', i)); }
    });
    const sink = httpDashboard({ port: 0, store: windowedStore() });
    const out = await lastValueFrom(endless.pipe(sink, take(2), toArray()));
    expect(out.map((e) => e.ts)).toEqual([0, 1]);
    expect(produced).toBe(2);
    await expect(sink.listening()).rejects.toThrow('http: unsubscribed before listening');
  });

  it('completes after its source, once the server has closed', async () => {
    const input = new Subject<MetricEvent>();
    const sink = httpDashboard({ port: 0, store: windowedStore() });
    const done = lastValueFrom(input.pipe(sink, toArray()));
    const { url } = await sink.listening();
    input.next(sample('a', 1));
    input.complete();
    expect((await done).map((e) => e.type)).toEqual(['sample']);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('refuses connections past maxConnections and counts them in one dropped event before the next event', async () => {
    const { input, seen, endpoint, get } = await started({ limits: { maxConnections: 2 } });
    const sockets = Array.from({ length: 5 }, () => connect(endpoint.port, '127.0.0.1'));
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    let closedByServer = 0;
    for (const s of sockets) s.on('close', () => { closedByServer += 1; });
    await untilTrue(() => closedByServer === 3);
    input.next(sample('a', Date.now()));
    expect(seen.filter((e) => e.type === 'dropped')).toMatchObject([{ source: 'http', reason: 'max-connections', count: 3, total: 3 }]);
    expect(seen.at(-1)).toMatchObject({ type: 'sample' });
    sockets.forEach((s) => s.destroy());
    await untilTrue(async () => (await get('/api/units').catch(() => ({ status: 0 }))).status === 200);
  });
});
