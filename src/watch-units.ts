import { platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  asyncScheduler, connect, defer, EMPTY, from, isObservable, map, merge, NEVER, Observable, type ObservableInput,
  type SchedulerLike, shareReplay, switchMap, take, takeUntil, type TimestampProvider, timer, withLatestFrom,
} from 'rxjs';
import { EVENT_FORMAT_VERSION, type MetricEvent, NO_UNIT, type TickEvent } from './events.js';
import { PipelineError } from './errors.js';
import { createWindowStore, type MetricStore } from './store/create-window-store.js';
import { spillover, type SpilloverOptions } from './sinks/spillover.js';
import { guardSpillDir } from './sinks/spill-dir-guard.js';
import { type LogTail, rebuildFailedEvent, withLogTail } from './sources/log-tail.js';
import { intervalTicks, type IntervalTick } from './sources/interval-ticks.js';
import { linuxSampler } from './sources/linux-sampler.js';
import { processGroups } from './sources/process-groups.js';
import type { Sampler, UnitTarget } from './sources/sampler.js';
import { siSampler } from './sources/si-sampler.js';
import { unitTargets, type UnitTargetsSpec } from './sources/unit-targets.js';
import { sampleTicks } from './streams/sample-ticks.js';
import { ingestAndSummarize } from './streams/ingest-and-summarize.js';
import { besideRebuild } from './streams/beside-rebuild.js';
import type { TierPlan } from './store/tiers.js';

/** Options of {@link watchUnits}; every default is systemg's (1 s interval, 12 h, 10 MiB, summaries every 10 s). */
export interface WatchUnitsOptions {
  /** What to watch (see docs/targets.md); default: every process on the machine, one unit per command name. */
  targets?: UnitTargetsSpec | 'all-processes';
  /** Sampling period, ms. Default 1 s (systemg's). */
  intervalMs?: number;
  /** How long the store keeps rows, ms. Default 12 h (systemg's). */
  retentionMs?: number;
  /** Memory budget of the store's rows. Default 10 MiB (systemg's). */
  maxMemoryBytes?: number;
  /** The store's bucket tiers (`createWindowStore`'s `tiers`); default `DEFAULT_TIER_PLAN`, `false`: every row raw. */
  tiers?: TierPlan | false;
  /** How often summaries are emitted, ms. Default 10 s. */
  summaryEveryMs?: number;
  /** Count each unit's process tree, live and reaped (default true; `'auto'` is the same); false: roots alone. */
  children?: boolean | 'auto';
  /**
   * The event log on disk: every event that describes the units is appended to `spill.dir` (`events: 'log'` unless
   * given), and a restart rebuilds the store from the log's newest end, beside the first ticks. None when absent.
   */
  spill?: SpilloverOptions;
  /**
   * The restart rebuild reads at most this many bytes of the log on disk, newest first; older parts of the retention
   * stay unread (summaries then start at the oldest row read); 0: no rebuild. Default 96 MiB: 12 h of 100 busy units
   * with compaction. A negative or non-numeric value throws `PipelineError('E_USAGE')`.
   */
  rebuildMaxBytes?: number;
  /**
   * Default on Linux: `linuxSampler` (the /proc sampler for process targets, the cgroup sampler for cgroup and
   * systemd targets, network bytes for units that own a network namespace); the systeminformation sampler elsewhere.
   */
  sampler?: Sampler;
  /** Pass samples and other input events (`tick` events too) through to the output (default true). */
  passThrough?: boolean;
  /** Stop after this many sampling rounds (the CLI's `--count`); default: never. */
  count?: number;
  /** Stop after this long, ms (the CLI's `--duration`); default: never. */
  durationMs?: number;
  /**
   * Stop sampling when this emits (a signal, a button): the pipeline then completes, so the final summaries are
   * emitted and the spill is flushed, rather than being cut off by an unsubscribe.
   */
  until?: ObservableInput<unknown>;
  scheduler?: SchedulerLike;
  /**
   * Clock of the `tick` events' `samplingMs`, ms. Default `performance` (sub-ms: a tick often takes under 1 ms, below the
   * scheduler's resolution; only the self-metric uses it, never an event's `ts`).
   */
  durationClock?: TimestampProvider;
}

/** Default of `rebuildMaxBytes`: 96 MiB of log on disk (BENCHMARKS.md, *Restart rebuild over the retention*). */
export const DEFAULT_REBUILD_MAX_BYTES = 96 * 1024 * 1024;

/** What {@link watchUnits} returns: the events, the store to query, and the sampler's self-metrics. */
export interface WatchUnits {
  /**
   * Every event of the pipeline: samples and unit changes, a `tick` after each round (its lag and sampling time),
   * evictions, summaries, and problems with counts.
   */
  events$: Observable<MetricEvent>;
  /** The windowed store, to query while `events$` is subscribed (and after). */
  store: MetricStore;
}

/**
 * The whole pipeline: targets → interval ticks → sampler → (shared) windowed store and summaries → optional spillover.
 * The sampler runs once per tick whatever subscribes downstream; subscribing `events$` starts it, unsubscribing stops
 * it and closes the sampler's file descriptors.
 */
