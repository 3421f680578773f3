import { statSync } from 'node:fs';
import { filter, finalize, from, lastValueFrom, map, type Observable, reduce, takeUntil, tap } from 'rxjs';
import {
  DEFAULT_TIER_PLAN, readNdjson, replay, ingestAndSummarize, createWindowStore, type MetricEvent, type SummaryEvent,
} from '../../index.js';
import { colorEnabled } from '../color.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import type { SummarizeCommand } from '../options.js';
import { renderSummary } from '../render-summary.js';
import { toNdjson } from '../../index.js';
import { PipelineError } from '../../errors.js';
import { requireSegments } from '../check-inputs.js';
import { printable } from '../printable.js';
import { autoDecoder, loadUnitNames, openInput, reportBadLine, stop$ } from './common.js';

/** Holds every row of an input, whatever its age: summaries cover the whole input. */
const ALL_TIME_MS = 100 * 365 * 24 * 60 * 60 * 1000;
/** The store's budget when summarizing; a bigger input loses its oldest rows to the budget (counted on stderr). */
const SUMMARIZE_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * Runs `procstream summarize [FILE|DIR|-]`: events (ours or systemg's, told apart per line) through a windowed store
 * on event time, then one summary per unit covering the whole input: NDJSON, or a table on a terminal.
 */
export async function runSummarize(opts: SummarizeCommand, io: CliIo): Promise<number> {
  const unitNames = loadUnitNames(opts.systemgUnitsFile);
  let badLines = 0;
  const report = reportBadLine(io);
  const onBadLine: typeof report = (bad) => { badLines += 1; report(bad); };
  const common = { strict: opts.strict, maxLineBytes: opts.maxLineBytes, onBadLine };
  let events$: Observable<MetricEvent>;
  if (opts.input !== '-' && isDirectory(opts.input)) {
    requireSegments(opts.input);
    events$ = replay(opts.input, { ...common, unitNames });
  } else {
    const input = openInput(opts.input, io);
    events$ = readNdjson(input.stream, { ...common, name: input.name, decode: autoDecoder(unitNames) }).pipe(
      map((e) => (e.type === 'evicted' ? e.event : e)), // a spilled row is the row itself here
      finalize(() => input.progress.done()),
    );
  }
  // Rows stay raw (exact p95, as before tiers); bucket events (systemg v0.66, spilled tiers) still go to their tier.
  const tiers = { ...DEFAULT_TIER_PLAN, rawSlotMs: Infinity };
  const store = createWindowStore({ clock: 'events', retentionMs: ALL_TIME_MS, maxMemoryBytes: SUMMARIZE_MEMORY_BYTES, tiers });
  let firstTs = Infinity;
  let evicted = 0;
  const summaries$ = events$.pipe(
    takeUntil(stop$(io)), // completing (not unsubscribing) lets the summary emit its final round
    // Only rows move the event clock: a reader's `dropped` event is stamped with the wall clock, not the data's time.
    filter((e) => e.type === 'sample' || e.type === 'unit-down' || e.type === 'bucket'),
    tap((e) => { const first = e.type === 'bucket' ? e.firstTs : e.ts; if (first < firstTs) firstTs = first; }),
    ingestAndSummarize(store, { everyMs: ALL_TIME_MS, passThrough: false }),
    tap((e) => { if (e.type === 'evicted') evicted += 1; }),
    filter((e): e is SummaryEvent => e.type === 'summary'),
    // The final round covers the whole input: say so, rather than the store's nominal retention.
    map((s) => ({ ...s, windowMs: Math.max(0, s.ts - firstTs) })),
  );
  const latest = await lastValueFrom(
    summaries$.pipe(reduce((byUnit, s) => byUnit.set(s.unit, s), new Map<string, SummaryEvent>())),
    { defaultValue: new Map<string, SummaryEvent>() },
  );
  if (firstTs === Infinity && badLines > 0) {
    throw new PipelineError('E_PARSE', `${opts.input === '-' ? 'stdin' : printable(opts.input)}: no event could be read (${badLines} bad lines); is it NDJSON?`);
  }
  if (evicted > 0) io.stderr.write(`procstream: ${evicted} rows left out of the summaries (memory budget or out of order)\n`);
  const summaries = [...latest.values()].sort((a, b) => a.unit.localeCompare(b.unit));
  if (opts.format === 'table') {
    io.stdout.write(renderSummary(summaries, { width: io.stdout.columns || 80, color: colorEnabled(io.stdout, io.env) }));
  } else {
    await lastValueFrom(from(summaries).pipe(toNdjson(io.stdout, { policy: 'wait' })), { defaultValue: undefined });
  }
  return EXIT.ok;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // reading it reports the problem
  }
}
