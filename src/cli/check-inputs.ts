/**
 * Checks of input paths at the start of a command, so a typo fails at once with a message naming the flag and the
 * path, instead of being accepted silently (a state file that is missing reads as "no units yet" to the library).
 */
import { readdirSync, statSync } from 'node:fs';
import { PipelineError } from '../errors.js';
import { parseLogSegmentName } from '../formats/log-segments.js';
import { SYSTEMG_FILE_PATTERN } from '../formats/systemg-format.js';
import { describeErrno } from './errno.js';
import { printable } from './printable.js';

const reason = (error: unknown): string => describeErrno(error) ?? String((error as Error).message);

/** `path` must be a regular file (or a FIFO/device someone pipes in); E_SOURCE naming `flag` otherwise. */
export function requireFile(path: string, flag: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new PipelineError('E_SOURCE', `${flag}: cannot read ${printable(path)}: ${reason(error)}`, { cause: error });
  }
  if (isDirectory) throw new PipelineError('E_SOURCE', `${flag}: ${printable(path)} is a directory, not a file`);
}

/** `dir` must hold at least one spill segment, ours or systemg's; E_SOURCE naming it otherwise. */
export function requireSegments(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new PipelineError('E_SOURCE', `cannot read ${printable(dir)}: ${reason(error)}`, { cause: error });
  }
  if (!names.some((n) => parseLogSegmentName(n) !== undefined || SYSTEMG_FILE_PATTERN.test(n))) {
    throw new PipelineError('E_SOURCE', `${printable(dir)}: no spill segments in it (procstream-*.ndjson or systemg's metrics-*.jsonl)`);
  }
}
