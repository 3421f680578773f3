import type { ReplayCommand } from '../options.js';
import type { CliIo } from '../main.js';
import { notYetWired } from './not-yet-wired.js';

/** Runs `procstream replay`; resolves to the exit code. */
export async function runReplay(opts: ReplayCommand, io: CliIo): Promise<number> {
  void io;
  throw notYetWired('replay');
}
