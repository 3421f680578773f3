/** The `summarize` table: one line per unit summary, fitted to the terminal width. */
import type { SummaryEvent } from '../events.js';
import { ANSI, clip, renderColumns, type Column } from './table-layout.js';
import { formatBytes, formatDuration, formatRate } from './units.js';
import { printable } from './printable.js';

export interface RenderSummaryOptions {
  /** Terminal columns; no line is longer once UNIT, STATE, CPU mean and RSS fit (about 40). */
  width: number;
  /** ANSI colour for the state; false under NO_COLOR. */
  color: boolean;
}

const pct = (v: number | null) => (v === null ? '–' : v.toFixed(1));
const state = (s: SummaryEvent) => (!s.up ? 'down' : s.stale ? 'stale' : 'up');

const COLUMNS: readonly Column<SummaryEvent>[] = [
  { title: 'UNIT', width: 8, cell: (s, w) => clip(printable(s.unit), w), want: (rows) => Math.max(4, ...rows.map((s) => printable(s.unit).length)) },
  { title: 'STATE', width: 5, cell: state, paint: (s) => (!s.up ? ANSI.red : s.stale ? ANSI.yellow : ANSI.green) },
  { title: 'SAMPLES', width: 11, right: true, cell: (s) => `${s.upSamples}/${s.samples}` },
  { title: 'CPU% MEAN', width: 9, right: true, cell: (s) => pct(s.cpuPercent.mean) },
  { title: 'P95', width: 6, right: true, cell: (s) => pct(s.cpuPercent.p95) },
  { title: 'MAX', width: 6, right: true, cell: (s) => pct(s.cpuPercent.max) },
  { title: 'RSS', width: 10, right: true, cell: (s) => formatBytes(s.rssBytes.latest) },
  { title: 'RSS MAX', width: 10, right: true, cell: (s) => formatBytes(s.rssBytes.max) },
  { title: 'READ/s', width: 12, right: true, cell: (s) => formatRate(s.ioReadBytesPerSec) },
  { title: 'WRITE/s', width: 12, right: true, cell: (s) => formatRate(s.ioWriteBytesPerSec) },
  { title: 'WINDOW', width: 6, right: true, cell: (s) => formatDuration(s.windowMs) },
];

/** Renders per-unit summaries as a table, units in name order. Downtime is already left out of the averages. */
export function renderSummary(summaries: readonly SummaryEvent[], { width, color }: RenderSummaryOptions): string {
  const rows = [...summaries].sort((a, b) => a.unit.localeCompare(b.unit));
  return renderColumns(rows, COLUMNS, {
    width, color, dropOrder: ['WINDOW', 'WRITE/s', 'READ/s', 'RSS MAX', 'MAX', 'P95', 'SAMPLES'],
  });
}
