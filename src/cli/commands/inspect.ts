import { statSync } from 'node:fs';
import { filter, finalize, ignoreElements, lastValueFrom, map, merge, type Observable, Subject, takeUntil, tap } from 'rxjs';
import { PipelineError } from '../../errors.js';
import {
  readNdjson, replay, watchUnits, windowedStore, type MetricEvent, type SampleEvent, type StoreQuery, type SummaryEvent,
  type UnitDownEvent,
} from '../../index.js';
import { colorEnabled } from '../color.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import type { InspectCommand } from '../options.js';
import { renderInspect } from '../render-inspect.js';
import { autoDecoder, openInput, reportBadLine, stop$ } from './common.js';

type Row = SampleEvent | UnitDownEvent;

/**
 * Runs `procstream inspect UNIT`: the unit's rows from a spill DIR, an NDJSON FILE, or live sampling (the processes
 * whose command name is UNIT, as `watch` groups a machine), charted over `--window`. History ends at the unit's newest
 * row; live sampling runs for `--duration` (default the window), `--count` rounds, or until Ctrl-C, and ends now.
 */
export async function runInspect(opts: InspectCommand, io: CliIo): Promise<number> {
  const { unit, windowMs } = opts;
  const live = opts.from.kind === 'live';
  const store = live ? await liveStore(opts, io) : await historyStore(opts, opts.from.kind === 'path' ? opts.from.path : '', io);
  const rows = store.window(unit);
  if (!rows.some((r) => r.type === 'sample')) {
    const where = opts.from.kind === 'path' ? opts.from.path : 'live sampling';
    throw new PipelineError('E_SOURCE', `no samples of unit '${unit}' in ${where}`);
  }
  // History ends at the unit's newest row, live sampling now; the window excludes its start, as the chart does.
  const endTs = live ? store.now() : (rows[rows.length - 1] as Row).ts;
  const stats = store.summary(unit, { now: endTs, windowMs: windowMs - 1, intervalMs: opts.intervalMs }) as SummaryEvent;
  io.stdout.write(renderInspect(rows, {
    unit, windowMs, endTs, stats, width: io.stdout.columns || 80, color: colorEnabled(io.stdout, io.env),
  }));
  return EXIT.ok;
}

/** A store on event time holding the unit's rows of the last `windowMs` before its newest one (bounded memory). */
async function historyStore(opts: InspectCommand, path: string, io: CliIo): Promise<StoreQuery> {
  const common = { strict: opts.strict, maxLineBytes: opts.maxLineBytes, onBadLine: reportBadLine(io) };
  let events$: Observable<MetricEvent>;
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    events$ = replay(path, { ...common, unit: opts.unit });
  } else {
    const input = openInput(path, io);
    events$ = readNdjson(input.stream, { ...common, name: input.name, decode: autoDecoder({}) }).pipe(
      map((e) => (e.type === 'evicted' ? e.event : e)),
      finalize(() => input.progress.done()),
    );
  }
  // Raw rows (tiers: false): the chart draws every row of the window; a 64 MiB budget holds weeks of one unit.
  const store = windowedStore({ clock: 'events', retentionMs: opts.windowMs, maxMemoryBytes: 64 * 1024 * 1024, tiers: false });
  await lastValueFrom(
    events$.pipe(takeUntil(stop$(io)), filter((e) => e.unit === opts.unit && (e.type === 'sample' || e.type === 'unit-down')), store, ignoreElements()),
    { defaultValue: undefined },
  );
  return store;
}

/**
 * Samples the processes named UNIT until `--count`, `--duration` (default the window) or a stop signal. When none is
 * running at the first round, it stops there: waiting out the window to chart nothing helps nobody (a typo, mostly).
 */
async function liveStore(opts: InspectCommand, io: CliIo): Promise<StoreQuery> {
  const durationMs = opts.durationMs ?? opts.windowMs;
  const absent$ = new Subject<void>();
  let first = true;
  const { events$, store } = watchUnits({
    targets: [{ unit: opts.unit, comm: opts.unit }], intervalMs: opts.intervalMs, retentionMs: opts.windowMs, tiers: false,
    durationMs, ...(opts.count === undefined ? {} : { count: opts.count }), until: merge(stop$(io), absent$),
  });
  if (opts.count === undefined) {
    io.stderr.write(`procstream: sampling '${opts.unit}' for ${Math.round(durationMs / 1000)} s; Ctrl-C draws the chart sooner\n`);
  }
  const firstRow = (e: MetricEvent) => {
    if (!first || (e.type !== 'sample' && e.type !== 'unit-down')) return;
    first = false;
    if (e.type === 'unit-down') absent$.next();
  };
  await lastValueFrom(events$.pipe(tap(firstRow), ignoreElements()), { defaultValue: undefined });
  if (!store.window(opts.unit).some((r) => r.type === 'sample')) {
    throw new PipelineError('E_SOURCE', `no process named '${opts.unit}' is running (live inspect finds a unit by its command name)`);
  }
  return store;
}
