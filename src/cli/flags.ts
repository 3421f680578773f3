/**
 * Every flag of every command, in one table: the parser, `--help` and the config-file check all read it, so a flag
 * cannot exist in one and be missing from another. Kept free of imports so `--help` and `--version` stay cheap.
 */

/** The subcommands; `watch` is the default when none is given. */
export const COMMANDS = ['watch', 'summarize', 'replay', 'inspect'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** The value parsers: `duration` ms, `timer` ms that a timer can hold (≤ 24d), `size` bytes, `count` and `pid` whole
 * numbers above 0, `regex`, `instant` (ISO or a duration ago), `sort` key, `address` (HOST:PORT, port 9465 by default),
 * `http-address` (the same, port 9466), `format`, `cgroup` (a path without `..`), `systemd-unit` (a unit name), `text`. */
export type ParserName =
  | 'duration' | 'timer' | 'size' | 'count' | 'pid' | 'regex' | 'instant' | 'sort' | 'address' | 'http-address' | 'format' | 'text'
  | 'cgroup' | 'systemd-unit';

/** One flag: its long name, value placeholder (none for a switch), the commands taking it, and its help line. */
export interface FlagSpec {
  name: string;
  short?: string;
  /** Placeholder shown in help, e.g. `DUR`; absent for a boolean switch. */
  value?: string;
  multiple?: boolean;
  /** Commands that take the flag; `global` flags are taken by all, before or after the command. */
  commands: 'global' | readonly CommandName[];
  help: string;
  /** The library option the flag sets, as `watchUnits`/the command options name it (`intervalMs`, `spill.dir`). */
  option?: string;
  /** How its text becomes the option's value (parse-args.ts holds one parser per name); absent for a switch. */
  parse?: ParserName;
  /** Settable in a `--config` file (every option is; `--help`, `--version` and `--config` itself are not). */
  config: boolean;
}

const W: readonly CommandName[] = ['watch'];
/** Flags of live sampling, which `inspect --from live` does too (its targets among them). */
const LIVE: readonly CommandName[] = ['watch', 'inspect'];

/** The flag table, in the order help shows it. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'help', short: 'h', commands: 'global', config: false, help: 'Show help for the command and exit.' },
  { name: 'version', short: 'V', commands: 'global', config: false, help: 'Print the version and exit.' },
  { name: 'config', parse: 'text', value: 'FILE', commands: 'global', config: false,
    help: 'Read options from a JSON file whose keys are flag names ({"interval": "5s"}); flags win.' },
  { name: 'strict', option: 'strict', commands: 'global', config: true,
    help: 'Make a bad NDJSON line fatal (exit 65) instead of reporting and skipping it.' },
  { name: 'format', option: 'format', parse: 'format', value: 'ndjson|table', commands: ['watch', 'summarize'], config: true,
    help: 'Output format; default: table when stdout is a terminal, else ndjson.' },
  { name: 'pid', option: 'targets.pids', parse: 'pid', value: 'N', multiple: true, commands: LIVE, config: true, help: 'Watch this process id (repeatable).' },
  { name: 'pidfile', option: 'targets.pidFile', parse: 'text', value: 'FILE', commands: LIVE, config: true, help: 'Watch the process whose id is in FILE.' },
  { name: 'match', option: 'targets.match', parse: 'regex', value: 'REGEX', commands: LIVE, config: true, help: 'Watch processes whose command line matches REGEX.' },
  { name: 'cgroup', option: 'targets.cgroups', parse: 'cgroup', value: 'PATH', multiple: true, commands: LIVE, config: true,
    help: 'Watch a cgroup by its kernel counters (repeatable).' },
  { name: 'systemd-unit', option: 'targets.systemdUnits', parse: 'systemd-unit', value: 'NAME', multiple: true, commands: LIVE, config: true,
    help: "Watch a systemd unit's cgroup (repeatable)." },
  { name: 'units', option: 'targets.unitsFile', parse: 'text', value: 'FILE', commands: LIVE, config: true, help: 'Watch the units defined in FILE.' },
  { name: 'state', option: 'targets.stateFile', parse: 'text', value: 'FILE', commands: LIVE, config: true, help: 'Watch the units listed in a supervisor state FILE.' },
  { name: 'systemg', option: 'targets.systemgDir', parse: 'text', value: 'DIR', commands: LIVE, config: true,
    help: "Watch the services in systemg's state DIR (its pid.xml and state.xml)." },
  { name: 'systemg-config', option: 'targets.systemgServices', parse: 'text', value: 'FILE', commands: LIVE, config: true,
    help: "Take services and metrics: defaults from a systemg YAML config." },
  { name: 'children', option: 'targets.children', commands: LIVE, config: true,
    help: 'Count each root process with its descendants (the default; kept for older scripts).' },
  { name: 'no-children', option: 'targets.children', commands: LIVE, config: true,
    help: 'Measure each root process alone, without its descendants (trees are counted by default).' },
  { name: 'interval', option: 'intervalMs', parse: 'timer', value: 'DUR', commands: LIVE, config: true, help: 'Sampling interval (default 1s).' },
  { name: 'retention', option: 'retentionMs', parse: 'duration', value: 'DUR', commands: W, config: true, help: 'How long samples stay in memory (default 12h).' },
  { name: 'memory', option: 'maxMemoryBytes', parse: 'size', value: 'SIZE', commands: W, config: true, help: 'Memory budget of the in-memory store (default 10MiB).' },
  { name: 'spill', option: 'spill.dir', parse: 'text', value: 'DIR', commands: W, config: true, help: 'Record every unit event in DIR (gzip NDJSON); a restart rebuilds the window from it.' },
  { name: 'spill-max', option: 'spill.maxBytes', parse: 'size', value: 'SIZE', commands: W, config: true, help: 'Disk budget of the spill directory (default 256MiB).' },
  { name: 'rebuild-max', option: 'rebuildMaxBytes', parse: 'size', value: 'SIZE', commands: W, config: true,
    help: 'Most of the spill log a restart reads back into the window, newest first (default 96MiB).' },
  { name: 'segment', option: 'spill.segmentBytes', parse: 'size', value: 'SIZE', commands: W, config: true, help: 'Size of one spill segment file (default 256KiB).' },
  { name: 'count', option: 'count', parse: 'count', value: 'N', commands: LIVE, config: true, help: 'Stop after N sampling rounds.' },
  { name: 'duration', option: 'durationMs', parse: 'timer', value: 'DUR', commands: LIVE, config: true,
    help: 'Stop after DUR (inspect, sampling live: default the whole window).' },
  { name: 'summary-every', option: 'summaryEveryMs', parse: 'timer', value: 'DUR', commands: W, config: true, help: 'Emit per-unit summary events every DUR.' },
  { name: 'sort', option: 'sort', parse: 'sort', value: 'KEY', commands: W, config: true,
    help: 'Table order: cpu (default), rss, restarts, uptime, name; s cycles it, q quits.' },
  { name: 'once', option: 'once', commands: W, config: true,
    help: 'Print one plain table after two rounds (CPU % needs two), then exit.' },
  { name: 'prometheus', option: 'prometheus', parse: 'address', value: '[ADDR]', commands: W, config: true,
    help: 'Also serve http://ADDR/metrics for Prometheus (PORT, HOST:PORT; default 127.0.0.1:9465).' },
  { name: 'http', option: 'http', parse: 'http-address', value: '[ADDR]', commands: W, config: true,
    help: 'Also serve a live dashboard, its API and /metrics at http://ADDR/ (default 127.0.0.1:9466).' },
  { name: 'max-line', option: 'maxLineBytes', parse: 'size', value: 'SIZE', commands: ['summarize', 'replay', 'inspect'], config: true,
    help: 'Reject NDJSON lines longer than SIZE (default 1MiB).' },
  { name: 'unit', option: 'units', parse: 'text', value: 'NAME', multiple: true, commands: ['replay'], config: true,
    help: 'Only events of this unit (repeatable).' },
  { name: 'since', option: 'sinceTs', parse: 'instant', value: 'TIME', commands: ['replay'], config: true,
    help: 'Only events at or after TIME: an ISO timestamp or a duration ago (15m).' },
  { name: 'until', option: 'untilTs', parse: 'instant', value: 'TIME', commands: ['replay'], config: true,
    help: 'Only events before TIME: an ISO timestamp or a duration ago (5m).' },
  { name: 'systemg-units', option: 'systemgUnitsFile', parse: 'text', value: 'FILE', commands: ['summarize', 'replay'], config: true,
    help: 'Map systemg spill files to unit names using FILE (JSON).' },
  { name: 'from', option: 'from', parse: 'text', value: 'DIR|FILE|live', commands: ['inspect'], config: true,
    help: 'Where the history comes from: a spill DIR, an NDJSON FILE, or live sampling (default live).' },
  { name: 'stream', option: 'stream', commands: ['inspect'], config: true,
    help: 'Redraw the chart after every sampling round (on a terminal: in place; q quits).' },
  { name: 'window', option: 'windowMs', parse: 'duration', value: 'DUR', commands: ['inspect'], config: true, help: 'Time span to chart, ending now (default 15m).' },
];

/** Whether `flag` is taken by `command`. */
export function flagApplies(flag: FlagSpec, command: CommandName): boolean {
  return flag.commands === 'global' || flag.commands.includes(command);
}
