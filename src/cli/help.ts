/** `--help` and `--version` text. Imports nothing heavy: both must answer as fast as `node -e 0`, near enough. */
import { readFileSync } from 'node:fs';
import { COMMANDS, FLAGS, flagApplies, type CommandName, type FlagSpec } from './flags.js';

const ABOUT: Record<CommandName, { usage: string; summary: string; examples: string[] }> = {
  watch: {
    usage: 'procstream [watch] [TARGETS] [OPTIONS]',
    summary: 'Sample the processes behind units and stream events: a live table on a terminal, NDJSON otherwise.\n' +
      'With no target flag, watches every process on the machine, grouped into units by command name.',
    examples: [
      'procstream watch --pid 1234 --count 3 | jq -c .',
      'procstream watch --match "^node " --interval 5s --spill /var/tmp/procstream',
      'procstream watch --units units.json --summary-every 1m --format ndjson > events.ndjson',
    ],
  },
  summarize: {
    usage: 'procstream summarize [FILE|DIR|-] [OPTIONS]',
    summary: 'Read NDJSON events (procstream\'s or systemg\'s; a file, a spill DIR or stdin) and print per-unit summaries.',
    examples: [
      'procstream summarize events.ndjson', 'procstream summarize /var/tmp/procstream',
      'procstream watch --count 60 | procstream summarize --format ndjson',
    ],
  },
  replay: {
    usage: 'procstream replay DIR [OPTIONS]',
    summary: 'Print the events spilled to DIR as NDJSON, oldest first.',
    examples: ['procstream replay /var/tmp/procstream --unit api --since 1h', 'procstream replay spill/ --since 2026-11-26T14:00:00Z --until 30m | head -1'],
  },
  inspect: {
    usage: 'procstream inspect UNIT [OPTIONS]',
    summary: 'Chart CPU and RSS of one unit over a time window, with min, mean, p95 and max; gaps stay gaps.',
    examples: [
      'procstream inspect api --from /var/tmp/procstream --window 1h', 'procstream inspect api --from events.ndjson',
      'procstream inspect node --window 1m    (samples the processes named node live for a minute)',
    ],
  },
};

const FOOTER = `Exit codes: 0 success (also when the reader of stdout leaves, as with | head), 2 usage error,
65 bad input data under --strict, 1 any other failure.
Environment: NO_COLOR (any non-empty value) turns colour off.
Durations: 500ms 5s 15m 12h 7d 1h30m.  Sizes: 512B 256KiB 10MiB 1GiB (1024s) 1KB 1MB 1GB (1000s).`;

function flagLines(flags: readonly FlagSpec[]): string {
  const left = flags.map((f) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return flags.map((f, i) => `  ${(left[i] ?? '').padEnd(width)}${f.help}`).join('\n');
}

/** Help for one command, or the overview (commands and global flags) when `topic` is undefined. */
export function helpText(topic?: CommandName): string {
  const globals = FLAGS.filter((f) => f.commands === 'global');
  if (topic === undefined) {
    const commands = COMMANDS.map((c) => `  ${c.padEnd(11)}${ABOUT[c].summary.split('\n')[0]}`).join('\n');
    return `Usage: procstream [COMMAND] [OPTIONS]    (COMMAND defaults to watch)\n\nCommands:\n${commands}\n\n` +
      `Global options:\n${flagLines(globals)}\n\nRun 'procstream COMMAND --help' for the options of each command.\n\n${FOOTER}\n`;
  }
  const about = ABOUT[topic];
  const own = FLAGS.filter((f) => f.commands !== 'global' && flagApplies(f, topic));
  return `Usage: ${about.usage}\n\n${about.summary}\n\nOptions:\n${flagLines(own)}\n\nGlobal options:\n${flagLines(globals)}\n\n` +
    `Examples:\n${about.examples.map((e) => `  ${e}`).join('\n')}\n\n${FOOTER}\n`;
}

/** The `version` of procstream's package.json, read from disk rather than imported so nothing else loads. */
export function packageVersion(read: (url: URL) => string = (url) => readFileSync(url, 'utf8')): string {
  // Two levels up from both src/cli/ (tests) and dist/cli/ (the installed binary) is the package root.
  const pkg = JSON.parse(read(new URL('../../package.json', import.meta.url))) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
