import type { Writable } from 'node:stream';
import type { OperatorFunction } from 'rxjs';
import { PipelineError } from '../errors.js';
import { guarded, operate } from '../index.js';
import { renderTable, type UnitRow } from './render-table.js';

export interface ToLiveTableOptions {
  /** Terminal width at the time of each frame, so a resize takes effect at the next one; default 80. */
  columns?: () => number;
  /** ANSI colour (false under NO_COLOR). */
  color: boolean;
  /** Terminal rows at the time of each frame: the table is cut to fit, with a `+N more` line; default no limit. */
  rows?: () => number;
  /** Column widths of earlier frames, so columns do not jitter; one Map per table. */
  widths?: Map<string, number>;
  /** The current sort order, named in the `+N more` line. */
  sortKey?: () => string;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/**
 * Redraws the table on a terminal for each snapshot of unit rows. Policy `latest`: while the terminal is slow
 * (write() returned false) frames are not queued, and only the newest is drawn on 'drain'. The cursor is hidden while
 * drawing and shown again on completion, error or unsubscribe. EPIPE completes quietly; other errors are E_SINK.
 */
export function toLiveTable(out: Writable, options: ToLiveTableOptions): OperatorFunction<readonly UnitRow[], never> {
  const { columns = () => 80, color } = options;
  // No newline after the last line: on the terminal's last row it would scroll the header away. One column is left
  // free, so no line ends in the terminal's pending-wrap state, where the erase that follows it would eat its last cell.
  const frame = (rows: readonly UnitRow[]) => renderTable(rows, {
    width: Math.max(1, columns() - 1), color, height: options.rows?.() ?? Infinity,
    ...(options.widths ? { widths: options.widths } : {}), ...(options.sortKey ? { sortKey: options.sortKey() } : {}),
  });
  return toLiveFrames(out, frame);
}

/**
 * Redraws a screen of text in place for each value: `render` gives the text (lines without a final newline are kept
 * from scrolling). The policy, cursor and error handling of {@link toLiveTable}, for any view (the `inspect` chart).
 */
export function toLiveFrames<T>(out: Writable, render: (value: T) => string): OperatorFunction<T, never> {
  const frame = (value: T) => render(value).replace(/\n$/, '').replace(/\n/g, `${CLEAR_LINE_END}\n`);
  return operate<T, never>((subscriber) => {
      let waiting = false;
      let latest: { value: T } | undefined;
      const draw = (rows: T) => {
        // Overwrite in place and clear what is left, instead of clearing first: no flicker between frames.
        if (!out.write(`${HOME}${frame(rows)}${CLEAR_LINE_END}${CLEAR_BELOW}`)) {
          waiting = true;
          out.once('drain', onDrain);
        }
      };
      const onDrain = guarded(subscriber, () => {
        waiting = false;
        const rows = latest;
        latest = undefined;
        if (rows) draw(rows.value);
      });
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') subscriber.complete();
        else subscriber.error(new PipelineError('E_SINK', `cannot draw the table: ${error.message}`, { cause: error }));
      };
      subscriber.add(() => {
        out.off('drain', onDrain);
        out.off('error', onError);
        if (!out.destroyed) out.write(SHOW_CURSOR);
      });
      out.on('error', onError);
      out.write(HIDE_CURSOR);
      return {
        next: (rows) => {
          if (waiting) latest = { value: rows };
          else draw(rows);
        },
      };
    });
}
