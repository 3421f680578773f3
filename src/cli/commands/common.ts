/** What the commands share: the stop signal, bad-line reports, reading a file or stdin with progress, decoding. */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { from, NEVER, type Observable } from 'rxjs';
import { PipelineError } from '../../errors.js';
import { decodeMetricEvent, systemgDecoder, type BadLine, type LineDecoder } from '../../index.js';
import type { CliIo } from '../io.js';
import { printable } from '../printable.js';
import { progressBar, type ProgressBar, type ProgressBarOptions } from '../progress.js';

/** Emits once when the user asks to stop (SIGINT, SIGTERM via bin.ts); never without `io.stop`. */
export const stop$ = (io: CliIo): Observable<unknown> => (io.stop ? from(io.stop) : NEVER);

/** Reports a skipped line on stderr as `file:line: reason: excerpt`. */
export const reportBadLine = (io: CliIo) => (bad: BadLine): void => {
  io.stderr.write(`procstream: ${printable(`${bad.name}:${bad.line}: ${bad.reason}: ${bad.excerpt}`)}\n`);
};

/** systemg `unit_hash` → unit name, from `--systemg-units FILE`; a bad file is a usage error. */
export function loadUnitNames(file: string | undefined): Record<string, string> {
  if (file === undefined) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new PipelineError('E_USAGE', `--systemg-units: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Decodes our event lines, and systemg spill lines (recognised per line by their `unit_hash`). */
export function autoDecoder(unitNames: Readonly<Record<string, string>>): LineDecoder {
  const systemg = systemgDecoder(unitNames);
  return (value) =>
    typeof value === 'object' && value !== null && 'unit_hash' in value ? systemg(value) : decodeMetricEvent(value);
}

/** Inputs smaller than this finish before a bar would tell anyone anything. */
const BIG_INPUT_BYTES = 1024 * 1024;

/** A progress bar on stderr (a no-op unless stderr is a terminal) for big inputs only: 1 MiB or more, or unknown size until 1 MiB is read. */
export function bigInputProgress(io: CliIo, options: Omit<ProgressBarOptions, 'columns'>): ProgressBar {
  const bar = progressBar(io.stderr, { ...options, columns: io.stderr.columns || 80 });
  return {
    update: (bytesRead) => { if ((options.totalBytes ?? bytesRead) >= BIG_INPUT_BYTES) bar.update(bytesRead); },
    done: () => bar.done(),
  };
}

export interface OpenedInput {
  stream: Readable;
  /** The name in messages: the path, or `stdin`. */
  name: string;
  progress: ProgressBar;
}

/** Opens FILE or stdin (`-`) with a progress bar on stderr (drawn only when stderr is a terminal). */
export function openInput(path: string, io: CliIo): OpenedInput {
  const isStdin = path === '-';
  const stream = isStdin ? io.stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
  const name = isStdin ? 'stdin' : path;
  let totalBytes: number | undefined;
  try {
    totalBytes = isStdin ? undefined : statSync(path).size;
  } catch {
    totalBytes = undefined; // the stream reports the error, as E_SOURCE
  }
  const progress = bigInputProgress(io, { label: name, ...(totalBytes === undefined ? {} : { totalBytes }) });
  let read = 0;
  stream.on('data', (chunk: Buffer | string) => progress.update((read += chunk.length)));
  return { stream, name, progress };
}
