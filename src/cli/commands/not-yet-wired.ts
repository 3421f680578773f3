import { PipelineError } from '../../errors.js';

/** The failure of a command whose library parts are not connected yet (exit 1, one line). */
export function notYetWired(command: string): PipelineError {
  return new PipelineError('E_SOURCE', `${command} is not yet wired to the library in this build`);
}
