/**
 * Turns argv (and an optional JSON config file) into one typed command whose fields are library option names.
 * Pure: the config file is read through `ctx.readFile`, and "15m ago" uses `ctx.now`.
 */
import { parseArgs as parseArgv } from 'node:util';
import { PipelineError } from '../errors.js';
import { COMMANDS, FLAGS, flagApplies, type CommandName, type ParserName } from './flags.js';
import { cgroupPath, parseInstant, positiveInt, systemdUnitName, timerDurationMs, validRegex } from './flag-values.js';
import { DEFAULT_HTTP_PORT, DEFAULT_PROMETHEUS_PORT, parsePrometheusAddress, type PrometheusAddress } from '../formats/prometheus-address.js';
import type { CliCommand, HelpCommand, OutputFormat, WatchTargets } from './options.js';
import { unitOfPid, unitOfPidFile } from '../formats/unit-names.js';
import { readConfig, type FlagValues } from './read-config.js';
import { SORT_KEYS, type SortKey } from './sort-rows.js';
import type { readSystemgConfig } from './read-systemg-config.js';
import { parseDurationMs, parseSizeBytes } from './units.js';

/** What the parser needs from outside. */
export interface ParseContext {
  /** Whether stdout is a terminal: decides the default `--format`. */
  isTTY: boolean;
  /** Wall clock in ms since the epoch, for `--since 15m`. */
  now: () => number;
  /** Reads a `--config` file as UTF-8 text. */
  readFile: (path: string) => string;
  /** Where warnings go (unknown keys of a `--systemg-config` file); default: nowhere. */
  warn?: (message: string) => void;
  /**
   * Reads a `--systemg-config` file; main.ts imports it lazily (it loads a YAML parser, which `--version` must not).
   * Without it, `--systemg-config` is a usage error.
   */
  readSystemgConfig?: typeof readSystemgConfig;
}

/** Defaults, as flag text so help, config and argv share one parser. */
const DEFAULTS: Record<string, string> = {
  interval: '1s', retention: '12h', memory: '10MiB', 'spill-max': '256MiB', 'rebuild-max': '96MiB', segment: '256KiB', 'max-line': '1MiB',
  window: '15m', from: 'live',
};
const DEFAULT_PROMETHEUS = `127.0.0.1:${DEFAULT_PROMETHEUS_PORT}`;
const DEFAULT_HTTP = `127.0.0.1:${DEFAULT_HTTP_PORT}`;

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
  const { values, positionals } = tokenize(command, withNegativeNumbers(withPrometheusDefault(rest)));
  if (values.version === true) return { command: 'version' };
  if (values.help === true) return index < 0 ? { command: 'help' } : { command: 'help', topic: command };
  const config = typeof values.config === 'string' ? readConfig(values.config, command, ctx.readFile) : {};
  const sgPath = values['systemg-config'] ?? config['systemg-config'];
  const sg = typeof sgPath === 'string' ? systemgConfig(sgPath, ctx) : undefined;
  try {
    const cmd = build(command, { ...sg?.values, ...config, ...values }, positionals, ctx);
    if ((cmd.command === 'watch' || cmd.command === 'inspect') && sg) cmd.targets.systemgServices = sg.services;
    return cmd;
  } catch (error) {
    throw withOrigin(error, values, [[config, String(values.config)], [sg?.values ?? {}, String(sgPath)]]);
  }
}

function systemgConfig(path: string, ctx: ParseContext) {
  if (!ctx.readSystemgConfig) throw new PipelineError('E_USAGE', '--systemg-config: no reader for systemg configs in this context');
  return ctx.readSystemgConfig(path, ctx.readFile, ctx.warn ?? (() => undefined));
}

/** A usage error about `--flag` whose value came from a file, not argv, names that file: `(from FILE)`. */
function withOrigin(error: unknown, argv: FlagValues, files: [FlagValues, string][]): unknown {
  const flag = /^--([a-z-]+)/.exec(error instanceof PipelineError ? error.message : '')?.[1];
  if (flag === undefined || argv[flag] !== undefined) return error;
  const file = files.find(([v]) => v[flag] !== undefined)?.[1];
  if (file === undefined) return error;
  return new PipelineError((error as PipelineError).code, `${(error as Error).message} (from ${file})`, { cause: error });
}

