import type { InspectCommand } from '../options.js';
import type { CliIo } from '../main.js';
import { notYetWired } from './not-yet-wired.js';

/** Runs `procstream inspect`; resolves to the exit code. */
export async function runInspect(opts: InspectCommand, io: CliIo): Promise<number> {
  void io;
  throw notYetWired('inspect');
}
