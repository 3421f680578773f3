/** The `watch` table, in the manner of `top` and `sysg status`: a pure function of per-unit state and a width. */
import { formatBytes, formatRate } from './units.js';

/** What the table shows of one unit. */
export interface UnitRow {
  unit: string;
  pids: readonly number[];
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
}

export interface RenderTableOptions {
  /** Terminal columns; no line is longer. */
  width: number;
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

interface Column {
  title: string;
  width: number;
  right?: boolean;
  cell: (row: UnitRow, width: number) => string;
  paint?: (row: UnitRow) => string;
}

const ANSI = { bold: '\x1b[1m', green: '\x1b[32m', red: '\x1b[31m', reset: '\x1b[0m' };

function pidList(pids: readonly number[], width: number): string {
  const all = pids.join(',');
  if (all.length <= width) return all || '–';
  const first = String(pids[0]);
  return `${first},+${pids.length - 1}`.slice(0, width);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

// Dropped from the right end of this list first when the terminal is narrow.
const OPTIONAL = ['WRITE/s', 'READ/s', 'SAMPLES', 'PIDS', 'TREND'];
const UNIT_MIN = 8;
const SPARK_MIN = 5;
const SPARK_MAX = 30;

function columns(): Column[] {
  return [
    { title: 'UNIT', width: UNIT_MIN, cell: (r, w) => clip(r.unit, w) },
    { title: 'PIDS', width: 11, cell: (r, w) => pidList(r.pids, w) },
    { title: 'STATE', width: 5, cell: (r) => (r.up ? 'up' : 'down'), paint: (r) => (r.up ? ANSI.green : ANSI.red) },
    { title: 'CPU%', width: 6, right: true, cell: (r) => (r.cpuPercent === null ? '–' : r.cpuPercent.toFixed(1)) },
    { title: 'RSS', width: 10, right: true, cell: (r) => formatBytes(r.rssBytes) },
    { title: 'READ/s', width: 12, right: true, cell: (r) => formatRate(r.ioReadBytesPerSec) },
    { title: 'WRITE/s', width: 12, right: true, cell: (r) => formatRate(r.ioWriteBytesPerSec) },
    { title: 'SAMPLES', width: 7, right: true, cell: (r) => String(r.samples) },
    { title: 'TREND', width: SPARK_MIN, right: true, cell: (r, w) => sparkline(r.cpuHistory, w).padStart(w) },
  ];
}

/** Fits the columns into `width`: drops optional ones while too wide, then gives the rest to UNIT and the sparkline. */
function layout(rows: readonly UnitRow[], width: number): Column[] {
  let cols = columns();
  const total = (cs: Column[]) => cs.reduce((sum, c) => sum + c.width, 0) + cs.length - 1;
  for (const title of OPTIONAL) {
    if (total(cols) <= width) break;
    cols = cols.filter((c) => c.title !== title);
  }
  const unit = cols[0] as Column;
  const longest = Math.max(unit.title.length, ...rows.map((r) => r.unit.length));
  unit.width = Math.max(UNIT_MIN, Math.min(longest, UNIT_MIN + width - total(cols)));
  const spark = cols.find((c) => c.title === 'TREND');
  if (spark) spark.width = Math.max(SPARK_MIN, Math.min(SPARK_MAX, spark.width + width - total(cols)));
  return cols;
}

/**
 * Renders the table: a header line and one line per unit, each at most `width` characters (ANSI codes aside), as
 * long as `width` holds the essential columns (32); narrower terminals lose PIDS, rates, samples and history first.
 */
export function renderTable(rows: readonly UnitRow[], { width, color }: RenderTableOptions): string {
  const cols = layout(rows, width);
  const fit = (c: Column, text: string) => {
    const t = clip(text, c.width);
    return c.right ? t.padStart(c.width) : t.padEnd(c.width);
  };
  const paint = (code: string | undefined, text: string) => (color && code ? `${code}${text}${ANSI.reset}` : text);
  const header = cols.map((c) => fit(c, c.title)).join(' ').trimEnd();
  const lines = rows.map((r) => cols.map((c) => paint(c.paint?.(r), fit(c, c.cell(r, c.width)))).join(' ').trimEnd());
  return [paint(ANSI.bold, header), ...lines].map((l) => l.slice(0, color ? undefined : width)).join('\n') + '\n';
}
