import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';

/** One tick of {@link intervalTicks}. */
export interface IntervalTick {
  /** Number of this tick's deadline: the deadline is `startMs + index * intervalMs`. */
  index: number;
  /** The deadline this tick stands for, ms on the scheduler's clock. */
  deadlineMs: number;
  /** Deadlines passed without a tick since the previous one, because the event loop was busy (a long sample). */
  missed: number;
}

/** Options of {@link intervalTicks}. */
export interface IntervalTicksOptions {
  /** Period, ms (default 1000). */
  intervalMs?: number;
  scheduler?: SchedulerLike;
}

/**
 * Ticks at once and then on absolute deadlines `start + k × intervalMs`, so the period never drifts by the time the
 * work of a tick takes. When the loop was blocked past whole deadlines, they are skipped and counted in `missed`
 * instead of firing in a burst.
 */
export function intervalTicks({ intervalMs = 1000, scheduler = asyncScheduler }: IntervalTicksOptions = {}): Observable<IntervalTick> {
  return new Observable<IntervalTick>((subscriber) => {
    const startMs = scheduler.now();
    let next = 0;
    return scheduler.schedule(function tick() {
      const due = Math.floor((scheduler.now() - startMs) / intervalMs);
      const missed = Math.max(0, due - next);
      const index = next + missed;
      subscriber.next({ index, deadlineMs: startMs + index * intervalMs, missed });
      next = index + 1;
      this.schedule(undefined, Math.max(0, startMs + next * intervalMs - scheduler.now()));
    }, 0);
  });
}
