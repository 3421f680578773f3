import { parseLogSegmentName } from '../formats/log-segments.js';
import { LOG_MINUTE_MS } from '../store/compact-log.js';
import { compactSegments } from './compact-segments.js';
import type { SegmentDir } from './segment-dir.js';
import type { Segment } from './segment-inventory.js';

/** When old segments of the log are compacted into bucket segments (docs/spillover.md#compaction). */
export interface CompactionOptions {
  /** Raw segments whose events are all older than this are folded into 1-minute buckets. Default 6 h. */
  rawAgeMs?: number;
  /** 1-minute bucket segments older than this are merged into 15-minute buckets. Default 48 h. */
  minuteAgeMs?: number;
  /** Compact raw segments once at least this many bytes of them are due (1/8 of it for bucket segments): fewer, larger
   * runs cut fewer bucket slots in two. Default 4 MiB. */
  minInputBytes?: number;
  /** Most bytes of segments read by one compaction, which bounds its memory. Default 16 MiB. */
  maxInputBytes?: number;
}

/** Widths of the log's bucket tiers: 1-minute and 15-minute buckets. */
export const LOG_BUCKET_MS = [LOG_MINUTE_MS, 15 * 60_000] as const;
/** How often (of the clock's time) the log is looked at for due segments, besides when the sink completes. */
const CHECK_EVERY_MS = 10_000;
/** Above this share of the budget, the oldest raw or 1-minute segments are compacted before they are due by age, in
 * the background, so the writer rarely has to wait for `reclaim` at the budget itself. */
const PRESSURE_SHARE = 7 / 8;
/** Raw segments younger than this are never compacted early: the newest quarter hour is what a store keeps finer than
 * 15-minute buckets (its raw minute and 1-minute tier), and what a restart rebuilds them from. */
const NEWEST_KEPT_MS = 15 * 60_000;

/** A compaction to run: its input segments (consecutive in the log, oldest first) and the width of its buckets. */
interface Job {
  inputs: Segment[];
  widthMs: number;
}

/** Runs compactions of a `SegmentDir` one at a time, off the write path: the sink only pokes it after a batch. */
export class LogCompaction {
  private running: Promise<void> | undefined;
  private stopped = false;
  private nextCheckMs = Number.NEGATIVE_INFINITY;
  /** Segments left alone: one that could not be read, or the whole run of a compaction that failed otherwise. Each
   * ends a run, so the segments around it are still compacted. */
  private readonly skipped = new Set<string>();
  private readonly opts: Required<CompactionOptions>;

  constructor(
    private readonly segments: SegmentDir,
    options: CompactionOptions,
    private readonly now: () => number,
    private readonly onError: (error: unknown, doing: string) => void,
    private readonly onBadLines: (count: number) => void,
  ) {
    const { rawAgeMs = 6 * 3_600_000, minuteAgeMs = 48 * 3_600_000 } = options;
    const { minInputBytes = 4 * 1024 * 1024, maxInputBytes = 16 * 1024 * 1024 } = options;
    this.opts = { rawAgeMs, minuteAgeMs, minInputBytes, maxInputBytes };
  }

  /** Starts a compaction if one is due and none runs; called after every batch, it looks at most every 10 s of the
   * clock, unless `force` (the last segment was just closed, or a compaction just ended). */
  poke(force = false): void {
    if (this.running || this.stopped) return;
    const now = this.now();
    // By time only, not on every rotation: the look costs O(segments), and a rotation must stay O(1) (issue 12).
    if (!force && now < this.nextCheckMs) return;
    this.nextCheckMs = now + CHECK_EVERY_MS;
    const pressed = this.segments.totalBytes > this.segments.maxBytes * PRESSURE_SHARE;
    const job = this.due(now) ?? (pressed ? this.oldestRun(now) : undefined);
    if (job) this.start(job);
  }

  /**
   * Makes room under the budget by compaction, for `SegmentDir.makeRoom`: waits for a running compaction, then (if
   * that freed nothing) runs a due one, or else compacts the oldest run of raw or 1-minute segments whatever its age.
   * Resolves true when our segments take fewer bytes than before, false when nothing was left to compact (then the
   * budget deletes).
   */
  async reclaim(): Promise<boolean> {
    const before = this.segments.totalBytes;
    await this.idle();
    if (this.segments.totalBytes < before) return true;
    const now = this.now();
    // What is due by age goes first: it degrades nothing early.
    const job = this.stopped ? undefined : this.due(now) ?? this.oldestRun(now);
    if (!job) return false;
    this.start(job);
    await this.idle();
    return this.segments.totalBytes < before;
  }

