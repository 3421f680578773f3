/**
 * Every flag of every command, in one table: the parser, `--help` and the config-file check all read it, so a flag
 * cannot exist in one and be missing from another. Kept free of imports so `--help` and `--version` stay cheap.
 */

/** The subcommands; `watch` is the default when none is given. */
export const COMMANDS = ['watch', 'summarize', 'replay', 'inspect'] as const;
export type CommandName = (typeof COMMANDS)[number];

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
  /** Settable in a `--config` file (every option is; `--help`, `--version` and `--config` itself are not). */
  config: boolean;
}

const W: readonly CommandName[] = ['watch'];
/** Flags of live sampling, which `inspect --from live` does too. */
const LIVE: readonly CommandName[] = ['watch', 'inspect'];

/** The flag table, in the order help shows it. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'help', short: 'h', commands: 'global', config: false, help: 'Show help for the command and exit.' },
  { name: 'version', short: 'V', commands: 'global', config: false, help: 'Print the version and exit.' },
  { name: 'config', value: 'FILE', commands: 'global', config: false,
    help: 'Read options from a JSON file whose keys are flag names ({"interval": "5s"}); flags win.' },
  { name: 'strict', commands: 'global', config: true,
    help: 'Make a bad NDJSON line fatal (exit 65) instead of reporting and skipping it.' },
  { name: 'format', value: 'ndjson|table', commands: ['watch', 'summarize'], config: true,
    help: 'Output format; default: table when stdout is a terminal, else ndjson.' },
  { name: 'pid', value: 'N', multiple: true, commands: W, config: true, help: 'Watch this process id (repeatable).' },
  { name: 'pidfile', value: 'FILE', commands: W, config: true, help: 'Watch the process whose id is in FILE.' },
  { name: 'match', value: 'REGEX', commands: W, config: true, help: 'Watch processes whose command line matches REGEX.' },
  { name: 'units', value: 'FILE', commands: W, config: true, help: 'Watch the units defined in FILE.' },
  { name: 'state', value: 'FILE', commands: W, config: true, help: 'Watch the units listed in a supervisor state FILE.' },
  { name: 'children', commands: W, config: true, help: 'Count child processes in their parent unit.' },
  { name: 'no-children', commands: W, config: true,
    help: 'Measure each root process alone, without its descendants (trees are counted by default).' },
  { name: 'interval', value: 'DUR', commands: LIVE, config: true, help: 'Sampling interval (default 1s).' },
  { name: 'retention', value: 'DUR', commands: W, config: true, help: 'How long samples stay in memory (default 12h).' },
  { name: 'memory', value: 'SIZE', commands: W, config: true, help: 'Memory budget of the in-memory store (default 10MiB).' },
  { name: 'spill', value: 'DIR', commands: W, config: true, help: 'Spill evicted events to NDJSON segments in DIR.' },
  { name: 'spill-max', value: 'SIZE', commands: W, config: true, help: 'Disk budget of the spill directory (default 6MiB).' },
  { name: 'segment', value: 'SIZE', commands: W, config: true, help: 'Size of one spill segment file (default 256KiB).' },
  { name: 'count', value: 'N', commands: LIVE, config: true, help: 'Stop after N sampling rounds.' },
  { name: 'duration', value: 'DUR', commands: LIVE, config: true,
    help: 'Stop after DUR (inspect, sampling live: default the whole window).' },
  { name: 'summary-every', value: 'DUR', commands: W, config: true, help: 'Emit per-unit summary events every DUR.' },
  { name: 'prometheus', value: '[ADDR]', commands: W, config: true,
    help: 'Also serve http://ADDR/metrics for Prometheus (PORT, HOST:PORT; default 127.0.0.1:9465).' },
  { name: 'max-line', value: 'SIZE', commands: ['summarize', 'replay', 'inspect'], config: true,
    help: 'Reject NDJSON lines longer than SIZE (default 1MiB).' },
  { name: 'unit', value: 'NAME', multiple: true, commands: ['replay'], config: true,
    help: 'Only events of this unit (repeatable).' },
  { name: 'since', value: 'TIME', commands: ['replay'], config: true,
    help: 'Only events at or after TIME: an ISO timestamp or a duration ago (15m).' },
  { name: 'until', value: 'TIME', commands: ['replay'], config: true,
    help: 'Only events before TIME: an ISO timestamp or a duration ago (5m).' },
  { name: 'systemg-units', value: 'FILE', commands: ['summarize', 'replay'], config: true,
    help: 'Map systemg spill files to unit names using FILE (JSON).' },
  { name: 'from', value: 'DIR|FILE|live', commands: ['inspect'], config: true,
    help: 'Where the history comes from: a spill DIR, an NDJSON FILE, or live sampling (default live).' },
  { name: 'window', value: 'DUR', commands: ['inspect'], config: true, help: 'Time span to chart, ending now (default 15m).' },
];

/** Whether `flag` is taken by `command`. */
export function flagApplies(flag: FlagSpec, command: CommandName): boolean {
  return flag.commands === 'global' || flag.commands.includes(command);
}
