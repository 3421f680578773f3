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
export function toLiveTable(out: Writable, { columns = () => 80, color }: ToLiveTableOptions): OperatorFunction<readonly UnitRow[], never> {
  return operate<readonly UnitRow[], never>((subscriber) => {
      let waiting = false;
      let latest: readonly UnitRow[] | undefined;
      const draw = (rows: readonly UnitRow[]) => {
        // Overwrite in place and clear what is left, instead of clearing first: no flicker between frames.
        const table = renderTable(rows, { width: columns(), color }).replace(/\n/g, `${CLEAR_LINE_END}\n`);
        if (!out.write(`${HOME}${table}${CLEAR_BELOW}`)) {
          waiting = true;
          out.once('drain', onDrain);
        }
      };
      const onDrain = guarded(subscriber, () => {
        waiting = false;
        const rows = latest;
        latest = undefined;
        if (rows) draw(rows);
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
          if (waiting) latest = rows;
          else draw(rows);
        },
      };
    });
}
