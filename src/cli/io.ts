import type { Readable, Writable } from 'node:stream';

/** A terminal-aware output stream: `process.stdout` and `process.stderr` are ones, tests pass PassThroughs. */
export type CliOutput = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/** Standard streams and environment the CLI runs against; tests pass fakes, bin.ts passes `process`. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Wall clock in ms since the epoch, for `--since 15m`; defaults to the system clock. */
  now?: () => number;
  /**
   * Settles when the user asks to stop (SIGINT, SIGTERM): commands then end their input, so the final summaries are
   * printed and the spill is flushed, and resolve to 0. bin.ts wires it to the process signals.
   */
  stop?: PromiseLike<unknown>;
}
