import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BehaviorSubject, finalize, lastValueFrom, takeUntil, tap } from 'rxjs';
import { replay } from '../../index.js';
import { toNdjson, verbatimSlot } from '../../index.js';
import { PipelineError } from '../../errors.js';
import { requireSegments } from '../check-inputs.js';
import { EXIT } from '../exit-codes.js';
import { printable } from '../printable.js';
import type { CliIo } from '../io.js';
import type { ReplayCommand } from '../options.js';
import { bigInputProgress, loadUnitNames, reportBadLine, stop$ } from './common.js';

/**
 * Runs `procstream replay DIR`: the spilled events as NDJSON, oldest first, evictions unwrapped to the rows they
 * carry. Bad lines (a torn tail after a crash) go to stderr and are counted in a `dropped` event.
 */
export async function runReplay(opts: ReplayCommand, io: CliIo): Promise<number> {
  const { untilTs } = opts;
  requireSegments(opts.dir);
  // The bar counts bytes read; when stderr is no terminal there is no bar, and no per-chunk callback either.
  const progress = io.stderr.isTTY === true ? bigInputProgress(io, { label: opts.dir, totalBytes: dirBytes(opts.dir) }) : undefined;
  let read = 0;
  // The reader pauses while stdout's queue is full, so a slow consumer (`| less`) loses nothing and memory stays bounded.
  const paused = new BehaviorSubject(false);
  // Lines that are their event's own serialization are written as read, not parsed and serialized again: nothing
  // below changes an event, so the output is byte for byte what JSON.stringify would write (docs/cli.md).
  const verbatim = verbatimSlot();
  let rows = 0; // samples and down markers of the wanted units, as opposed to the reader's own `dropped` reports
  const events$ = replay(opts.dir, {
    ...(opts.units.length > 0 ? { unit: opts.units } : {}),
    ...(opts.sinceTs === undefined ? {} : { sinceMs: opts.sinceTs }),
    ...(untilTs === undefined ? {} : { beforeMs: untilTs }), // --until is exclusive
    unitNames: loadUnitNames(opts.systemgUnitsFile),
    strict: opts.strict,
    maxLineBytes: opts.maxLineBytes,
    onBadLine: reportBadLine(io),
    paused,
    verbatim,
    ...(progress ? { onRead: (bytes: number) => progress.update((read += bytes)) } : {}),
  }).pipe(
    takeUntil(stop$(io)),
    tap((e) => { if (e.type === 'sample' || e.type === 'unit-down') rows += 1; }),
    finalize(() => progress?.done()),
  );
  await lastValueFrom(events$.pipe(toNdjson(io.stdout, { policy: 'wait', onPressure: (p) => paused.next(p), verbatim })), { defaultValue: undefined });
  if (opts.units.length > 0 && rows === 0) {
    const names = opts.units.map((u) => `'${printable(u)}'`).join(', ');
    throw new PipelineError('E_SOURCE', `no events of unit ${names} in ${printable(opts.dir)}${opts.sinceTs ?? untilTs ? ' in that time range' : ''}`);
  }
  return EXIT.ok;
}

/** Bytes in the directory's files (0 when it cannot be read: replay reports that). */
function dirBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}
