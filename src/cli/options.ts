/**
 * What the command line asks for: one command with its options, named as the library names them (`intervalMs`,
 * `maxMemoryBytes`, `spill: { dir, maxBytes, segmentBytes }`), so the CLI can do nothing the library can't.
 */
import type { CommandName } from './flags.js';
import type { SortKey } from './sort-rows.js';

export type OutputFormat = 'ndjson' | 'table';

/** Options every command carries. */
interface CommonOptions {
  /** A bad NDJSON line is fatal (E_PARSE, exit 65) instead of reported and skipped. */
  strict: boolean;
}

/** How `watch` finds processes; all empty means every process, grouped into units by command name. */
export interface WatchTargets {
  pids: number[];
  /** `--cgroup PATH`, repeatable: one unit per cgroup, named after its last path element. */
  cgroups?: string[];
  /** `--systemd-unit NAME`, repeatable: one unit per systemd unit, named as given. */
  systemdUnits?: string[];
  pidFile?: string;
  match?: string;
  unitsFile?: string;
  stateFile?: string;
  /** systemg's state directory, and the service names of `--systemg-config` (down until systemg starts them). */
  systemgDir?: string;
  systemgServices?: string[];
  /** Count each unit's process tree (default); false with `--no-children`. */
  children: boolean;
}

export interface WatchCommand extends CommonOptions {
  command: 'watch';
  format: OutputFormat;
  targets: WatchTargets;
  intervalMs: number;
  retentionMs: number;
  maxMemoryBytes: number;
  spill?: { dir: string; maxBytes: number; segmentBytes: number };
  /** `--rebuild-max`: the bytes of the spill log a restart reads back, newest first (only with `spill`). */
  rebuildMaxBytes?: number;
  count?: number;
  durationMs?: number;
  summaryEveryMs?: number;
  prometheus?: { host: string; port: number };
  /** `--http [ADDR]`: the dashboard, its JSON API and /metrics on one server. */
  http?: { host: string; port: number };
  /** Order of the table's rows (`s` cycles on a terminal); default `cpu`. */
  sort?: SortKey;
  /** Print one plain table after two sampling rounds (CPU % needs two), without final summaries. */
  once?: boolean;
}

export interface SummarizeCommand extends CommonOptions {
  command: 'summarize';
  format: OutputFormat;
  /** A file path, or `-` for stdin. */
  input: string;
  maxLineBytes: number;
  systemgUnitsFile?: string;
}

export interface ReplayCommand extends CommonOptions {
  command: 'replay';
  dir: string;
  /** Only these units; empty means all. */
  units: string[];
  /** Inclusive lower bound, ms since the epoch. */
  sinceTs?: number;
  /** Exclusive upper bound, ms since the epoch. */
  untilTs?: number;
  maxLineBytes: number;
  systemgUnitsFile?: string;
}

export interface InspectCommand extends CommonOptions {
  command: 'inspect';
  unit: string;
  /** Live sampling only: how to find the unit's processes, as `watch` does; no target flag means the command named UNIT. */
  targets: WatchTargets;
  /** Live sampling only: redraw the chart after every round. */
  stream: boolean;
  from: { kind: 'live' } | { kind: 'path'; path: string };
  windowMs: number;
  maxLineBytes: number;
  /** Live sampling only: the interval, and when to stop (after `count` rounds, `durationMs`, or the window). */
  intervalMs: number;
  count?: number;
  durationMs?: number;
}

export interface HelpCommand {
  command: 'help';
  topic?: CommandName;
}

export interface VersionCommand {
  command: 'version';
}

/** Everything the command line can ask for. */
export type CliCommand = WatchCommand | SummarizeCommand | ReplayCommand | InspectCommand | HelpCommand | VersionCommand;
