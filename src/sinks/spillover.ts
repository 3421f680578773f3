import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { EVENT_FORMAT_VERSION, NO_UNIT, type DroppedEvent, type ErrorEvent, type MetricEvent } from '../events.js';
import { PipelineError } from '../errors.js';
import { encodeLogLine, LOGGED_TYPES } from '../formats/log-line.js';
import { operate } from '../streams/operate.js';
import { LogCompaction, type CompactionOptions } from './log-compaction.js';
import { SegmentDir, type FsyncPolicy } from './segment-dir.js';

export type { FsyncPolicy } from './segment-dir.js';
export type { CompactionOptions } from './log-compaction.js';

/** Options of `spillover`; only `dir` is required. */
export interface SpilloverOptions {
  /** Directory of the segments; created with mode 0700 when missing, refused when others could tamper with it. */
  dir: string;
  /** Budget for all our segments together, bytes on disk (compressed); with compaction on, old segments are compacted
   * early before any is deleted to hold it. Default 256 MiB. */
  maxBytes?: number;
  /** Compressed size at which a segment is closed and the next one opened, bytes; 0 < segmentBytes ≤ maxBytes. 256 KiB. */
  segmentBytes?: number;
  /** When to fsync: on closing a segment (`rotate`, default), after every batch (`always`) or `never`. */
  fsync?: FsyncPolicy;
  /**
   * What to record: `log` (the event log: samples, unit-down, unit-added/removed/restarted, dropped and error
   * events, in order), what leaves a store (`evicted` and `bucket` events; the default), or every event (`all`).
   */
  events?: 'log' | 'evicted' | 'all';
  /** Lines waiting for the disk; beyond this new lines are dropped and counted. Default 10 000. */
  maxQueue?: number;
  /** Clock for segment names and the `ts` of problem events. */
  scheduler?: SchedulerLike;
  /**
   * Compaction of old segments into 1-minute and then 15-minute bucket segments, off the write path (docs/spillover.md
   * #compaction); `false`: segments stay raw until the budget deletes them. Default: on, with CompactionOptions' ages.
   */
  compaction?: CompactionOptions | false;
  /** Called with the number of lines of each batch once it is written: a progress feed (benchmarks pace on it). */
  onWritten?: (lines: number) => void;
}

/** Most uncompressed bytes in one batch (one compressed write). */
const MAX_BATCH = 1024 * 1024;
/** The default disk budget: about 12 h (the store's retention) of 300 units at 1 Hz at ~20 bytes a sample. */
export const DEFAULT_SPILL_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Appends events as NDJSON lines to gzip-compressed, size-capped segment files in `dir`, keeping our segments
 * within `maxBytes` by compacting the oldest (unless `compaction: false`), then deleting the oldest. Lines queued while a batch is written go out together as the next batch
 * (one sync-flushed gzip block, so a crash loses at most that batch). Writes go through a bounded queue and never
 * block the source: a full queue, a full disk or an unwritable directory become `dropped` and `error` events
 * (`source: 'spill'`), the only events emitted. A directory others could tamper with is refused: the output errors
 * with `PipelineError('E_USAGE')`. Completes once everything queued is written and the segment is closed.
 */
export function spillover(options: SpilloverOptions): OperatorFunction<MetricEvent, MetricEvent> {
  const { dir, maxBytes = DEFAULT_SPILL_MAX_BYTES, segmentBytes = 256 * 1024, fsync = 'rotate' } = options;
  const { events = 'evicted', maxQueue = 10_000, scheduler = asyncScheduler } = options;
  for (const [name, value] of [['maxBytes', maxBytes], ['segmentBytes', segmentBytes], ['maxQueue', maxQueue]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new PipelineError('E_USAGE', `spillover: ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (segmentBytes > maxBytes) {
    throw new PipelineError('E_USAGE', `spillover: segmentBytes (${segmentBytes}) must not exceed maxBytes (${maxBytes})`);
  }

  return operate<MetricEvent, MetricEvent>((subscriber) => {
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
      const { compaction = {} } = options;
      const segments: SegmentDir = new SegmentDir(dir, {
        maxBytes, segmentBytes, fsync, now: () => scheduler.now(), onLost: failed,
        // Bound late: the compactor needs the directory. With it, the budget compacts before it deletes.
        ...(compaction === false ? {} : { reclaim: (): Promise<boolean> => compactor?.reclaim() ?? Promise.resolve(false) }),
      });
      const compactor = compaction === false ? undefined
        : new LogCompaction(segments, compaction, () => scheduler.now(), (error, doing) => failedWith(error, doing, 0),
          (count) => dropped('bad-line', count));

      const writeBatch = async (): Promise<void> => {
        const first = queue[0] as Buffer;
        if (first.length > maxBytes) {
          queue.shift();
          return dropped('too-large', 1);
        }
        let n = 0;
        let bytes = 0;
        for (const line of queue) {
          if (n > 0 && bytes + line.length > MAX_BATCH) break;
          bytes += line.length;
          n++;
        }
        const batch = queue.splice(0, n);
        try {
          await segments.append(n === 1 ? first : Buffer.concat(batch, bytes), n);
          options.onWritten?.(n);
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
          }
          dropped('queue-full', overflow);
          overflow = 0;
          compactor?.poke();
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
        try {
          await segments.release();
        } catch (error) {
          failedWith(error, 'closing spill segment', 0);
        }
        compactor?.poke(true); // the segment just closed may be due too
        await compactor?.idle(); // completion means the log on disk is final

        if (closed) return;
        closed = true;
        if (ended && 'error' in ended) subscriber.error(ended.error);
        else subscriber.complete();
      };

      // Startup: hold the budget before the first event arrives.
      draining = true;
      void segments.start().then(
        () => drain(),
        (error: unknown) => {
          if (error instanceof PipelineError) { // a directory we must not write into: the user has to choose another
            closed = true;
            subscriber.error(error); // the source subscription is linked to the subscriber, so this ends it too
            return undefined;
          }
          failedWith(error, `spill to ${dir}`, 0);
          return drain();
        },
      );

      subscriber.add(() => {
        compactor?.stop(); // one that runs finishes on its own: it is crash-safe at every step
        if (closed) return;
        closed = true;
        queue.length = 0;
        if (!draining) void segments.release().catch(() => undefined); // else the drain loop releases it
      });
      return {
        next: (event) => {
          if (events === 'evicted' ? event.type !== 'evicted' && event.type !== 'bucket' : events === 'log' && !LOGGED_TYPES.has(event.type)) return;
          if (queue.length >= maxQueue) overflow++;
          else queue.push(Buffer.from(encodeLogLine(event)));
          kick();
        },
        error: (error: unknown) => { ended = { error }; kick(); },
        complete: () => { ended = {}; kick(); },
      };
    });
}
