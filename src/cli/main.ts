/**
 * The `procstream` command: parse, dispatch, map failures to exit codes. Command modules are imported lazily so that
 * `--version` and `--help` load nothing heavy (no rxjs, no systeminformation).
 */
import { readFileSync } from 'node:fs';
import { PipelineError } from '../errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { helpText, packageVersion } from './help.js';
import type { CliIo } from './io.js';
import { commandOf, parseArgs } from './parse-args.js';
import { printable } from './printable.js';

export type { CliIo, CliOutput } from './io.js';

/** Entry point of the `procstream` command; resolves to the exit code and never rejects. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const cmd = parseArgs(argv, {
      isTTY: io.stdout.isTTY === true,
      now: io.now ?? (() => Date.now()),
      readFile: (path) => readFileSync(path, 'utf8'),
    });
    switch (cmd.command) {
      case 'version':
        io.stdout.write(`${packageVersion()}\n`);
        return EXIT.ok;
      case 'help':
        io.stdout.write(helpText(cmd.topic));
        return EXIT.ok;
      case 'watch':
        return await (await import('./commands/watch.js')).runWatch(cmd, io);
      case 'summarize':
        return await (await import('./commands/summarize.js')).runSummarize(cmd, io);
      case 'replay':
        return await (await import('./commands/replay.js')).runReplay(cmd, io);
      case 'inspect':
        return await (await import('./commands/inspect.js')).runInspect(cmd, io);
    }
  } catch (error) {
    return report(error, argv, io);
  }
}

function report(error: unknown, argv: string[], io: CliIo): number {
  const code = exitCodeFor(error);
  if (code === EXIT.ok) return code; // the reader left: nothing to say, and nobody to say it to on stdout
  if (code === EXIT.usage) {
    const command = commandOf(argv);
    io.stderr.write(`procstream: ${printable((error as Error).message)}\nTry 'procstream${command ? ` ${command}` : ''} --help'.\n`);
  } else if (error instanceof PipelineError) {
    const said = error.cause instanceof Error && !error.message.includes(error.cause.message);
    const cause = said ? `: ${(error.cause as Error).message}` : '';
    io.stderr.write(`procstream: ${printable(`${error.message}${cause}`)}\n`); // names and excerpts are user data
  } else {
    io.stderr.write(`procstream: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
  }
  return code;
}
