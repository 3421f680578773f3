/**
 * Turns argv (and an optional JSON config file) into one typed command whose fields are library option names.
 * Pure: the config file is read through `ctx.readFile`, and "15m ago" uses `ctx.now`.
 */
import { parseArgs as parseArgv } from 'node:util';
import { PipelineError } from '../errors.js';
import { COMMANDS, FLAGS, flagApplies, type CommandName } from './flags.js';
import { parseInstant, positiveInt, validRegex } from './flag-values.js';
import { DEFAULT_PROMETHEUS_PORT, parsePrometheusAddress } from '../formats/prometheus-address.js';
import type { CliCommand, HelpCommand, OutputFormat } from './options.js';
import { readConfig, type FlagValues } from './read-config.js';
import { parseDurationMs, parseSizeBytes } from './units.js';

/** What the parser needs from outside. */
export interface ParseContext {
  /** Whether stdout is a terminal: decides the default `--format`. */
  isTTY: boolean;
  /** Wall clock in ms since the epoch, for `--since 15m`. */
  now: () => number;
  /** Reads a `--config` file as UTF-8 text. */
  readFile: (path: string) => string;
}

/** Defaults, as flag text so help, config and argv share one parser. */
const DEFAULTS: Record<string, string> = {
  interval: '1s', retention: '12h', memory: '10MiB', 'spill-max': '6MiB', segment: '256KiB', 'max-line': '1MiB',
  window: '15m', from: 'live',
};
const DEFAULT_PROMETHEUS = `127.0.0.1:${DEFAULT_PROMETHEUS_PORT}`;

const GLOBAL_SWITCHES = ['--strict', '--help', '-h', '--version', '-V'];
const GLOBAL_WITH_VALUE = ['--config', '--format'];

/** Where the command word stands: after any global flags, or -1 when the first other token is a flag (so `watch`). */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] ?? '';
    if (GLOBAL_WITH_VALUE.includes(token)) i += 1;
    else if (!GLOBAL_SWITCHES.includes(token) && !GLOBAL_WITH_VALUE.some((g) => token.startsWith(`${g}=`))) {
      return token.startsWith('-') ? -1 : i;
    }
  }
  return -1;
}

/** The command argv names (`watch` when none), for help hints; undefined for an unknown word. Never throws. */
export function commandOf(argv: readonly string[]): CommandName | undefined {
  const index = commandIndex(argv);
  if (index < 0) return 'watch';
  return (COMMANDS as readonly string[]).includes(argv[index] ?? '') ? (argv[index] as CommandName) : undefined;
}

/** Parses argv (without node and script) into a command; throws PipelineError('E_USAGE') meant for humans. */
export function parseArgs(argv: readonly string[], ctx: ParseContext): CliCommand {
  const index = commandIndex(argv);
  if (argv[index] === 'help') return helpFor(argv[index + 1]);
  const command = commandOf(argv);
  if (command === undefined) {
    throw new PipelineError('E_USAGE', `unknown command '${argv[index]}'; commands: ${COMMANDS.join(', ')}`);
  }
  const rest = index < 0 ? [...argv] : [...argv.slice(0, index), ...argv.slice(index + 1)];
  const { values, positionals } = tokenize(command, withPrometheusDefault(rest));
  if (values.version === true) return { command: 'version' };
  if (values.help === true) return index < 0 ? { command: 'help' } : { command: 'help', topic: command };
  const config = typeof values.config === 'string' ? readConfig(values.config, command, ctx.readFile) : {};
  return build(command, { ...config, ...values }, positionals, ctx);
}

function helpFor(topic: string | undefined): HelpCommand {
  if (topic === undefined) return { command: 'help' };
  if (!(COMMANDS as readonly string[]).includes(topic)) {
    throw new PipelineError('E_USAGE', `unknown command '${topic}'; commands: ${COMMANDS.join(', ')}`);
  }
  return { command: 'help', topic: topic as CommandName };
}

// node:util parseArgs has no optional values, so a bare `--prometheus` gets its default address spelled out.
function withPrometheusDefault(argv: string[]): string[] {
  return argv.flatMap((t, i) => {
    const next = argv[i + 1];
    const bare = t === '--prometheus' && (next === undefined || next.startsWith('-'));
    return bare ? [`--prometheus=${DEFAULT_PROMETHEUS}`] : [t];
  });
}

function tokenize(command: CommandName, argv: string[]): { values: FlagValues; positionals: string[] } {
  const options = Object.fromEntries(
    FLAGS.filter((f) => flagApplies(f, command)).map((f) => [
      f.name,
      { type: f.value ? ('string' as const) : ('boolean' as const), multiple: f.multiple ?? false, ...(f.short ? { short: f.short } : {}) },
    ]),
  );
  try {
    return parseArgv({ args: argv, options, allowPositionals: true, strict: true }) as { values: FlagValues; positionals: string[] };
  } catch (error) {
    const quoted = /'(-[^']*)'/.exec(String((error as Error).message))?.[1];
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
      const other = FLAGS.find((f) => `--${f.name}` === quoted.split('=')[0]);
      throw new PipelineError('E_USAGE', other ? `${quoted} does not apply to ${command}` : `unknown option '${quoted}'`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
      throw new PipelineError('E_USAGE', `${quoted.split(' ')[0]} needs a value`);
    }
    throw new PipelineError('E_USAGE', String((error as Error).message));
  }
}

