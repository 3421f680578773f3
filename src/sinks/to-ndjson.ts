import type { Writable } from 'node:stream';
import { map, type OperatorFunction } from 'rxjs';
import type { DroppedEvent } from '../events.js';
import { lineOf, type Verbatim } from '../formats/verbatim.js';
import { writeLines, type WriteLinesOptions } from './write-lines.js';

/** Options of `toNdjson`: those of `writeLines`, and a slot of lines to write through. */
export interface ToNdjsonOptions extends WriteLinesOptions {
  /**
   * A reader's slot (readNdjson's or replay's `verbatim`): a value that is its event is written as the line it was
   * read from, the same bytes `JSON.stringify` would give, without serializing it again. Nothing between the reader
   * and this writer may change an event in place.
   */
  verbatim?: Verbatim;
}

/**
 * Writes each value as one NDJSON line (`JSON.stringify(value) + '\n'`) to `out` (stdout) through `writeLines`:
 * batched, bounded by `options.policy` (default `wait`), EPIPE completing quietly. Emits the `dropped` events of lines
 * the policy discarded; a value JSON cannot hold (bigint, a cycle) is an error on the error channel. Never ends `out`.
 */
export function toNdjson<T>(out: Writable, options: ToNdjsonOptions = {}): OperatorFunction<T, DroppedEvent> {
  const { verbatim } = options;
  return (source) => source.pipe(map((value) => lineOf(value, verbatim)), writeLines(out, options));
}