function helpFor(topic: string | undefined): HelpCommand {
  if (topic === undefined) return { command: 'help' };
  if (!(COMMANDS as readonly string[]).includes(topic)) {
    throw new PipelineError('E_USAGE', `unknown command '${topic}'; commands: ${COMMANDS.join(', ')}`);
  }
  return { command: 'help', topic: topic as CommandName };
}

// node:util parseArgs has no optional values, so a bare `--prometheus` (or `--http`) gets its default address spelled out.
function withPrometheusDefault(argv: string[]): string[] {
  const defaults: Record<string, string> = { '--prometheus': DEFAULT_PROMETHEUS, '--http': DEFAULT_HTTP };
  return argv.flatMap((t, i) => {
    const next = argv[i + 1];
    const bare = defaults[t] !== undefined && (next === undefined || next.startsWith('-'));
    return bare ? [`${t}=${defaults[t]}`] : [t];
  });
}

// node:util parseArgs reads `--pid -5` as a flag without a value; a negative number is a value, whose check says why
// it is wrong (`--pid: '-5' is not valid; use a whole number above 0`) rather than "needs a value".
function withNegativeNumbers(argv: string[]): string[] {
  const takesValue = new Set(FLAGS.filter((f) => f.value).map((f) => `--${f.name}`));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] as string;
    const next = argv[i + 1];
    if (takesValue.has(token) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${token}=${next}`);
      i += 1;
    } else out.push(token);
  }
  return out;
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
  // Each value goes through the parser its flag row names: the argument layer is the table in flags.ts.
  const parse = (name: string, text: string): unknown => PARSERS[FLAGS.find((f) => f.name === name)?.parse ?? 'text'](text, `--${name}`, ctx);
  const list = (name: string): unknown[] => (Array.isArray(v[name]) ? (v[name] as string[]).map((t) => parse(name, t)) : []);
  const val = <T>(name: string): T | undefined => optional(str(name), (t) => parse(name, t) as T);
  const strict = v.strict === true;
  const maxPositionals = command === 'watch' ? 0 : 1;
  if (positionals.length > maxPositionals) {
    throw new PipelineError('E_USAGE', `unexpected argument '${positionals[maxPositionals]}' for ${command}`);
  }
  switch (command) {
    case 'watch': {
      const once = v.once === true;
      if (once && str('format') === 'ndjson') throw new PipelineError('E_USAGE', '--once prints a table; it does not go with --format ndjson');
      return {
        command, strict, format: once ? 'table' : format(str('format'), ctx.isTTY),
        targets: targets(v, val, list),
        intervalMs: val<number>('interval') as number,
        retentionMs: val<number>('retention') as number,
        maxMemoryBytes: val<number>('memory') as number,
        ...defined('spill', spill(v, str, val)),
        ...defined('rebuildMaxBytes', str('spill') === undefined ? undefined : val<number>('rebuild-max')),
        ...defined('count', val<number>('count') ?? (once ? 2 : undefined)),
        ...defined('durationMs', val<number>('duration')),
        ...defined('summaryEveryMs', val<number>('summary-every')),
        ...defined('prometheus', val<PrometheusAddress>('prometheus')),
        ...defined('http', val<PrometheusAddress>('http')),
        ...defined('sort', val<SortKey>('sort')),
        ...(once ? { once } : {}),
      };
    }
    case 'summarize':
      return {
        command, strict, format: format(str('format'), ctx.isTTY), input: positionals[0] ?? '-',
        maxLineBytes: val<number>('max-line') as number, ...defined('systemgUnitsFile', str('systemg-units')),
      };
    case 'replay': {
      const dir = required(positionals[0], 'replay needs a spill DIR');
      const sinceTs = val<number>('since');
      const untilTs = val<number>('until');
      if (sinceTs !== undefined && untilTs !== undefined && sinceTs >= untilTs) {
        throw new PipelineError('E_USAGE', '--since must be earlier than --until');
      }
      return {
        command, strict, dir, units: list('unit') as string[], ...defined('sinceTs', sinceTs), ...defined('untilTs', untilTs),
        maxLineBytes: val<number>('max-line') as number, ...defined('systemgUnitsFile', str('systemg-units')),
      };
    }
    case 'inspect': {
      const from = str('from') as string;
      const t = targets(v, val, list);
      return {
        command, strict, unit: required(positionals[0] ?? onlyUnit(t), 'inspect needs a UNIT name'), targets: t, stream: v.stream === true,
        from: from === 'live' ? { kind: 'live' } : { kind: 'path', path: from },
        windowMs: val<number>('window') as number, maxLineBytes: val<number>('max-line') as number,
        intervalMs: val<number>('interval') as number,
        ...defined('count', val<number>('count')),
        ...defined('durationMs', val<number>('duration')),
      };
    }
  }
}

/** The target flags, shared by `watch` and live `inspect`. */
function targets(v: FlagValues, val: <T>(n: string) => T | undefined, list: (n: string) => unknown[]): WatchTargets {
  return {
    pids: list('pid') as number[],
    ...nonEmpty('cgroups', list('cgroup') as string[]),
    ...nonEmpty('systemdUnits', list('systemd-unit') as string[]),
    ...defined('pidFile', val<string>('pidfile')),
    ...defined('match', val<string>('match')),
    ...defined('unitsFile', val<string>('units')),
    ...defined('stateFile', val<string>('state')),
    ...defined('systemgDir', val<string>('systemg')),
    children: noChildren(v),
  };
}


/** The unit `inspect` charts when UNIT is left out: the one a single `--pid`, `--pidfile` or `--match` names. */
function onlyUnit(t: WatchTargets): string | undefined {
  const named = [...t.pids.map((pid) => unitOfPid(pid)), ...(t.match === undefined ? [] : [t.match]),
    ...(t.pidFile === undefined ? [] : [unitOfPidFile(t.pidFile)])];
  return named.length === 1 && t.unitsFile === undefined && t.stateFile === undefined && t.systemgDir === undefined ? named[0] : undefined;
}

/** One parser per {@link ParserName}: flag text in, option value out; each throws E_USAGE naming the flag. */
const PARSERS: Record<ParserName, (text: string, flag: string, ctx: ParseContext) => unknown> = {
  duration: parseDurationMs, timer: timerDurationMs, size: parseSizeBytes, count: positiveInt, pid: positiveInt,
  regex: (t) => validRegex(t), instant: (t, flag, ctx) => parseInstant(t, flag, ctx.now), sort: (t) => sortKey(t),
  address: (t) => parsePrometheusAddress(t), 'http-address': (t) => parsePrometheusAddress(t, '--http', DEFAULT_HTTP_PORT),
  format: (t) => format(t, false), text: (t) => t, cgroup: (t) => cgroupPath(t), 'systemd-unit': (t) => systemdUnitName(t),
};

/** `{ [key]: list }` when the list has elements, else nothing (a flag not given leaves its option out). */
function nonEmpty<K extends string, T>(key: K, list: T[]): { [P in K]?: T[] } {
  return (list.length === 0 ? {} : { [key]: list }) as { [P in K]?: T[] };
}

function sortKey(text: string): SortKey {
  if ((SORT_KEYS as readonly string[]).includes(text)) return text as SortKey;
  throw new PipelineError('E_USAGE', `--sort: '${text}' is not valid; use ${SORT_KEYS.join(', ')}`);
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

function spill(v: FlagValues, str: (n: string) => string | undefined, size: <T>(n: string) => T | undefined) {
  const dir = str('spill');
  if (dir === undefined) {
    const orphan = ['spill-max', 'segment', 'rebuild-max'].find((n) => v[n] !== undefined);
    if (orphan) throw new PipelineError('E_USAGE', `--${orphan} needs --spill DIR`);
    return undefined;
  }
  const maxBytes = size<number>('spill-max') as number;
  const segmentBytes = size<number>('segment') as number;
  if (segmentBytes > maxBytes) throw new PipelineError('E_USAGE', '--segment must not be larger than --spill-max');
  return { dir, maxBytes, segmentBytes };
}

/** Trees are counted unless `--no-children`; `--children` (the default since units add up) may not contradict it. */
function noChildren(v: FlagValues): boolean {
  if (v['no-children'] === true && v.children === true) throw new PipelineError('E_USAGE', '--children and --no-children contradict each other');
  return v['no-children'] !== true;
}
