/**
 * What the command line asks for: one command with its options, named as the library names them (`intervalMs`,
 * `maxMemoryBytes`, `spill: { dir, maxBytes, segmentBytes }`), so the CLI can do nothing the library can't.
 */
import type { CommandName } from './flags.js';

export type OutputFormat = 'ndjson' | 'table';

/** Options every command carries. */
interface CommonOptions {
  /** A bad NDJSON line is fatal (E_PARSE, exit 65) instead of reported and skipped. */
  strict: boolean;
}

/** How `watch` finds processes; all empty means every process, grouped into units by command name. */
export interface WatchTargets {
  pids: number[];
  pidFile?: string;
  match?: string;
  unitsFile?: string;
  stateFile?: string;
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
  count?: number;
  durationMs?: number;
  summaryEveryMs?: number;
  prometheus?: { host: string; port: number };
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
