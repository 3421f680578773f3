import type { ServerResponse } from 'node:http';
import { filter, lastValueFrom, type Observable, take, toArray } from 'rxjs';
import type { MetricEvent, SampleEvent, UnitDownEvent } from '../events.js';
import { seriesBuckets, type SeriesBuckets } from '../store/series-buckets.js';
import type { StoreQuery } from '../streams/windowed-store.js';
import type { UnitRow, UnitRows } from './http-unit-rows.js';

/** Points of a unit's CPU history in `/api/units` (one per row of the store, newest last). */
export const SPARK_POINTS = 60;
/** The most rows read from the log for one `window=log` series, to bound a request's memory. */
export const MAX_LOG_ROWS = 1_000_000;

/** What the JSON API reads: the live rows, the store, and (with `--spill`) the log. */
export interface ApiContext {
  rows: UnitRows;
  store: Pick<StoreQuery, 'window' | 'latest' | 'now'>;
  /** Events of one unit from the log, oldest first (e.g. `(unit) => replay(dir, { unit })`). */
  history?: (unit: string) => Observable<MetricEvent>;
}

/** A `/api/units` row: the live state and the newest CPU percents (null for down markers). */
export type UnitListRow = UnitRow & { sparkCpuPercent: (number | null)[] };

/** `GET /api/units`: every unit's row, sorted by name; `logWindow` says whether `window=log` is available. */
export function unitList(ctx: ApiContext): { now: number; logWindow: boolean; units: UnitListRow[] } {
  const units = [...ctx.rows.rows.values()]
    .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))
    .map((row) => ({ ...row, sparkCpuPercent: ctx.store.latest(row.unit, SPARK_POINTS).map((r) => (r.type === 'sample' ? r.cpuPercent : null)) }));
  return { now: ctx.store.now(), logWindow: ctx.history !== undefined, units };
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `window=` of a series: a duration (`5m`, `1h`, `12h`, `90s`, `2d`) in ms, `log`, or undefined when invalid. */
export function parseWindow(text: string): number | 'log' | undefined {
  if (text === 'log') return 'log';
  const m = /^(\d{1,7})(s|m|h|d)$/.exec(text);
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) || undefined : undefined;
}

/** `GET /api/units/:unit/series?window=1h&points=600`: the unit's buckets, or an HTTP status and message. */
export async function unitSeries(ctx: ApiContext, unit: string, query: URLSearchParams): Promise<(SeriesBuckets & { unit: string; window: string }) | [number, string]> {
  const windowText = query.get('window') ?? '5m';
  const window = parseWindow(windowText);
  if (window === undefined) return [400, `window: expected a duration such as 5m, 1h, 12h, or log; got ${JSON.stringify(windowText.slice(0, 40))}`];
  if (window === 'log' && !ctx.history) return [400, 'window=log needs a log: run watch with --spill DIR'];
  const pointsText = query.get('points') ?? '600';
  const points = /^\d{1,5}$/.test(pointsText) ? Number(pointsText) : NaN;
  if (!(points >= 1 && points <= 5_000)) return [400, `points: expected 1 to 5000, got ${JSON.stringify(pointsText.slice(0, 40))}`];
  const live = ctx.store.window(unit);
  if (!ctx.rows.rows.has(unit) && live.length === 0) return [404, `no unit named ${JSON.stringify(unit.slice(0, 200))}`];
  const now = ctx.store.now();
  let rows: Iterable<SampleEvent | UnitDownEvent> = live;
  let fromMs = window === 'log' ? now : now - window;
  if (window === 'log' && ctx.history) {
    // The log may hold the store's rows too (a full event log) or only what left it (evictions): take what is older.
    const firstLiveTs = live[0]?.ts ?? Infinity;
    const logged = await lastValueFrom(ctx.history(unit).pipe(
      filter((e): e is SampleEvent | UnitDownEvent => (e.type === 'sample' || e.type === 'unit-down') && e.unit === unit && e.ts < firstLiveTs),
      take(MAX_LOG_ROWS),
      toArray(),
    ));
    rows = [...logged, ...live];
    fromMs = Math.min(logged[0]?.ts ?? Infinity, live[0]?.ts ?? Infinity, now);
  }
  return { unit, window: windowText, ...seriesBuckets(rows, { fromMs, toMs: now, points }) };
}

/** `body` as JSON text, with `<` escaped too (`\\u003c`), so no body is ever read as markup. */
export function jsonText(body: unknown): string {
  return JSON.stringify(body).replace(/</g, '\\u003c');
}

/** Writes `body` (a value, or text from {@link jsonText}) as a JSON response; HEAD gets the headers only. */
export function sendJson(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = typeof body === 'string' ? body : jsonText(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(head ? undefined : text);
}
