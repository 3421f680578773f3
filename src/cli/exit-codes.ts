/** Exit codes of the `procstream` command, and how a failure maps to one. */
import { PipelineError } from '../errors.js';

/** 0 success, 1 any other failure, 2 usage error, 65 bad input data under `--strict` (sysexits' EX_DATAERR). */
export const EXIT = { ok: 0, failure: 1, usage: 2, dataError: 65 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** True for the error a write gets once the reader of a pipe has left (`procstream … | head -1`). */
export function isBrokenPipe(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE';
}

/** The exit code for an error that ended a command: a broken pipe is success, E_USAGE 2, E_PARSE 65, else 1. */
export function exitCodeFor(error: unknown): ExitCode {
  if (isBrokenPipe(error) || isBrokenPipe((error as { cause?: unknown } | null)?.cause)) return EXIT.ok;
  if (!(error instanceof PipelineError)) return EXIT.failure;
  if (error.code === 'E_USAGE') return EXIT.usage;
  return error.code === 'E_PARSE' ? EXIT.dataError : EXIT.failure;
}
