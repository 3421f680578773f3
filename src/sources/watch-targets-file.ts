import { readFileSync } from 'node:fs';
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
}

/**
 * Reads `path` now and every `pollMs`, parsing it again whenever its text changed. Polling a small file beats
 * `fs.watch` here: it also sees atomic renames and network filesystems, and the scheduler drives it in tests.
 * A file that is bad at the start fails with `E_SOURCE`; a bad rewrite later (a torn write) keeps the last targets.
 */
export function watchTargetsFile(
  path: string,
  parse: (json: unknown) => UnitTarget[],
  { pollMs = 1000, scheduler = asyncScheduler, whenMissing = 'error', onBadRead }: WatchTargetsFileOptions = {},
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
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if (lastText === '') return EMPTY;
        lastText = '';
        if (whenMissing === 'empty') { good = true; return of([]); }
        return fail(String((error as NodeJS.ErrnoException).code ?? error), error);
      }
      if (text === lastText) return EMPTY;
      lastText = text;
      try {
        const targets = parse(JSON.parse(text));
        good = true;
        return of(targets);
      } catch (error) {
        return fail(`${(error as Error).message} (${excerpt(text.trim())})`, error);
      }
    }));
  });
}
