import { constants as fc } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { filter, finalize, Observable } from 'rxjs';
import { type BucketEvent, EVENT_FORMAT_VERSION, type ErrorEvent, type MetricEvent, NO_UNIT, type SampleEvent, type UnitDownEvent } from '../events.js';
import { liveSegments, parseLogSegmentName, type LogSegmentName } from '../formats/log-segments.js';
import { replay, type ReplaySegment } from './replay.js';

/** Options of `logTail` and `openLogTail`. */
export interface LogTailOptions {
  /** Only rows with `ts` ≥ sinceMs (ms since epoch): now minus the store's retention. */
  sinceMs: number;
  /** Read at most about this many bytes of segments on disk, newest first (the rebuild's bound: its CPU is ~linear in them). */
  maxDiskBytes: number;
}

/** What a restart puts back into its store: rows, and the buckets of a compacted log (a tiered store keeps them). */
export type LogTailEvent = SampleEvent | UnitDownEvent | BucketEvent;

/** The segments a rebuild will read, already open, and the stream of their events. */
export interface LogTail {
  /** The spill directory. */
  dir: string;
  /** Events of the opened segments, oldest first; closes each segment as it is read, and the rest on unsubscribe. */
  events$: Observable<LogTailEvent>;
  /** Segments opened and their bytes on disk. */
  segments: number;
  bytes: number;
  /** Whether older segments within `sinceMs` were left unread because of `maxDiskBytes` (the newest part wins). */
  truncated: boolean;
  /** Closes the segments not read yet (idempotent). */
  close(): Promise<void>;
}

/** Opens one of our segments without following a symlink, and keeps it only if it is the regular, singly linked file lstat saw. */
async function openOurs(path: string, ino: number): Promise<FileHandle | undefined> {
  const handle = await open(path, fc.O_RDONLY | fc.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined; // gone meanwhile (deleted by the budget, compacted) or a symlink now
  const st = await handle.stat();
  if (st.isFile() && st.ino === ino && st.nlink === 1) return handle;
  await handle.close();
  return undefined;
}

/**
 * Picks and opens the segments of the newest end of a spill directory's log: newest first, back to the first one
 * opened before `sinceMs` or until `maxDiskBytes`. Opening them all before anything else writes to the directory is
 * what lets live sampling (and its spill, whose budget and compaction delete old segments) run beside the rebuild:
 * an open file stays readable after it is unlinked, so the rebuild reads exactly the log as it was at the restart.
 * Only regular, singly linked files with our names owned by the directory's owner are read, never a symlink.
 */
export async function openLogTail(dir: string, { sinceMs, maxDiskBytes }: LogTailOptions): Promise<LogTail> {
  const owner = (await lstat(dir)).uid;
  // Ours first, then which are live: someone else's file named like a bucket segment must not shadow ours.
  const ours: (LogSegmentName & { size: number; ino: number })[] = [];
  for (const seg of (await readdir(dir)).map(parseLogSegmentName)) {
    const st = seg && await lstat(join(dir, seg.name)).catch(() => undefined);
    if (seg && st?.isFile() && st.uid === owner) ours.push({ ...seg, size: st.size, ino: st.ino });
  }
  const newestFirst = liveSegments(ours).live.reverse();
  const picked: (ReplaySegment & { handle: FileHandle })[] = [];
  let bytes = 0;
  let truncated = false;
  for (const seg of newestFirst) {
    if (bytes > 0 && bytes + seg.size > maxDiskBytes) { truncated = true; break; }
    const handle = await openOurs(join(dir, seg.name), seg.ino);
    if (!handle) continue;
    picked.push({ name: seg.name, compressed: seg.compressed, handle });
    bytes += seg.size;
    if (seg.openedMs < sinceMs) break; // opened before the cutoff: older segments hold only older rows
  }
  picked.reverse();
  const close = async (): Promise<void> => { await Promise.all(picked.map((s) => s.handle.close())); };
  const events$ = replay(dir, { segments: picked, sinceMs }).pipe(
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