export function watchUnits(options: WatchUnitsOptions = {}): WatchUnits {
  const {
    targets = 'all-processes',
    intervalMs = 1_000,
    retentionMs = 12 * 60 * 60 * 1_000,
    maxMemoryBytes = 10 * 1024 * 1024,
    summaryEveryMs = 10_000,
    children = 'auto',
    spill,
    passThrough = true,
    count,
    durationMs,
    until = NEVER,
    scheduler = asyncScheduler,
    durationClock = performance,
    tiers,
    rebuildMaxBytes = DEFAULT_REBUILD_MAX_BYTES,
  } = options;
  if (!(rebuildMaxBytes >= 0)) throw new PipelineError('E_USAGE', `rebuildMaxBytes must be 0 or more, got ${rebuildMaxBytes}`);
  // The self-metrics travel as a `tick` event after the round's samples; a round whose sampler fails has an `error`
  // event (from sampleTicks) instead.
  const timed = (sampler: Sampler, tick: IntervalTick & { targets: readonly UnitTarget[] }) => {
    const lagMs = scheduler.now() - (tick.deadlineMs - tick.missed * intervalMs);
    const start = durationClock.now();
    const withTick = (events: readonly MetricEvent[]): readonly MetricEvent[] =>
      [...events, tickEvent(tick, events, { lagMs, samplingMs: durationClock.now() - start, ts: scheduler.now() })];
    const out = sampler.sample(tick.targets);
    return Array.isArray(out) ? withTick(out) : Promise.resolve(out).then(withTick);
  };
  const store = createWindowStore({ retentionMs, maxMemoryBytes, sweepIntervalMs: intervalMs, scheduler, ...(tiers === undefined ? {} : { tiers }) });
  const targets$: Observable<readonly UnitTarget[]> =
    targets === 'all-processes'
      ? processGroups({ scheduler })
      : unitTargets(targets, { scheduler, ...(isObservable(targets) ? {} : { pollMs: Math.max(intervalMs, 1_000) }) });

  // new Observable rather than defer(): the sampler must be closed on teardown, not only created per subscription.
  const events$ = new Observable<MetricEvent>(
    (subscriber) => {
      // The sampler lives as long as the subscription: its kept fds are closed on teardown.
      const sampler = options.sampler ?? (platform() === 'linux' ? linuxSampler({ children, scheduler }) : siSampler({ scheduler }));
      // The first tick waits for the first target list (a units file is read asynchronously), so no round is lost.
      const latestTargets$ = targets$.pipe(shareReplay({ bufferSize: 1, refCount: true }));
      const stop$ = merge(from(until), durationMs === undefined ? EMPTY : timer(durationMs, scheduler));
      // Restart continuity: the log's newest end goes into the store (and nowhere else). Its segments are opened
      // first (a few ms), then sampling starts at once and runs beside the rebuild (besideRebuild keeps the store in
      // time order); the rebuild reads at most rebuildMaxBytes of disk, newest first (docs/spillover.md).
      const stored = ingestAndSummarize(store, { everyMs: summaryEveryMs, intervalMs, passThrough });
      const pipeline = (tail?: LogTail): Observable<MetricEvent> => latestTargets$
        .pipe(
          take(1),
          switchMap(() => intervalTicks({ intervalMs, scheduler })),
          count === undefined ? (t$) => t$ : take(count),
          takeUntil(stop$),
          withLatestFrom(latestTargets$),
          map(([tick, list]) => ({ ...tick, targets: list })),
          sampleTicks((tick) => timed(sampler, tick), { scheduler }),
          tail ? besideRebuild(tail.events$, stored, {
            passThrough, stop: until, rebuildFailed: (e) => rebuildFailedEvent(tail.dir, e, scheduler.now()),
          }) : stored,
          spill ? connect((all$) => merge(all$, all$.pipe(spillover({ scheduler, events: 'log', ...spill })))) : (all$) => all$,
        );
      const subscription = (spill
        ? defer(async () => guardSpillDir(spill.dir)).pipe(switchMap(() =>
          withLogTail(spill.dir, { sinceMs: scheduler.now() - retentionMs, maxDiskBytes: rebuildMaxBytes }, pipeline)))
        : pipeline())
        .subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (options.sampler === undefined) sampler.close();
      };
    },
  );
  return { events$, store };
}

/**
 * The `tick` event of one sampling round: the tick's deadline and missed count, the units it sampled, the processes
 * its samples counted (1 for a sample without a count), and the measured lag and sampling time.
 */
export function tickEvent(
  tick: { deadlineMs: number; missed: number; targets: readonly unknown[] },
  events: readonly MetricEvent[],
  measured: { lagMs: number; samplingMs: number; ts: number },
): TickEvent {
  let processes = 0;
  for (const e of events) if (e.type === 'sample') processes += e.processes ?? 1;
  return {
    type: 'tick', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: measured.ts, deadlineMs: tick.deadlineMs,
    lagMs: measured.lagMs, samplingMs: measured.samplingMs, missed: tick.missed, units: tick.targets.length, processes,
  };
}
