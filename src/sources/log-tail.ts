import { constants as fc } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { concatMap, defer, filter, finalize, from, Observable } from 'rxjs';
import { PipelineError } from '../errors.js';
import { type BucketEvent, EVENT_FORMAT_VERSION, type ErrorEvent, type MetricEvent, NO_UNIT, type SampleEvent, type UnitDownEvent } from '../events.js';
import { ourLiveSegments } from './our-segments.js';
import { replay, type ReplaySegment } from './replay.js';

/** Options of `logTail` and `openLogTail`. */
export interface LogTailOptions {
  /** Only rows with `ts` ≥ sinceMs (ms since epoch): now minus the store's retention. */
  sinceMs: number;
  /** Read at most about this many bytes of segments on disk, newest first (the rebuild's bound: its CPU is ~linear in them); 0: none. */
  maxDiskBytes: number;
  /** Segments held open at once (default `REBUILD_OPEN_SEGMENTS`). */
  maxOpen?: number;
}

/** What a restart puts back into its store: rows, and the buckets of a compacted log (a tiered store keeps them). */
export type LogTailEvent = SampleEvent | UnitDownEvent | BucketEvent;

/** The segments a rebuild will read (the oldest already open) and the stream of their events. */
export interface LogTail {
  /** The spill directory. */
  dir: string;
  /** Events of the opened segments, oldest first; closes each segment as it is read, and the rest on unsubscribe. */
  events$: Observable<LogTailEvent>;
  /** Segments picked and their bytes on disk. */
  segments: number;
  bytes: number;
  /** Whether older segments within `sinceMs` were left unread because of `maxDiskBytes` (the newest part wins). */
  truncated: boolean;
  /** Closes the segments not read yet (idempotent). */
  close(): Promise<void>;
}

/** Opens one of our segments without following a symlink, and keeps it only if it is the regular, singly linked file lstat saw. */
async function openOurs(path: string, ino: number): Promise<FileHandle | undefined> {
  // O_NONBLOCK: a FIFO swapped in after lstat must not block the open (the fstat below then refuses it).
  const handle = await open(path, fc.O_RDONLY | fc.O_NOFOLLOW | fc.O_NONBLOCK).catch(() => undefined);
  if (!handle) return undefined; // gone meanwhile (deleted by the budget, compacted) or a symlink now
  const st = await handle.stat().catch(() => undefined);
  if (st?.isFile() && st.ino === ino && st.nlink === 1) return handle;
  await handle.close();
  return undefined;
}

/** Segments a rebuild holds open at once (the kept-fd headroom is 512; see `fdBudgetOf` in host-info.ts). */
export const REBUILD_OPEN_SEGMENTS = 128;

interface Picked { name: string; compressed: boolean; size: number; ino: number }

/**
 * Picks the segments of the newest end of a spill directory's log, newest first, back to the first one opened before
 * `sinceMs` or until `maxDiskBytes`, and opens the oldest `maxOpen` of them before anything else writes to the
 * directory. That is what lets live sampling (and its spill, whose budget and compaction delete and replace the
 * oldest segments) run beside the rebuild: an open file stays readable after it is unlinked. The next segments are
 * opened `maxOpen` at a time as the previous ones are read; one gone by then (the sink got that far first) ends the
 * rebuild with `E_SOURCE` rather than leave a silent gap. Only regular, singly linked files with our names owned by
 * the directory's owner are read, never a symlink; ownership is checked before shadowing, so that someone else's file
 * named like a bucket segment hides none of ours.
 */
export async function openLogTail(dir: string, { sinceMs, maxDiskBytes, maxOpen = REBUILD_OPEN_SEGMENTS }: LogTailOptions): Promise<LogTail> {
  const picked: Picked[] = [];
  let bytes = 0;
  let truncated = false;
  for (const seg of (await ourLiveSegments(dir)).reverse()) {
    // The newest segment is read even when it alone is over a positive bound: some history rather than none.
    if (bytes + seg.size > maxDiskBytes && (bytes > 0 || maxDiskBytes <= 0)) { truncated = true; break; }
    picked.push(seg);
    bytes += seg.size;
    if (seg.openedMs < sinceMs) break; // opened before the cutoff: older segments hold only older rows
  }
  picked.reverse();
  const held = new Set<FileHandle>();
  const openAll = async (window: readonly Picked[], atStart: boolean): Promise<ReplaySegment[]> => {
    const opened: ReplaySegment[] = [];
    for (const seg of window) {
      const handle = await openOurs(join(dir, seg.name), seg.ino);
      if (handle) {
        held.add(handle);
        opened.push({ name: seg.name, compressed: seg.compressed, handle });
      } else if (!atStart) {
        throw new PipelineError('E_SOURCE', `${seg.name} was deleted or replaced before the rebuild reached it; rows after it are not rebuilt`);
      }
    }
    return opened;
  };
  const windows: Picked[][] = [];
  for (let i = 0; i < picked.length; i += maxOpen) windows.push(picked.slice(i, i + maxOpen));
  const first = await openAll(windows[0] ?? [], true);
  const close = async (): Promise<void> => { await Promise.all([...held].map((h) => h.close())); held.clear(); };
  const events$ = from(windows).pipe(
    concatMap((window, i) => defer(async () => (i === 0 ? first : openAll(window, false)))),
    concatMap((segments) => replay(dir, { segments, sinceMs })),
    filter((e: MetricEvent): e is LogTailEvent => e.type === 'sample' || e.type === 'unit-down' || e.type === 'bucket'),
    finalize(() => void close()),
  );
  return { dir, events$, segments: picked.length, bytes, truncated, close };
}

/**
 * Opens the log's tail on subscribe (`openLogTail`) and mirrors `project(tail)`; the segments not read yet are closed
 * on unsubscribe, also when that comes while they are being opened.
 */
export function withLogTail<T>(dir: string, options: LogTailOptions, project: (tail: LogTail) => Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let tail: LogTail | undefined;
    let closed = false;
    openLogTail(dir, options).then((opened) => {
      tail = opened;
      if (closed) return void opened.close();
      subscriber.add(project(opened).subscribe(subscriber)); // opened asynchronously: nothing to stop before this
    }, (error: unknown) => subscriber.error(error));
    return () => { closed = true; void tail?.close(); };
  });
}

/**
 * The samples, unit-down markers and buckets of the newest end of a spill directory's log, oldest first (see
 * `openLogTail`); torn lines are skipped as `replay` skips them.
 */
export const logTail = (dir: string, options: LogTailOptions): Observable<LogTailEvent> => withLogTail(dir, options, (tail) => tail.events$);

/** The `error` event (`source: 'rebuild'`) of a restart rebuild that failed part way: sampling goes on without the rest. */
export function rebuildFailedEvent(dir: string, error: unknown, ts: number): ErrorEvent {
  const { code = 'E_SOURCE', message = String(error) } = (error ?? {}) as { code?: string; message?: string };
  return { type: 'error', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts, source: 'rebuild', code, message: `rebuilding from ${dir}: ${message}`, count: 1 };
}
