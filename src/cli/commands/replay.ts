import type { ReplayCommand } from '../parse-args.js';
import type { CliIo } from '../main.js';
import { notYetWired } from './not-yet-wired.js';

/** Runs `procstream replay`; resolves to the exit code. */
export async function runReplay(opts: ReplayCommand, io: CliIo): Promise<number> {
  void io;
  throw notYetWired('replay');
}
