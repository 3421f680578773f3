import type { Writable } from 'node:stream';
import { map, type OperatorFunction } from 'rxjs';
import type { DroppedEvent } from '../events.js';
import { writeLines, type WriteLinesOptions } from './write-lines.js';

/**
 * Writes each value as one NDJSON line (`JSON.stringify(value) + '\n'`) to `out` (stdout) through `writeLines`:
 * batched, bounded by `options.policy` (default `wait`), EPIPE completing quietly. Emits the `dropped` events of lines
 * the policy discarded; a value JSON cannot hold (bigint, a cycle) is an error on the error channel. Never ends `out`.
 */
export function toNdjson<T>(out: Writable, options: WriteLinesOptions = {}): OperatorFunction<T, DroppedEvent> {
  return (source) => source.pipe(map((value) => JSON.stringify(value)), writeLines(out, options));
}
