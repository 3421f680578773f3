import type { SummarizeCommand } from '../options.js';
import type { CliIo } from '../main.js';
import { notYetWired } from './not-yet-wired.js';

/** Runs `procstream summarize`; resolves to the exit code. */
export async function runSummarize(opts: SummarizeCommand, io: CliIo): Promise<number> {
  void io;
  throw notYetWired('summarize');
}
