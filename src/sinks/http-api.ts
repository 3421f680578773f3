import type { ServerResponse } from 'node:http';
import { filter, lastValueFrom, type Observable, take, tap } from 'rxjs';
import type { MetricEvent, SampleEvent, UnitDownEvent } from '../events.js';
import { createWindowStore } from '../store/create-window-store.js';
import type { Series } from '../store/series.js';
import { gridColumns, recentColumns } from '../store/series-columns.js';
import type { StoreQuery } from '../streams/windowed-store.js';
import type { UnitRow, UnitRows } from './http-unit-rows.js';

/** Points of a unit's CPU history in `/api/units` (one per sampling interval, newest last). */
export const SPARK_POINTS = 60;
/** The most rows read from the log for one `window=log` series, to bound a request's memory. */
export const MAX_LOG_ROWS = 1_000_000;

/** What the JSON API reads: the live rows, the store, and (with `--spill`) the log. */
export interface ApiContext {
  rows: UnitRows;
  store: Pick<StoreQuery, 'series' | 'latest' | 'observations' | 'now'>;
  /** Events of one unit from the log, oldest first (e.g. `(unit) => replay(dir, { unit })`). */
  history?: (unit: string) => Observable<MetricEvent>;
  /** The sampling interval, ms: one sparkline point each. Default 1 s. */
  intervalMs?: number;
}

/** A unit's chart in equal columns (the layout uPlot draws): per column the min, mean and max of CPU percent and RSS
 * bytes (null where it holds none: a gap), up samples, the resolution the column was drawn from, and the markers. */
export interface SeriesColumns {
  fromMs: number;
  toMs: number;
  /** Width of a column, ms. */
  bucketMs: number;
  /** Start of each column, ms since the epoch. */
  ts: number[];
  cpuMin: (number | null)[];
  cpuMean: (number | null)[];
  cpuMax: (number | null)[];
  rssMin: (number | null)[];
  rssMean: (number | null)[];
  rssMax: (number | null)[];
  /** Up samples of the points each column draws (a bucket wider than a column counts in the column it starts in). */
  samples: number[];
  /** Width of the widest bucket each column draws, ms; 0 for raw rows only, null for an empty column. */
  resolutionMs: (number | null)[];
  restartsMs: number[];
  downMs: number[];
}

/** A `/api/units` row: the live state and the newest CPU percents (null for down markers). */
export type UnitListRow = UnitRow & { sparkCpuPercent: (number | null)[] };

/** `GET /api/units`: every unit's row, sorted by name; `logWindow` says whether `window=log` is available. */
export function unitList(ctx: ApiContext): { now: number; logWindow: boolean; units: UnitListRow[] } {
  const now = ctx.store.now();
  const units = [...ctx.rows.rows.values()]
    .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))
    .map((row) => ({ ...row, sparkCpuPercent: recentColumns(ctx.store, row.unit, { now, intervalMs: ctx.intervalMs ?? 1_000, columns: SPARK_POINTS })
      .map((c) => c?.cpuPercent?.mean ?? null) }));
  return { now, logWindow: ctx.history !== undefined, units };
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `window=` of a series: a duration (`5m`, `1h`, `12h`, `90s`, `2d`) in ms, `log`, or undefined when invalid. */
export function parseWindow(text: string): number | 'log' | undefined {
  if (text === 'log') return 'log';
  const m = /^(\d{1,7})(s|m|h|d)$/.exec(text);
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) || undefined : undefined;
}

/** `GET /api/units/:unit/series?window=1h&points=600`: the unit's columns, or an HTTP status and message. */
export async function unitSeries(ctx: ApiContext, unit: string, query: URLSearchParams): Promise<(SeriesColumns & { unit: string; window: string }) | [number, string]> {
  const windowText = query.get('window') ?? '5m';
  const window = parseWindow(windowText);
  if (window === undefined) return [400, `window: expected a duration such as 5m, 1h, 12h, or log; got ${JSON.stringify(windowText.slice(0, 40))}`];
  if (window === 'log' && !ctx.history) return [400, 'window=log needs a log: run watch with --spill DIR'];
  const pointsText = query.get('points') ?? '600';
  const points = /^\d{1,5}$/.test(pointsText) ? Number(pointsText) : NaN;
  if (!(points >= 1 && points <= 5_000)) return [400, `points: expected 1 to 5000, got ${JSON.stringify(pointsText.slice(0, 40))}`];
  const now = ctx.store.now();
  if (!ctx.rows.rows.has(unit) && ctx.store.observations(unit) === 0) return [404, `no unit named ${JSON.stringify(unit.slice(0, 200))}`];
  let fromMs = window === 'log' ? now : now - window;
  let logged: Series | undefined;
  if (window === 'log' && ctx.history) {
    // Where the store's history starts: the log supplies what is older.
    const heldFromTs = ctx.store.series(unit, { fromTs: 0, toTs: now, maxPoints: 1 }).firstTs;
    logged = await loggedSeries(ctx.history(unit), unit, heldFromTs >= 0 ? heldFromTs : Infinity, now, points);
    fromMs = Math.min(...[logged.firstTs, heldFromTs, now].filter((ts) => ts >= 0)); // NaN: nothing there
  }
  const grid = gridColumns(ctx.store, unit, { fromTs: fromMs, toTs: now, maxPoints: points }, logged?.points);
  const { columns, columnMs } = grid;
  const band = (pick: (c: NonNullable<(typeof columns)[number]>) => number | null | undefined) => columns.map((c) => (c === null ? null : pick(c) ?? null));
  return {
    unit, window: windowText, fromMs: grid.fromTs, toMs: grid.fromTs + columns.length * columnMs, bucketMs: columnMs,
    ts: columns.map((_, i) => grid.fromTs + i * columnMs),
    cpuMin: band((c) => c.cpuPercent?.min), cpuMean: band((c) => c.cpuPercent?.mean), cpuMax: band((c) => c.cpuPercent?.max),
    rssMin: band((c) => c.rssBytes?.min), rssMean: band((c) => c.rssBytes?.mean), rssMax: band((c) => c.rssBytes?.max),
    samples: columns.map((c) => c?.upSamples ?? 0), resolutionMs: band((c) => c.resolutionMs),
    restartsMs: [...(logged?.restartsTs ?? []), ...grid.series.restartsTs], downMs: [...(logged?.downTs ?? []), ...grid.series.downTs],
  };
}

/**
 * The rows of the log older than `beforeTs` (where the store's history starts; the log may hold the store's rows too,
 * or only what left it), as a series on the same grid as the store's: they go through a store of raw rows, so the
 * downsampling is the store's own.
 */
async function loggedSeries(history$: Observable<MetricEvent>, unit: string, beforeTs: number, now: number, points: number): Promise<Series> {
  const store = createWindowStore({ clock: 'events', tiers: false, retentionMs: Number.MAX_SAFE_INTEGER, maxMemoryBytes: 64 * 1024 * 1024 });
  let fromTs = now;
  await lastValueFrom(history$.pipe(
    filter((e): e is SampleEvent | UnitDownEvent => (e.type === 'sample' || e.type === 'unit-down') && e.unit === unit && e.ts < beforeTs),
    take(MAX_LOG_ROWS),
    tap((row) => { fromTs = Math.min(fromTs, row.ts); store.ingest(row, () => {}); }),
  ), { defaultValue: undefined });
  return store.series(unit, { fromTs, toTs: now, maxPoints: points, widen: false });
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
