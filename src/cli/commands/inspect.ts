import { statSync } from 'node:fs';
import {
  auditTime, concatMap, EMPTY, filter, finalize, ignoreElements, lastValueFrom, map, merge, NEVER, type Observable, share, Subject,
  takeUntil, tap,
} from 'rxjs';
import { PipelineError } from '../../errors.js';
import {
  readNdjson, replay, watchUnits, createWindowStore, ingestInto, type MetricEvent, type SampleEvent, type StoreQuery, type SummaryEvent,
  type UnitDownEvent, type UnitTargetsSpec,
} from '../../index.js';
import { colorEnabled } from '../color.js';
import { EXIT } from '../exit-codes.js';
import { MAX_TIMER_MS } from '../flag-values.js';
import type { CliIo } from '../io.js';
import type { InspectCommand } from '../options.js';
import { keypresses } from '../keys.js';
import { toLiveFrames } from '../live-table.js';
import { printable } from '../printable.js';
import { renderInspect } from '../render-inspect.js';
import { watchTargetsSpec } from '../watch-targets.js';
import { autoDecoder, openInput, reportBadLine, stop$ } from './common.js';

type Row = SampleEvent | UnitDownEvent;

/**
 * Runs `procstream inspect UNIT`: the unit's rows from a spill DIR, an NDJSON FILE, or live sampling (by the target
 * flags, as `watch` finds units; without one, the processes whose command name is UNIT), charted over `--window`.
 * History ends at the unit's newest row; live sampling ends now. Live on a terminal, or with `--stream`, the chart is
 * redrawn after every round, so the first frame comes one interval after the start.
 */
export async function runInspect(opts: InspectCommand, io: CliIo): Promise<number> {
  const live = opts.from.kind === 'live';
  if (!live) {
    const store = await historyStore(opts, opts.from.kind === 'path' ? opts.from.path : '', io);
    io.stdout.write(inspectFrame(opts, io, store, false));
    return EXIT.ok;
  }
  const drawsLive = opts.stream || io.stdout.isTTY === true;
  const store = await liveStore(opts, io, drawsLive);
  if (!drawsLive) io.stdout.write(inspectFrame(opts, io, store, true));
  else if (io.stdout.isTTY === true) io.stdout.write('\n'); // the last frame stays; the prompt goes under it
  return EXIT.ok;
}

/** The chart of the unit's rows in `store`; E_SOURCE when it holds no sample of the unit. */
function inspectFrame(opts: InspectCommand, io: CliIo, store: StoreQuery, live: boolean): string {
  const { unit, windowMs } = opts;
  if (!hasSample(store, unit)) {
    const where = opts.from.kind === 'path' ? opts.from.path : 'live sampling';
    throw new PipelineError('E_SOURCE', `no samples of unit '${printable(unit)}' in ${printable(where)}`);
  }
  // History ends at the unit's newest row (always raw: rows fold only when a newer one arrives; in a log compacted to
  // the end, its newest bucket's last observation), live sampling now; the window excludes its start, as the chart does.
  const newest = store.latest(unit, 1)[0] as Row | undefined;
  const endTs = live ? store.now() : newest?.ts ?? store.series(unit, { fromTs: 0, toTs: store.now(), maxPoints: 1 }).lastTs;
  const stats = store.summary(unit, { now: endTs, windowMs: windowMs - 1, intervalMs: opts.intervalMs }) as SummaryEvent;
  // Redrawn in place, the view must fit the terminal: it is 2 × height + 17 lines at most (two charts, axes, stats,
  // the resolution line).
  const height = live && io.stdout.isTTY === true && io.stdout.rows ? Math.max(1, Math.min(8, Math.floor((io.stdout.rows - 17) / 2))) : 8;
  return renderInspect(store, { unit, windowMs, endTs, stats, height, width: io.stdout.columns || 80, color: colorEnabled(io.stdout, io.env),
    ...(live ? { intervalMs: opts.intervalMs } : {}) });
}

/** Whether the store holds an up sample of `unit` in any tier (a bucket with up samples counts). */
function hasSample(store: StoreQuery, unit: string): boolean {
  return store.series(unit, { fromTs: 0, toTs: store.now(), maxPoints: 1 }).points.some((p) => p.upSamples > 0);
}