function build(command: CommandName, v: FlagValues, positionals: string[], ctx: ParseContext): CliCommand {
  const str = (name: string): string | undefined => {
    const x = v[name] ?? DEFAULTS[name];
    return typeof x === 'string' ? x : undefined;
  };
  const list = (name: string): string[] => (Array.isArray(v[name]) ? (v[name] as string[]) : []);
  const dur = (name: string) => optional(str(name), (t) => parseDurationMs(t, `--${name}`));
  const size = (name: string) => optional(str(name), (t) => parseSizeBytes(t, `--${name}`));
  const strict = v.strict === true;
  const maxPositionals = command === 'watch' ? 0 : 1;
  if (positionals.length > maxPositionals) {
    throw new PipelineError('E_USAGE', `unexpected argument '${positionals[maxPositionals]}' for ${command}`);
  }
  switch (command) {
    case 'watch':
      return {
        command, strict, format: format(str('format'), ctx.isTTY),
        targets: {
          pids: list('pid').map((t) => positiveInt(t, '--pid')),
          ...defined('pidFile', str('pidfile')),
          ...defined('match', optional(str('match'), validRegex)),
          ...defined('unitsFile', str('units')),
          ...defined('stateFile', str('state')),
          children: noChildren(v),
        },
        intervalMs: dur('interval') as number,
        retentionMs: dur('retention') as number,
        maxMemoryBytes: size('memory') as number,
        ...defined('spill', spill(v, str, size)),
        ...defined('count', optional(str('count'), (t) => positiveInt(t, '--count'))),
        ...defined('durationMs', dur('duration')),
        ...defined('summaryEveryMs', dur('summary-every')),
        ...defined('prometheus', optional(str('prometheus'), parsePrometheusAddress)),
      };
    case 'summarize':
      return {
        command, strict, format: format(str('format'), ctx.isTTY), input: positionals[0] ?? '-',
        maxLineBytes: size('max-line') as number, ...defined('systemgUnitsFile', str('systemg-units')),
      };
    case 'replay': {
      const dir = required(positionals[0], 'replay needs a spill DIR');
      const sinceTs = optional(str('since'), (t) => parseInstant(t, '--since', ctx.now));
      const untilTs = optional(str('until'), (t) => parseInstant(t, '--until', ctx.now));
      if (sinceTs !== undefined && untilTs !== undefined && sinceTs >= untilTs) {
        throw new PipelineError('E_USAGE', '--since must be earlier than --until');
      }
      return {
        command, strict, dir, units: list('unit'), ...defined('sinceTs', sinceTs), ...defined('untilTs', untilTs),
        maxLineBytes: size('max-line') as number, ...defined('systemgUnitsFile', str('systemg-units')),
      };
    }
    case 'inspect': {
      const from = str('from') as string;
      return {
        command, strict, unit: required(positionals[0], 'inspect needs a UNIT name'),
        from: from === 'live' ? { kind: 'live' } : { kind: 'path', path: from },
        windowMs: dur('window') as number, maxLineBytes: size('max-line') as number,
        intervalMs: dur('interval') as number,
        ...defined('count', optional(str('count'), (t) => positiveInt(t, '--count'))),
        ...defined('durationMs', dur('duration')),
      };
    }
  }
}

function optional<T>(text: string | undefined, parse: (t: string) => T): T | undefined {
  return text === undefined ? undefined : parse(text);
}

// With exactOptionalPropertyTypes in mind: absent options are left out rather than set to undefined.
function defined<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function required(value: string | undefined, message: string): string {
  if (value === undefined || value === '') throw new PipelineError('E_USAGE', message);
  return value;
}

function format(text: string | undefined, isTTY: boolean): OutputFormat {
  if (text === undefined) return isTTY ? 'table' : 'ndjson';
  if (text === 'ndjson' || text === 'table') return text;
  throw new PipelineError('E_USAGE', `--format: '${text}' is not valid; use ndjson or table`);
}

function spill(v: FlagValues, str: (n: string) => string | undefined, size: (n: string) => number | undefined) {
  const dir = str('spill');
  if (dir === undefined) {
    const orphan = ['spill-max', 'segment'].find((n) => v[n] !== undefined);
    if (orphan) throw new PipelineError('E_USAGE', `--${orphan} needs --spill DIR`);
    return undefined;
  }
  const maxBytes = size('spill-max') as number;
  const segmentBytes = size('segment') as number;
  if (segmentBytes > maxBytes) throw new PipelineError('E_USAGE', '--segment must not be larger than --spill-max');
  return { dir, maxBytes, segmentBytes };
}

/** Trees are counted unless `--no-children`; `--children` (the default since units add up) may not contradict it. */
function noChildren(v: FlagValues): boolean {
  if (v['no-children'] === true && v.children === true) throw new PipelineError('E_USAGE', '--children and --no-children contradict each other');
  return v['no-children'] !== true;
}
