import type { WatchCommand } from '../options.js';
import type { CliIo } from '../main.js';
import { PipelineError } from '../../errors.js';
import { notYetWired } from './not-yet-wired.js';

/** Runs `procstream watch`; resolves to the exit code. */
export async function runWatch(opts: WatchCommand, io: CliIo): Promise<number> {
  void io;
  if (opts.prometheus) throw new PipelineError('E_USAGE', '--prometheus is reserved and not yet available');
  throw notYetWired('watch');
}