/**
 * A store on event time holding the unit's rows of the last `windowMs` before its newest one (bounded memory), in
 * tiers, so a compacted log's buckets (`bucket` events) go back into the tiers they came from and a week draws from them.
 */
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
  const store = createWindowStore({ clock: 'events', retentionMs: opts.windowMs, maxMemoryBytes: 64 * 1024 * 1024 });
  await lastValueFrom(
    // unit-restarted too: the store keeps their times, so restarts that folded into buckets are still marked.
    events$.pipe(takeUntil(stop$(io)), filter((e) => e.unit === opts.unit && HISTORY_TYPES.has(e.type)),
      ingestInto(store), ignoreElements()),
    { defaultValue: undefined },
  );
  return store;
}

/** The events a history chart is drawn from: rows, buckets of a compacted log, and restarts to mark. */
const HISTORY_TYPES: ReadonlySet<MetricEvent['type']> = new Set(['sample', 'unit-down', 'bucket', 'unit-restarted']);

/** Whether no target flag is given: then UNIT is a command name, as `watch` groups a machine. */
const byCommandName = (t: InspectCommand['targets']): boolean =>
  t.pids.length === 0 && t.pidFile === undefined && t.match === undefined && t.unitsFile === undefined &&
  t.stateFile === undefined && t.systemgDir === undefined;

/**
 * Samples the unit until `--count`, `--duration` (default the window; with `--stream`, until q or Ctrl-C) or a stop
 * signal, drawing a frame after each round when `drawsLive`. When the unit is absent at the first round (no process
 * of that name, or no such unit among the targets), it stops there: waiting out the window to chart nothing helps
 * nobody (a typo, mostly).
 */
async function liveStore(opts: InspectCommand, io: CliIo, drawsLive: boolean): Promise<StoreQuery> {
  const { unit } = opts;
  const durationMs = opts.durationMs ?? (opts.stream ? undefined : Math.min(opts.windowMs, MAX_TIMER_MS)); // a longer timer would fire at once
  const absent$ = new Subject<void>();
  const keys$ = drawsLive && io.stdout.isTTY === true ? keypresses(io.stdin).pipe(share()) : NEVER;
  const byName = byCommandName(opts.targets);
  const { events$, store } = watchUnits({
    targets: byName ? [{ unit, comm: unit }] : watchTargetsSpec(opts.targets, Math.max(opts.intervalMs, 1_000)) as UnitTargetsSpec,
    intervalMs: opts.intervalMs, retentionMs: opts.windowMs,
    ...(durationMs === undefined ? {} : { durationMs }), ...(opts.count === undefined ? {} : { count: opts.count }),
    until: merge(stop$(io), absent$, keys$.pipe(filter((k) => k === 'q' || k === '\x03'))),
  });
  if (!drawsLive && opts.count === undefined && durationMs !== undefined) {
    io.stderr.write(`procstream: sampling '${printable(unit)}' for ${Math.round(durationMs / 1000)} s; Ctrl-C draws the chart sooner\n`);
  }
  let first = true;
  const firstRound = (e: MetricEvent) => {
    if (!first || (e.type !== 'sample' && e.type !== 'unit-down')) return;
    first = false;
    // The round's events arrive together: by the end of this turn, the unit has a row if it is a target at all.
    queueMicrotask(() => { if (!hasSample(store, unit)) absent$.next(); });
  };
  const rounds$ = events$.pipe(tap(firstRound), filter((e) => e.unit === unit && (e.type === 'sample' || e.type === 'unit-down')), auditTime(0));
  const frames$ = rounds$.pipe(
    filter(() => hasSample(store, unit)),
    map(() => inspectFrame(opts, io, store, true)),
  );
  const drawn$ = !drawsLive ? rounds$.pipe(ignoreElements())
    : io.stdout.isTTY === true ? frames$.pipe(toLiveFrames(io.stdout, (text: string) => text))
    : frames$.pipe(concatMap((text) => { io.stdout.write(`${text}\n`); return EMPTY; }));
  await lastValueFrom(drawn$, { defaultValue: undefined });
  if (!hasSample(store, unit)) {
    throw new PipelineError('E_SOURCE', byName
      ? `no process named '${printable(unit)}' is running (without a target flag, live inspect finds a unit by its command name)`
      : `no unit '${printable(unit)}' among the targets, or it is down (units: ${store.units().map(printable).join(', ') || 'none'})`);
  }
  return store;
}
