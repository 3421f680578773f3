import type { IncomingMessage, ServerResponse } from 'node:http';
import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { EVENT_FORMAT_VERSION, NO_UNIT, type MetricEvent } from '../events.js';
import { DEFAULT_HTTP_PORT } from '../formats/prometheus-address.js';
import type { StoreQuery } from '../streams/windowed-store.js';
import { jsonText, sendJson, unitList, unitSeries, type ApiContext } from './http-api.js';
import { BodyCache } from './http-cache.js';
import type { HttpLimits } from './http-limits.js';
import { httpSink, type HttpSink } from './http-sink.js';
import { SseHub, type SseLimits } from './http-sse.js';
import { dashboardAssets, sendAsset } from './http-static.js';
import { UnitRows } from './http-unit-rows.js';
import { metricsApp, type MetricsAppOptions } from './metrics-app.js';

/** Options of {@link httpDashboard}. */
export interface HttpDashboardOptions extends MetricsAppOptions {
  /** The store the pipeline fills (`watchUnits(...).store`): history for the charts and sparklines. */
  store: Pick<StoreQuery, 'series' | 'latest' | 'observations' | 'now'>;
  /** The sampling interval, ms: one sparkline point each in `/api/units`. Default 1 s. */
  intervalMs?: number;
  /** Events of one unit from the log, oldest first, for `window=log` (the CLI passes `replay(spillDir, { unit })`). */
  history?: (unit: string) => Observable<MetricEvent>;
  /** Interface to listen on. Default 127.0.0.1: any other address must be asked for. */
  host?: string;
  /** TCP port; 0 picks a free one (see `listening()`). Default 9466. */
  port?: number;
  /** Connection cap and timeouts of the server; defaults from the fd limit (docs/http.md). */
  limits?: Partial<HttpLimits>;
  /** Bounds of the live event streams. */
  sse?: SseLimits;
  /** A comment is sent on every event stream this often, ms, so idle streams stay open. Default 15 s. */
  heartbeatMs?: number;
  scheduler?: SchedulerLike;
}

const API_SERIES = /^\/api\/units\/([^/]+)\/series$/;

/**
 * Serves the live dashboard (`/`), its JSON API (`/api/units`, `/api/units/:unit/series`), live updates as
 * Server-Sent Events (`/api/events`) and `/metrics`, all from one server fed by the events that pass through
 * (docs/http.md). Read-only: other methods get 405. A client too slow for the live stream loses messages, which
 * are counted in `dropped` events (`source: 'http'`, `reason: 'sse-client-slow'`), never queued without bound.
 */
export function httpDashboard(options: HttpDashboardOptions): HttpSink {
  const { store, history, intervalMs, host = '127.0.0.1', port = DEFAULT_HTTP_PORT, limits, sse, heartbeatMs = 15_000, scheduler = asyncScheduler, ...metrics } = options;
  let assets: ReturnType<typeof dashboardAssets> | undefined;
  return httpSink({ name: 'http', host, port, path: '/', ...(limits ? { limits } : {}) }, (emit) => {
    assets ??= dashboardAssets();
    const files = assets;
    const prom = metricsApp(metrics);
    const rows = new UnitRows();
    const ctx: ApiContext = { rows, store, ...(history ? { history } : {}), ...(intervalMs === undefined ? {} : { intervalMs }) };
    const hub = new SseHub(sse);
    const bodies = new BodyCache<string | Promise<[number, string]>>();
    const changed = new Set<string>();
    let flush: Subscription | undefined;
    let droppedTotal = 0;
    const counted = (drops: number): void => {
      if (drops === 0) return;
      droppedTotal += drops;
      emit({ type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now(), source: 'http', reason: 'sse-client-slow', count: drops, total: droppedTotal });
    };
    // One message per sampling round: the round's events arrive together, so the flush waits for the loop to turn.
    const send = (): void => {
      flush = undefined;
      const units = [...changed];
      changed.clear();
      const message = { rows: units.flatMap((u) => rows.rows.get(u) ?? []), removed: units.filter((u) => !rows.rows.has(u)) };
      counted(hub.broadcast(jsonText(message)));
    };
    const beat = scheduler.schedule(function (this: { schedule(s?: unknown, d?: number): void }) {
      counted(hub.heartbeat());
      this.schedule(undefined, heartbeatMs);
    }, heartbeatMs);

    const route = (req: IncomingMessage, res: ServerResponse): void => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (path === '/metrics') return prom.handle(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('procstream: the dashboard is read-only\n');
        return;
      }
      const head = req.method === 'HEAD';
      const asset = files.get(path);
      if (asset) return sendAsset(res, asset, head);
      if (path === '/api/units') return sendJson(res, 200, bodies.get(path, () => jsonText(unitList(ctx))), head);
      if (path === '/api/events' && head) return void res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' }).end();
      if (path === '/api/events') return hub.add(req, res, jsonText({ rows: [...rows.rows.values()], removed: [] }));
      const m = API_SERIES.exec(path);
      if (!m) return sendJson(res, 404, { error: 'not found; see docs/http.md' }, head);
      let unit: string;
      try {
        unit = decodeURIComponent(m[1] as string);
      } catch {
        return sendJson(res, 400, { error: 'the unit name is not valid percent-encoding' }, head);
      }
      const series = bodies.get(`${path}?${url.searchParams}`, () => unitSeries(ctx, unit, url.searchParams).then(
        (out): [number, string] => (Array.isArray(out) ? [out[0], jsonText({ error: out[1] })] : [200, jsonText(out)]),
        (error: unknown): [number, string] => [500, jsonText({ error: String((error as Error)?.message ?? error) })],
      )) as Promise<[number, string]>;
      void series.then(([status, text]) => sendJson(res, status, text, head));
    };

    return {
      handle: route,
      apply: (event) => {
        bodies.invalidate();
        prom.apply(event);
        const unit = rows.apply(event);
        if (unit === undefined || hub.size === 0) return;
        changed.add(unit);
        flush ??= scheduler.schedule(send);
      },
      close: () => {
        prom.close();
        beat.unsubscribe();
        flush?.unsubscribe();
        hub.close();
      },
    };
  });
}
