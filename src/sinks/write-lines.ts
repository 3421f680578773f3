import type { Writable } from 'node:stream';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, Subscription } from 'rxjs';
import { EVENT_FORMAT_VERSION, NO_UNIT, type DroppedEvent } from '../events.js';
import { PipelineError } from '../errors.js';

/**
 * What a line writer does while its stream is slower than its source. Both policies bound memory: RxJS cannot slow
 * a push source down, so a queue that only waited would grow without bound (issue 10: 125 → 176 MB in 40 s).
 * - `wait`: queue up to `maxQueueBytes` (64 MiB), telling a source that can pause (`onPressure`) to stop at
 *   `highWaterBytes`; a source that ignores it loses the lines past the cap, counted in `dropped` events.
 * - `drop`: queue up to `maxQueueBytes` (1 MiB, like sonic-boom's `maxLength`), then discard and count: for live data.
 */
export type WritePolicy = 'wait' | 'drop';

/** Options of `writeLines` (and `toNdjson`); every field is optional. */
export interface WriteLinesOptions {
  /** See {@link WritePolicy}. Default `wait`. */
  policy?: WritePolicy;
  /** Characters queued while the stream is full before lines are dropped. Default 64 MiB (`wait`), 1 MiB (`drop`). */
  maxQueueBytes?: number;
  /** Queued characters at which `onPressure(true)` asks the source to pause. Default 1 MiB. */
  highWaterBytes?: number;
  /** Lines are joined into chunks of about this many characters before one `write()`. Default 64 KiB. */
  batchBytes?: number;
  /** Longest a line waits for its chunk to fill, ms. Default 10. */
  flushMs?: number;
  /** Called with true when the queue passes `highWaterBytes`, and false once the stream has drained it. */
  onPressure?: (paused: boolean) => void;
  /** The stream's name in messages and `dropped` events (`source`). Default `stdout`. */
  name?: string;
  /**
   * Also write each `dropped` event as a line where the gap is, once the queue has room (NDJSON of events only), so a
   * reader of the output sees where lines are missing. Default false: the events are only emitted.
   */
  markGaps?: boolean;
  /** Clock of the batching timer and of `ts` on `dropped` events. Default asyncScheduler. */
  scheduler?: SchedulerLike;
}

/** `dropped` events while discarding come at most this often: one per second of a stuck reader, not one per line. */
const REPORT_EVERY_MS = 1000;

/**
 * Writes each value as one line (`value + '\n'`) to `out`, in chunks (`batchBytes`, `flushMs`, flushed on
 * completion), under `policy`. Emits a `dropped` event (source = `name`, reason `queue-full`) for lines it had to
 * discard, at most once a second and at the end. Completes once the source has and every queued chunk was accepted
 * by `out`; quietly, and at once, when the reader has left (EPIPE, the one place it is handled); any other write
 * error is PipelineError('E_SINK'). Never ends `out`: fd 1 belongs to the process.
 */
