import { closeSync, constants, openSync, readSync } from 'node:fs';
import { EMPTY, type Observable, type SchedulerLike, asyncScheduler, defer, mergeMap, of, throwError, timer } from 'rxjs';
import { PipelineError, excerpt } from '../errors.js';
import type { UnitTarget } from './sampler.js';

/** Options of {@link watchTargetsFile}. */
export interface WatchTargetsFileOptions {
  /** How often the file is re-read, ms (default 1000). */
  pollMs?: number;
  scheduler?: SchedulerLike;
  /** What a missing file means: an error (default), or no targets yet (a supervisor that has not started). */
  whenMissing?: 'error' | 'empty';
  /** Called with `<path>: <reason>` when a later read is bad (torn, invalid, gone) and the last good list stays. */
  onBadRead?: (message: string) => void;
  /** Reads `path` as text (default: the file, capped at 1 MiB); a directory source passes its own reader. */
  readText?: (path: string) => string;
  /** Quote an excerpt of the text in a parse error (default true; off when `parse` names file and line itself). */
  quote?: boolean;
}

/**
 * Reads `path` now and every `pollMs`, parsing it again whenever its text changed. Polling a small file beats
 * `fs.watch` here: it also sees atomic renames and network filesystems, and the scheduler drives it in tests.
 * A file that is bad at the start fails with `E_SOURCE`; a bad rewrite later (a torn write) keeps the last targets.
 */
export function watchTargetsFile(
  path: string,
  parse: (json: unknown) => UnitTarget[],
  { pollMs = 1000, scheduler = asyncScheduler, whenMissing = 'error', onBadRead, readText = readCapped, quote = true }: WatchTargetsFileOptions = {},
): Observable<UnitTarget[]> {
  return defer(() => {
    let lastText: string | undefined;
    let good = false;
    const fail = (message: string, cause: unknown) => {
      if (!good) return throwError(() => new PipelineError('E_SOURCE', `${path}: ${message}`, { cause }));
      onBadRead?.(`${path}: ${message}`);
      return EMPTY;
    };
    return timer(0, pollMs, scheduler).pipe(mergeMap(() => {
      let text: string;
      try {
        text = readText(path);
      } catch (error) {
        if (lastText === '') return EMPTY;
        lastText = '';
        if (whenMissing === 'empty') { good = true; return of([]); }
        return fail(String((error as NodeJS.ErrnoException).code ?? (error as Error).message ?? error), error);
      }
      if (text === lastText) return EMPTY;
      lastText = text;
      if (Buffer.byteLength(text) > MAX_FILE_BYTES) return fail(`larger than ${MAX_FILE_BYTES} bytes`, undefined);
      try {
        const targets = parse(JSON.parse(text));
        good = true;
        return of(targets);
      } catch (error) {
        return fail(quote ? `${(error as Error).message} (${excerpt(text.trim())})` : (error as Error).message, error);
      }
    }));
  });
}

const MAX_FILE_BYTES = 1024 * 1024;

/** Up to `MAX_FILE_BYTES` + 1 bytes of `path`, opened without blocking: a FIFO or a device must not stall a poll. */
export function readCapped(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const chunks: Buffer[] = [];
    for (let total = 0, n = -1; n !== 0 && total <= MAX_FILE_BYTES; total += n) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      n = readSync(fd, buffer, 0, buffer.length, null);
      chunks.push(buffer.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
