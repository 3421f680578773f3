/** The `watch` table, in the manner of `top` and `sysg status`: a pure function of per-unit state and a width. */
import { ANSI, clip, renderColumns, type Column, type RenderColumnsOptions } from './table-layout.js';
import { formatBytes, formatDuration, formatRate } from './units.js';
import { printable } from './printable.js';

/** What the table shows of one unit. */
export interface UnitRow {
  unit: string;
  /** The unit's main pid (null while down), and how many live processes its newest sample summed. */
  pid: number | null;
  processes: number;
  up: boolean;
  /** Latest CPU %, 100 = one core; null before a baseline exists. */
  cpuPercent: number | null;
  rssBytes: number | null;
  ioReadBytesPerSec: number | null;
  ioWriteBytesPerSec: number | null;
  /** Rows retained for the unit (samples plus down markers). */
  samples: number;
  /** Recent CPU %, oldest first; null where the unit was down or unmeasured, drawn as a space. */
  cpuHistory: readonly (number | null)[];
  /** Restarts seen since watching began (new process identities behind the unit). */
  restarts: number;
  /** How long the unit's current process has run, ms; null while down. */
  uptimeMs: number | null;
  /** Why the unit is down (`exited`, `stopped`, systemg's `failed`, …); null while up. */
  downReason: string | null;
}

export interface RenderTableOptions {
  /** Terminal columns; no line is longer. */
  width: number;
  /** Terminal rows; the table never has more lines (header included), and says `+N more` for the units cut. */
  height?: number;
  /** The order the rows are in, named in the `+N more` line. */
  sortKey?: string;
  /** Column widths of earlier frames (see {@link RenderColumnsOptions.widths}); pass one Map per live table. */
  widths?: Map<string, number>;
  /** ANSI colour for up/down and the header; pass false under NO_COLOR or off a terminal. */
  color: boolean;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** The last `width` values as block characters scaled to `max` (at least 100 %); null → space. */
export function sparkline(values: readonly (number | null)[], width: number, max = 100): string {
  const top = Math.max(max, ...values.map((v) => v ?? 0));
  return values.slice(-width).map((v) => {
    if (v === null || !Number.isFinite(v)) return ' ';
    const level = Math.round((Math.max(0, v) / top) * (BLOCKS.length - 1));
    return BLOCKS[Math.min(BLOCKS.length - 1, level)];
  }).join('');
}

/** `1234`, or `1234 +9` when the unit's sample summed nine more processes (its children, or more of its comm). */
function pidCell(pid: number | null, processes: number, width: number): string {
  if (pid === null) return '–';
  return (processes > 1 ? `${pid} +${processes - 1}` : String(pid)).slice(0, width);
}

const COLUMNS: readonly Column<UnitRow>[] = [
  { title: 'UNIT', width: 8, cell: (r, w) => clip(printable(r.unit), w), want: (rows) => Math.max(4, ...rows.map((r) => printable(r.unit).length)) },
  { title: 'PIDS', width: 11, cell: (r, w) => pidCell(r.pid, r.processes, w) },
  { title: 'STATE', width: 5, cell: (r) => (r.up ? 'up' : 'down'), paint: (r) => (r.up ? ANSI.green : ANSI.red) },
  { title: 'REASON', width: 10, cell: (r, w) => clip(printable(r.downReason ?? ''), w), paint: () => ANSI.red },
  { title: 'CPU%', width: 6, right: true, cell: (r) => (r.cpuPercent === null ? '–' : r.cpuPercent.toFixed(1)) },
  { title: 'RSS', width: 10, right: true, cell: (r) => formatBytes(r.rssBytes) },
  { title: 'UPTIME', width: 7, right: true, cell: (r) => (r.uptimeMs === null ? '–' : formatDuration(Math.max(0, r.uptimeMs))) },
  { title: 'RESTARTS', width: 8, right: true, cell: (r) => String(r.restarts) },
  { title: 'READ/s', width: 12, right: true, cell: (r) => formatRate(r.ioReadBytesPerSec) },
  { title: 'WRITE/s', width: 12, right: true, cell: (r) => formatRate(r.ioWriteBytesPerSec) },
  { title: 'SAMPLES', width: 7, right: true, cell: (r) => String(r.samples) },
  { title: 'TREND', width: 5, right: true, cell: (r, w) => sparkline(r.cpuHistory, w).padStart(w), want: () => 30 },
];

const DROP_ORDER = ['WRITE/s', 'READ/s', 'SAMPLES', 'PIDS', 'TREND', 'RESTARTS', 'UPTIME', 'REASON'];
/** Said under a table whose every up unit still lacks CPU %, instead of leaving a column of dashes unexplained. */
export const NO_CPU_YET = 'CPU % needs two readings, one interval apart: – until then (--count 2 or more)';

/**
 * Renders the table: a header line and one line per unit, each at most `width` characters (ANSI codes aside), as
 * long as `width` holds the essential columns (32); narrower terminals lose the rates, samples, pids, trend,
 * restarts, uptime and reason first. With `height`, at most that many lines: the units that do not fit are counted
 * on a last `+N more` line, so the header never scrolls away.
 */
export function renderTable(rows: readonly UnitRow[], { width, color, height = Infinity, sortKey, widths }: RenderTableOptions): string {
  const up = rows.filter((r) => r.up);
  const notes = up.length > 0 && up.every((r) => r.cpuPercent === null) ? [NO_CPU_YET] : [];
  const room = Math.max(0, height - 1 - notes.length);
  const shown = rows.length <= room ? rows : rows.slice(0, Math.max(0, room - 1));
  if (shown.length < rows.length) notes.unshift(`+${rows.length - shown.length} more${sortKey ? ` (sorted by ${sortKey})` : ''}`);
  const options: RenderColumnsOptions = { width, color, dropOrder: DROP_ORDER, ...(widths ? { widths } : {}) };
  const table = renderColumns(shown, COLUMNS, options);
  return `${table}${notes.slice(0, Math.max(0, height - 1 - shown.length)).map((n) => `${clip(n, width)}\n`).join('')}`;
}