export function writeLines(out: Writable, options: WriteLinesOptions = {}): OperatorFunction<string, DroppedEvent> {
  const { policy = 'wait', highWaterBytes = 1024 * 1024, batchBytes = 64 * 1024, flushMs = 10 } = options;
  const { maxQueueBytes = policy === 'wait' ? 64 * 1024 * 1024 : 1024 * 1024, onPressure, name = 'stdout' } = options;
  const { scheduler = asyncScheduler, markGaps = false } = options;
  return (source) =>
    new Observable<DroppedEvent>((subscriber) => {
      let batch = ''; // lines not yet handed to `out`
      const queue: string[] = []; // full chunks waiting for 'drain'
      let queuedBytes = 0;
      let waiting = false; // `out` said write() === false: no more until 'drain'
      let paused = false;
      let sourceDone = false;
      let timer: Subscription | undefined;
      let reportTimer: Subscription | undefined;
      let pending = 0; // dropped since the last report
      let total = 0;
      let owed: DroppedEvent | undefined; // the last report, not yet written where the gap is (markGaps)

      const report = (): void => {
        reportTimer?.unsubscribe();
        reportTimer = undefined;
        if (pending === 0) return;
        total += pending;
        const count = pending;
        pending = 0;
        const event: DroppedEvent = { type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now(),
          source: name, reason: 'queue-full', count, total };
        subscriber.next(event);
        if (markGaps) {
          owed = event; // a later report supersedes it: its `total` covers both
          writeOwed();
        }
      };
      // The marker goes right after the lines queued before the gap; without room it waits for the next pump.
      const writeOwed = (): void => {
        if (owed === undefined) return;
        const line = JSON.stringify(owed);
        if (queuedBytes + batch.length + line.length + 1 > maxQueueBytes) return;
        owed = undefined;
        add(line);
      };
      const finishIfDone = (): void => {
        if (!sourceDone || waiting || queue.length > 0 || batch !== '') return;
        report();
        subscriber.complete();
      };
      const pressure = (on: boolean): void => {
        if (paused === on) return;
        paused = on;
        onPressure?.(on);
      };
      // Hands chunks to `out` until it asks us to wait; the batch goes last, so lines keep their order.
      const pump = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch !== '') {
          queue.push(batch);
          queuedBytes += batch.length;
          batch = '';
        }
        while (!waiting && queue.length > 0 && !subscriber.closed) {
          const chunk = queue.shift() as string;
          queuedBytes -= chunk.length;
          if (!out.write(chunk)) waiting = true;
        }
        if (queuedBytes < highWaterBytes / 2) pressure(false);
        if (markGaps && pending > 0 && !waiting) report(); // room again: mark the gap now, with its full count
        writeOwed();
        finishIfDone();
      };
      // Stream events and timers call in from outside the subscription: a throw there (a write() that throws) would be
      // an uncaughtException, so it goes to the error channel like a throw in `next`.
      const guarded = (fn: () => void) => (): void => {
        try {
          fn();
        } catch (error) {
          subscriber.error(error);
        }
      };
      const onDrain = guarded(() => {
        waiting = false;
        pump();
      });
      const onError = (error: NodeJS.ErrnoException): void => {
        if (error.code === 'EPIPE') subscriber.complete(); // the reader left (`| head -1`): nothing more to say
        else subscriber.error(new PipelineError('E_SINK', `cannot write to ${name}: ${error.message}`, { cause: error }));
      };
      const accept = (line: string): void => {
        const size = line.length + 1;
        if (queuedBytes + batch.length + size > maxQueueBytes) {
          pending += 1;
          reportTimer ??= scheduler.schedule(report, REPORT_EVERY_MS);
          return;
        }
        add(line);
      };
      const add = (line: string): void => {
        batch += `${line}\n`;
        if (batch.length >= batchBytes) {
          if (waiting) {
            queue.push(batch);
            queuedBytes += batch.length;
            batch = '';
            if (queuedBytes >= highWaterBytes) pressure(true);
          } else pump();
        } else timer ??= scheduler.schedule(guarded(() => { timer = undefined; if (!waiting) pump(); }), flushMs);
      };

      // Teardown first, so a synchronous source that is cut short (EPIPE, take) finds it in place.
      out.on('error', onError);
      out.on('drain', onDrain);
      subscriber.add(() => {
        timer?.unsubscribe();
        reportTimer?.unsubscribe();
        out.off('error', onError);
        out.off('drain', onDrain);
        pressure(false);
      });
      // An observer that is also a Subscription is used by rxjs as the subscriber itself: linked before subscribing,
      // its `closed` stops a synchronous source as soon as this sink is done (rxjs 7's own operator anatomy).
      const upstream = Object.assign(new Subscription(), {
        next: (line: string) => {
          try {
            accept(line);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          report(); // the count is final: say it now, even if the stream never drains
          if (!waiting) pump();
          else finishIfDone();
        },
      });
      subscriber.add(upstream);
      source.subscribe(upstream);
    });
}
