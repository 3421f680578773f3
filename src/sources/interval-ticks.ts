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
      const nowMs = scheduler.now();
      const deadlineMs = startMs + next * intervalMs;
      // A timer can fire early: when the delay equals the last one, rxjs keeps its running setInterval, which counts
      // from its previous firing and not from this call (seen: 10 ms early after 30 ms of work at a 40 ms period),
      // and Node's timers may fire a millisecond before Date.now() reaches the target. Wait out the rest.
      if (nowMs < deadlineMs) {
        this.schedule(undefined, deadlineMs - nowMs);
        return;
      }
      const due = Math.floor((nowMs - startMs) / intervalMs);
      const missed = Math.max(0, due - next);
      const index = next + missed;
      subscriber.next({ index, deadlineMs: startMs + index * intervalMs, missed });
      next = index + 1;
      this.schedule(undefined, Math.max(0, startMs + next * intervalMs - scheduler.now()));
    }, 0);
  });
}