  /** Resolves once no compaction runs (none is started after `stop`). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Starts no more compactions. */
  stop(): void {
    this.stopped = true;
  }

  private start(job: Job): void {
    this.running = this.run(job.inputs, job.widthMs).finally(() => {
      this.running = undefined;
      this.poke(true); // another run may be due at once
    });
  }

  /** Our closed segments, oldest first, with what their names say and when their events end: when the next segment
   * was opened (the open one's name says when), or now. */
  private closed(now: number): { seg: Segment; widthMs: number | undefined; endMs: number }[] {
    const named = this.segments.closedSegments().map((seg) => ({ seg, name: parseLogSegmentName(seg.name) }));
    return named.map(({ seg, name }, i) => ({ seg, widthMs: name?.widthMs, endMs: named[i + 1]?.name?.openedMs ?? now }));
  }

  /**
   * Under budget pressure: the oldest run of raw or 1-minute segments, whatever its age and size (the oldest data
   * becomes coarser first), but never raw segments of the newest quarter hour.
   */
  private oldestRun(now: number): Job | undefined {
    const inputs: Segment[] = [];
    let from: number | undefined;
    let bytes = 0;
    for (const { seg, widthMs, endMs } of this.closed(now)) {
      const usable = (widthMs === 0 || widthMs === LOG_BUCKET_MS[0]) && !this.skipped.has(seg.name) &&
        (widthMs !== 0 || endMs <= now - NEWEST_KEPT_MS);
      if (from === undefined) {
        if (!usable) continue;
        from = widthMs;
      } else if (!usable || widthMs !== from || bytes + seg.bytes > this.opts.maxInputBytes) break;
      inputs.push(seg);
      bytes += seg.bytes;
    }
    if (from === undefined) return undefined;
    return { inputs, widthMs: from === 0 ? LOG_BUCKET_MS[0] : LOG_BUCKET_MS[1] };
  }

  /** The oldest due run: raw segments into 1-minute buckets first, then 1-minute segments into 15-minute ones. */
  private due(now: number): Job | undefined {
    const named = this.closed(now);
    const stages = [
      { from: 0, widthMs: LOG_BUCKET_MS[0], ageMs: this.opts.rawAgeMs, minBytes: this.opts.minInputBytes },
      { from: LOG_BUCKET_MS[0], widthMs: LOG_BUCKET_MS[1], ageMs: this.opts.minuteAgeMs, minBytes: this.opts.minInputBytes / 8 },
    ];
    for (const stage of stages) {
      // A run is consecutive in the log: it ends at a segment of another width or one left alone (a run ending there
      // can never grow, so it is compacted however small), at the input limit, or at the first one not yet due.
      let inputs: Segment[] = [];
      let bytes = 0;
      for (const { seg, widthMs, endMs } of named) {
        const other = widthMs !== stage.from;
        if (!other && endMs > now - stage.ageMs) break;
        const blocked = !other && this.skipped.has(seg.name);
        if (!other && !blocked && (inputs.length === 0 || bytes + seg.bytes <= this.opts.maxInputBytes)) {
          inputs.push(seg);
          bytes += seg.bytes;
          continue;
        }
        if (inputs.length > 0 && (other || blocked || bytes >= stage.minBytes)) return { inputs, widthMs: stage.widthMs };
        inputs = other || blocked ? [] : [seg];
        bytes = other || blocked ? 0 : seg.bytes;
      }
      if (inputs.length > 0 && bytes >= stage.minBytes) return { inputs, widthMs: stage.widthMs };
    }
    return undefined;
  }

  private async run(inputs: Segment[], widthMs: number): Promise<void> {
    try {
      const { segment, badLines } = await compactSegments(this.segments.dir, inputs, widthMs);
      await this.segments.replaced(segment, inputs);
      this.onBadLines(badLines);
    } catch (error) {
      const bad = (error as { segment?: Segment }).segment;
      for (const s of bad ? [bad] : inputs) this.skipped.add(s.name);
      this.onError(error, `compacting ${bad?.name ?? `${inputs[0]!.name}…${inputs.at(-1)!.name}`}`);
    }
  }
}
