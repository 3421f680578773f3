/** `watch`'s table output: a live view on a terminal, or one plain table when stdout is a pipe or `--once` asks. */
import {
  auditTime, concat, connect, defer, EMPTY, endWith, filter, ignoreElements, merge, type Observable, of, type OperatorFunction,
  map, takeLast, takeUntil, tap,
} from 'rxjs';
import type { MetricEvent, StoreQuery, SummaryEvent } from '../index.js';
import { colorEnabled } from './color.js';
import type { CliIo } from './io.js';
import { toLiveTable } from './live-table.js';
import { renderSummary } from './render-summary.js';
import { renderTable, type UnitRow } from './render-table.js';
import { nextSortKey, sortRows, type SortKey } from './sort-rows.js';
import { unitRows } from './unit-rows.js';

/** Options of {@link statusTable}. */
export interface StatusTableOptions {
  store: StoreQuery;
  intervalMs: number;
  io: CliIo;
  sortKey: SortKey;
  /** Redraw in place (stdout is a terminal and no `--once`); otherwise print one plain table at the end. */
  live: boolean;
  /** Keys typed on the terminal: `s` cycles the sort order. */
  keys$: Observable<string>;
  /** Print the final summaries under the table when sampling ends (Ctrl-C, `q`, `--count`, `--duration`). */
  summaries: boolean;
}

/**
 * Draws the table from the store after every sampling round (a round's events arrive together) and on `s`; tracks
 * what the store does not keep (processes per unit, restarts). Completes when the events do, after the last frame.
 */
export function statusTable({ store, intervalMs, io, sortKey, live, keys$, summaries }: StatusTableOptions): OperatorFunction<MetricEvent, never> {
  return connect((events$) => {
    let sort = sortKey;
    const processes = new Map<string, number>();
    const restarts = new Map<string, number>();
    const finals = new Map<string, SummaryEvent>();
    const seen$ = events$.pipe(tap((e) => {
      if (e.type === 'sample') processes.set(e.unit, e.processes ?? 1);
      else if (e.type === 'unit-removed') processes.delete(e.unit);
      else if (e.type === 'unit-restarted') restarts.set(e.unit, e.restarts);
      else if (e.type === 'summary') finals.set(e.unit, e);
    }));
    const rounds$ = seen$.pipe(filter((e) => e.type === 'sample' || e.type === 'unit-down'), auditTime(0));
    const ended$ = events$.pipe(ignoreElements(), endWith(null));
    const resorted$ = keys$.pipe(filter((k) => k === 's'), tap(() => { sort = nextSortKey(sort); }), takeUntil(ended$));
    const rows = (): UnitRow[] => sortRows(unitRows(store, intervalMs, Infinity, processes, restarts), sort);
    const frames$ = concat(merge(rounds$, resorted$), defer(() => of(null))).pipe(auditTime(0));
    const { stdout } = io;
    const table$ = live
      ? frames$.pipe(
          map(rows),
          toLiveTable(stdout, {
            columns: () => stdout.columns || 80, rows: () => stdout.rows || Infinity, // a pty of unknown size says 0
            color: colorEnabled(stdout, io.env), widths: new Map(), sortKey: () => sort,
          }),
        )
      : frames$.pipe(takeLast(1), tap(() => {
          stdout.write(renderTable(rows(), { width: stdout.columns || 80, color: false }));
        }), ignoreElements());
    const end$ = defer(() => {
      if (!summaries || finals.size === 0) return EMPTY;
      const color = colorEnabled(stdout, io.env);
      stdout.write(`${live ? '\n' : ''}\nfinal summaries\n${renderSummary([...finals.values()], { width: stdout.columns || 80, color })}`);
      return EMPTY;
    });
    return concat(table$, end$);
  });
}
