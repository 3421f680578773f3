import { platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  asyncScheduler, connect, EMPTY, from, isObservable, map, merge, NEVER, Observable, type ObservableInput, type SchedulerLike,
  shareReplay, Subject, switchMap, take, takeUntil, type TimestampProvider, timer, withLatestFrom,
} from 'rxjs';
import type { MetricEvent } from './events.js';
import { spillover, type SpilloverOptions } from './sinks/spillover.js';
import { intervalTicks, type IntervalTick } from './sources/interval-ticks.js';
import { procSampler } from './sources/proc-sampler.js';
import { processGroups } from './sources/process-groups.js';
import type { Sampler, UnitTarget } from './sources/sampler.js';
import { siSampler } from './sources/si-sampler.js';
import { unitTargets, type UnitTargetsSpec } from './sources/unit-targets.js';
import { sampleTicks } from './streams/sample-ticks.js';
import { storeAndSummarize } from './streams/store-and-summarize.js';
import { windowedStore, type WindowedStore } from './streams/windowed-store.js';

export interface WatchUnitsOptions {
  /** What to watch (see docs/targets.md); default: every process on the machine, one unit per command name. */
  targets?: UnitTargetsSpec | 'all-processes';
  /** Sampling period, ms. Default 1 s (systemg's). */
  intervalMs?: number;
  /** How long the store keeps rows, ms. Default 12 h (systemg's). */
  retentionMs?: number;
  /** Memory budget of the store's rows. Default 10 MiB (systemg's). */
  maxMemoryBytes?: number;
  /** How often summaries are emitted, ms. Default 10 s. */
  summaryEveryMs?: number;
  /** Count each unit's process tree, live and reaped (default true; `'auto'` is the same); false: roots alone. */
  children?: boolean | 'auto';
  /** Where evicted rows go on disk; no spilling when absent. */
  spill?: SpilloverOptions;
  /** Default: the /proc sampler on Linux, the systeminformation sampler elsewhere. */
  sampler?: Sampler;
  /** Pass samples and other input events through to the output (default true). */
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
   * Clock of `sampleSeconds$`, ms. Default `performance` (sub-ms: a tick often takes under 1 ms, below the
   * scheduler's resolution; only the self-metric uses it, never an event's `ts`).
   */
  durationClock?: TimestampProvider;
}

export interface WatchUnits {
  /** Every event of the pipeline: samples and unit changes, evictions, summaries, and problems with counts. */
  events$: Observable<MetricEvent>;
  /** The windowed store, to query while `events$` is subscribed (and after). */
  store: WindowedStore;
  /** Seconds each tick's sampling took, while `events$` is subscribed (for `prometheus({ sampleSeconds$ })`). */
  sampleSeconds$: Observable<number>;
  /**
   * For each sampled tick, ms from its deadline to the start of its sampling, by the scheduler's clock. Deadlines
   * the ticker skipped because the loop was busy count in full: the lag runs from the first deadline not served.
   */
  tickLagMs$: Observable<number>;
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
  } = options;
  const sampleSeconds = new Subject<number>();
  const tickLagMs = new Subject<number>();
  const timed = (sampler: Sampler, tick: IntervalTick & { targets: readonly UnitTarget[] }) => {
    tickLagMs.next(scheduler.now() - (tick.deadlineMs - tick.missed * intervalMs));
    const list = tick.targets;
    const start = durationClock.now();
    const done = () => sampleSeconds.next((durationClock.now() - start) / 1000);
    const out = sampler.sample(list);
    if (Array.isArray(out)) done();
    else void Promise.resolve(out).then(done, () => undefined); // the rejection itself is reported by sampleTicks
    return out;
  };
  const store = windowedStore({ retentionMs, maxMemoryBytes, sweepIntervalMs: intervalMs, scheduler });
  const targets$: Observable<readonly UnitTarget[]> =
    targets === 'all-processes'
      ? processGroups({ scheduler })
      : unitTargets(targets, { scheduler, ...(isObservable(targets) ? {} : { pollMs: Math.max(intervalMs, 1_000) }) });

  // new Observable rather than defer(): the sampler must be closed on teardown, not only created per subscription.
  const events$ = new Observable<MetricEvent>(
    (subscriber) => {
      // The sampler lives as long as the subscription: its kept fds are closed on teardown.
      const sampler = options.sampler ?? (platform() === 'linux' ? procSampler({ children, scheduler }) : siSampler({ scheduler }));
      // The first tick waits for the first target list (a units file is read asynchronously), so no round is lost.
      const latestTargets$ = targets$.pipe(shareReplay({ bufferSize: 1, refCount: true }));
      const stop$ = merge(from(until), durationMs === undefined ? EMPTY : timer(durationMs, scheduler));
      const subscription = latestTargets$
        .pipe(
          take(1),
          switchMap(() => intervalTicks({ intervalMs, scheduler })),
          count === undefined ? (t$) => t$ : take(count),
          takeUntil(stop$),
          withLatestFrom(latestTargets$),
          map(([tick, list]) => ({ ...tick, targets: list })),
          sampleTicks((tick) => timed(sampler, tick), { scheduler }),
          storeAndSummarize({ store, everyMs: summaryEveryMs, intervalMs, scheduler, passThrough }),
          spill ? connect((all$) => merge(all$, all$.pipe(spillover({ scheduler, ...spill })))) : (all$) => all$,
        )
        .subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (options.sampler === undefined) sampler.close();
      };
    },
  );
  return { events$, store, sampleSeconds$: sampleSeconds.asObservable(), tickLagMs$: tickLagMs.asObservable() };
}
