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
    const job = this.due(now);
    if (!job) return;
    this.running = this.run(job.inputs, job.widthMs).finally(() => {
      this.running = undefined;
      this.poke(true); // another run may be due at once
    });
  }

  /** Resolves once no compaction runs (none is started after `stop`). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Starts no more compactions. */
  stop(): void {
    this.stopped = true;
  }

  /** The oldest due run: raw segments into 1-minute buckets first, then 1-minute segments into 15-minute ones. */
  private due(now: number): { inputs: Segment[]; widthMs: number } | undefined {
    const closed = this.segments.closedSegments();
    const named = closed.map((seg) => ({ seg, name: parseLogSegmentName(seg.name) }));
    // A segment's events end when the next segment was opened (the open one's name says when), or now.
    const endMs = (i: number): number => named[i + 1]?.name?.openedMs ?? now;
    const stages = [
      { from: 0, widthMs: LOG_BUCKET_MS[0], ageMs: this.opts.rawAgeMs, minBytes: this.opts.minInputBytes },
      { from: LOG_BUCKET_MS[0], widthMs: LOG_BUCKET_MS[1], ageMs: this.opts.minuteAgeMs, minBytes: this.opts.minInputBytes / 8 },
    ];
    for (const stage of stages) {
      // A run is consecutive in the log: it ends at a segment of another width, at one left alone (a run ending there
      // can never grow, so it is compacted however small), at the input limit, or at the first one not yet due.
      let inputs: Segment[] = [];
      let bytes = 0;
      for (let i = 0; i < named.length; i++) {
        const { seg, name } = named[i]!;
        const other = name?.widthMs !== stage.from;
        if (!other && endMs(i) > now - stage.ageMs) break;
        const blocked = !other && this.skipped.has(seg.name);
        if (!other && !blocked && (inputs.length === 0 || bytes + seg.bytes <= this.opts.maxInputBytes)) {
          inputs.push(seg);
          bytes += seg.bytes;
          continue;
        }
        if (inputs.length > 0 && (blocked || bytes >= stage.minBytes)) return { inputs, widthMs: stage.widthMs };
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
