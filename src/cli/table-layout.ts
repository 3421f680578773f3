/** Fixed-width text tables fitted to a terminal: shared by the `watch` table and the `summarize` table. */

/** One column: its minimum width, how to draw a cell, and optionally a colour and a width it would like. */
export interface Column<R> {
  title: string;
  /** Minimum width; the title is clipped to it. */
  width: number;
  right?: boolean;
  cell: (row: R, width: number) => string;
  /** ANSI colour code of a cell, applied only when colour is on. */
  paint?: (row: R) => string | undefined;
  /** Width the column would use given room, e.g. its longest cell; leftover room goes to such columns, in order. */
  want?: (rows: readonly R[]) => number;
}

export interface RenderColumnsOptions {
  /** Terminal columns; no line is longer once the required columns fit. */
  width: number;
  color: boolean;
  /** Titles of optional columns, dropped in this order while the table is too wide. */
  dropOrder: readonly string[];
  /**
   * Widths used by earlier frames, by title, kept up to date: a column never narrows while the room allows, so a
   * live table does not jitter when its longest name leaves. Absent for a one-off table.
   */
  widths?: Map<string, number>;
}

export const ANSI = { bold: '\x1b[1m', green: '\x1b[32m', yellow: '\x1b[33m', red: '\x1b[31m', reset: '\x1b[0m' };

/** `text` cut to `width` characters, ending in `…` when cut. */
export function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

function layout<R>(rows: readonly R[], columns: readonly Column<R>[], { width, dropOrder, widths }: RenderColumnsOptions): Column<R>[] {
  let cols = columns.map((c) => ({ ...c }));
  const total = () => cols.reduce((sum, c) => sum + c.width, 0) + cols.length - 1;
  for (const title of dropOrder) {
    if (total() <= width) break;
    cols = cols.filter((c) => c.title !== title);
  }
  for (const col of cols) {
    const wanted = Math.max(col.want?.(rows) ?? 0, widths?.get(col.title) ?? 0);
    col.width = Math.max(col.width, Math.min(wanted, col.width + width - total()));
    widths?.set(col.title, col.width);
  }
  return cols;
}

/** A bold header line and one line per row, columns separated by a space, trailing blanks trimmed. */
export function renderColumns<R>(rows: readonly R[], columns: readonly Column<R>[], options: RenderColumnsOptions): string {
  const { width, color } = options;
  const cols = layout(rows, columns, options);
  const fit = (c: Column<R>, text: string) => {
    const t = clip(text, c.width);
    return c.right ? t.padStart(c.width) : t.padEnd(c.width);
  };
  const paint = (code: string | undefined, text: string) => (color && code ? `${code}${text}${ANSI.reset}` : text);
  const header = cols.map((c) => fit(c, c.title)).join(' ').trimEnd();
  const lines = rows.map((r) => cols.map((c) => paint(c.paint?.(r), fit(c, c.cell(r, c.width)))).join(' ').trimEnd());
  return `${[paint(ANSI.bold, header), ...lines].map((l) => (color ? l : l.slice(0, width))).join('\n')}\n`;
}
