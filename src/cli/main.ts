/**
 * The `procstream` command: parse, dispatch, map failures to exit codes. Command modules are imported lazily so that
 * `--version` and `--help` load nothing heavy (no rxjs, no systeminformation).
 */
import { readFileSync } from 'node:fs';
import { PipelineError } from '../errors.js';
import { describeErrno } from './errno.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { FLAGS } from './flags.js';
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
      warn: (message) => io.stderr.write(`procstream: ${message}\n`),
      // Only when it may be needed (the flag, or a config file that could name it): it loads a YAML parser.
      ...(argv.some((a) => a.startsWith('--systemg-config') || a.startsWith('--config'))
        ? { readSystemgConfig: (await import('./read-systemg-config.js')).readSystemgConfig } : {}),
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
    io.stderr.write(`procstream: ${printable(asFlag((error as Error).message))}\nTry 'procstream${command ? ` ${command}` : ''} --help'.\n`);
  } else if (error instanceof PipelineError) {
    io.stderr.write(`procstream: ${printable(withCause(error))}\n`);
  } else {
    io.stderr.write(`procstream: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
  }
  return code;
}

/**
 * The message with its cause once: an errno cause (`ENOENT: no such file or directory, open 'x'`) becomes
 * `no such file or directory (ENOENT)` in place of a bare code the message ends with, never the code twice.
 */
function withCause(error: PipelineError): string {
  const cause = error.cause;
  if (!(cause instanceof Error) || error.message.includes(cause.message)) return error.message;
  const described = describeErrno(cause);
  if (described === undefined) return `${error.message}: ${cause.message}`;
  if (error.message.includes(described)) return error.message;
  const code = (cause as NodeJS.ErrnoException).code as string;
  return error.message.endsWith(code) ? `${error.message.slice(0, -code.length)}${described}` : `${error.message}: ${described}`;
}

/** A library usage error starts with its option (`maxMemoryBytes must be…`); the user typed a flag, so it names that. */
function asFlag(message: string): string {
  return message.replace(/^[a-z]\w*(?= )/, (word) => {
    const flag = FLAGS.find((f) => f.option === word);
    return flag ? `--${flag.name}` : word;
  });
}
