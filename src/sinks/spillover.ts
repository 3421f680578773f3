import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { EVENT_FORMAT_VERSION, NO_UNIT, type DroppedEvent, type ErrorEvent, type MetricEvent } from '../events.js';
import { PipelineError } from '../errors.js';
import { SegmentDir, type FsyncPolicy } from './segment-dir.js';

export type { FsyncPolicy } from './segment-dir.js';

/** Options of `spillover`; only `dir` is required. */
export interface SpilloverOptions {
  /** Directory of the segments; created with mode 0700 when missing. */
  dir: string;
  /** Budget for all our segments together, bytes. Default 6 MiB. */
  maxBytes?: number;
  /** Size at which a segment is closed and the next one opened, bytes; 0 < segmentBytes ≤ maxBytes. 256 KiB. */
  segmentBytes?: number;
  /** When to fsync: on closing a segment (`rotate`, default), after every write (`always`) or `never`. */
  fsync?: FsyncPolicy;
  /** Spill what leaves the store (`evicted` and `bucket` events; the default) or every event. */
  events?: 'evicted' | 'all';
  /** Lines waiting for the disk; beyond this new lines are dropped and counted. Default 10 000. */
  maxQueue?: number;
  /** Clock for segment names and the `ts` of problem events. */
  scheduler?: SchedulerLike;
}

const MAX_WRITE = 1024 * 1024;

/**
 * Appends evicted events (or all events) as NDJSON lines to size-capped segment files in `dir`, keeping our
 * segments within `maxBytes`. Writes go through a bounded queue and never block the source: a full queue, a full
 * disk or an unwritable directory become `dropped` and `error` events (`source: 'spill'`), the only events emitted.
 * Completes once everything queued is written and the segment is closed.
 */
export function spillover(options: SpilloverOptions): OperatorFunction<MetricEvent, MetricEvent> {
  const { dir, maxBytes = 6 * 1024 * 1024, segmentBytes = 256 * 1024, fsync = 'rotate' } = options;
  const { events = 'evicted', maxQueue = 10_000, scheduler = asyncScheduler } = options;
  for (const [name, value] of [['maxBytes', maxBytes], ['segmentBytes', segmentBytes], ['maxQueue', maxQueue]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new PipelineError('E_USAGE', `spillover: ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (segmentBytes > maxBytes) {
    throw new PipelineError('E_USAGE', `spillover: segmentBytes (${segmentBytes}) must not exceed maxBytes (${maxBytes})`);
  }

  return (source) =>
    new Observable<MetricEvent>((subscriber) => {
      const queue: Buffer[] = [];
      let overflow = 0;
      let droppedTotal = 0;
      const errorCounts = new Map<string, number>();
      let draining = false;
      let ended: { error?: unknown } | undefined;
      let closed = false;

      const base = () => ({ v: EVENT_FORMAT_VERSION as typeof EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now() });
      const dropped = (reason: string, count: number): void => {
        if (count === 0 || closed) return;
        droppedTotal += count;
        const e: DroppedEvent = { ...base(), type: 'dropped', source: 'spill', reason, count, total: droppedTotal };
        subscriber.next(e);
      };
      const failed = (code: string, message: string, lost: number): void => {
        if (closed) return;
        const count = (errorCounts.get(code) ?? 0) + 1;
        errorCounts.set(code, count);
        const e: ErrorEvent = { ...base(), type: 'error', source: 'spill', code, message, count };
        subscriber.next(e);
        dropped(code, lost);
      };
      const failedWith = (error: unknown, doing: string, lost: number): void =>
        failed((error as NodeJS.ErrnoException).code ?? 'E_SINK', `${doing}: ${(error as Error).message}`, lost);
      const segments = new SegmentDir(dir, {
        maxBytes, segmentBytes, fsync, now: () => scheduler.now(), onLost: failed,
      });

      const writeBatch = async (): Promise<void> => {
        const first = queue[0] as Buffer;
        if (first.length > segmentBytes) {
          queue.shift();
          return dropped('too-large', 1);
        }
        await segments.ensureRoom(first.length);
        const limit = Math.min(segments.room, fsync === 'always' ? first.length : MAX_WRITE);
        let n = 0;
        let bytes = 0;
        for (const line of queue) {
          if (bytes + line.length > limit) break;
          bytes += line.length;
          n++;
        }
        const batch = queue.splice(0, n);
        try {
          await segments.append(n === 1 ? first : Buffer.concat(batch, bytes), n);
        } catch (error) {
          queue.unshift(...batch); // counted below with the rest of the queue
          throw error;
        }
      };

      const drain = async (): Promise<void> => {
        draining = true;
        while (!closed && (queue.length > 0 || overflow > 0)) {
          try {
            if (queue.length > 0) await writeBatch();
          } catch (error) {
            const lost = queue.splice(0).length; // the disk refuses: drop what waits rather than retry in a loop
            failedWith(error, `spill to ${dir}`, lost);
            await segments.release().catch(() => undefined);
          }
          dropped('queue-full', overflow);
          overflow = 0;
        }
        draining = false;
        if (closed) await segments.release().catch(() => undefined);
        else if (ended) await finish();
      };
      const kick = (): void => {
        if (!draining) void Promise.resolve().then(drain);
        draining = true;
      };
      const finish = async (): Promise<void> => {
        await segments.sync().catch(() => undefined); // reports an open segment removed since its last rotation
        try {
          await segments.release();
        } catch (error) {
          failedWith(error, 'closing spill segment', 0);
        }
        if (closed) return;
        closed = true;
        if (ended && 'error' in ended) subscriber.error(ended.error);
        else subscriber.complete();
      };

      // Startup: hold the budget before the first event arrives.
      draining = true;
      void segments.start().then(
        () => drain(),
        (error: unknown) => { failedWith(error, `spill to ${dir}`, 0); return drain(); },
      );

      const sub = source.subscribe({
        next: (event) => {
          if (events !== 'all' && event.type !== 'evicted' && event.type !== 'bucket') return; // what left memory
          if (queue.length >= maxQueue) overflow++;
          else queue.push(Buffer.from(`${JSON.stringify(event)}\n`));
          kick();
        },
        error: (error: unknown) => { ended = { error }; kick(); },
        complete: () => { ended = {}; kick(); },
      });
      return () => {
        sub.unsubscribe();
        if (closed) return;
        closed = true;
        queue.length = 0;
        if (!draining) void segments.release().catch(() => undefined); // else the drain loop releases it
      };
    });
}
