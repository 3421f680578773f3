import {
  auditTime, concat, connect, defer, filter, ignoreElements, lastValueFrom, map, merge, type Observable, of,
  type OperatorFunction, tap,
} from 'rxjs';
import { prometheus, watchUnits, type MetricEvent } from '../../index.js';
import { toNdjson } from '../../index.js';
import { colorEnabled } from '../color.js';
import { EXIT } from '../exit-codes.js';
import { toLiveTable } from '../live-table.js';
import type { CliIo } from '../io.js';
import type { WatchCommand } from '../options.js';
import { unitRows } from '../unit-rows.js';
import { watchTargetsSpec } from '../watch-targets.js';
import { stop$ } from './common.js';

/** Runs `procstream watch`: every flag is a `watchUnits` option; NDJSON or the live table out. Resolves to 0. */
export async function runWatch(opts: WatchCommand, io: CliIo): Promise<number> {
  const { intervalMs } = opts;
  const { events$, store, sampleSeconds$, tickLagMs$ } = watchUnits({
    targets: watchTargetsSpec(opts.targets, Math.max(intervalMs, 1_000)),
    intervalMs,
    retentionMs: opts.retentionMs,
    maxMemoryBytes: opts.maxMemoryBytes,
    ...(opts.summaryEveryMs === undefined ? {} : { summaryEveryMs: opts.summaryEveryMs }),
    children: opts.targets.children,
    ...(opts.spill ? { spill: opts.spill } : {}),
    ...(opts.count === undefined ? {} : { count: opts.count }),
    ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
    until: stop$(io),
  });
  const problems = diagnostics();
  const exported$ = opts.prometheus ? events$.pipe(metricsEndpoint(opts.prometheus, { sampleSeconds$, tickLagMs$ }, opts.spill?.dir, io)) : events$;
  const counted$ = exported$.pipe(tap(problems.see));
  const done$ =
    opts.format === 'ndjson'
      ? counted$.pipe(toNdjson(io.stdout))
      : counted$.pipe(
          connect((shared$) => {
            // One frame per sampling round (a round's events arrive together), and a last one at the end.
            const processes = new Map<string, number>();
            const rounds$ = shared$.pipe(
              tap((e) => {
                if (e.type === 'sample') processes.set(e.unit, e.processes ?? 1);
                else if (e.type === 'unit-removed') processes.delete(e.unit);
              }),
              filter((e) => e.type === 'sample' || e.type === 'unit-down'),
              auditTime(0),
            );
            const frames$ = concat(rounds$, defer(() => of(null))).pipe(
              map(() => unitRows(store, intervalMs, (io.stdout.rows || Infinity) - 1, processes)), // a pty of unknown size says 0
            );
            return merge(shared$.pipe(ignoreElements()), frames$);
          }),
          toLiveTable(io.stdout, { columns: () => io.stdout.columns || 80, color: colorEnabled(io.stdout, io.env) }),
        );
  await lastValueFrom(done$, { defaultValue: undefined });
  problems.report(io);
  return EXIT.ok;
}

/** Serves /metrics from the event stream while it runs, and says where on stderr once it listens. */
function metricsEndpoint(
  address: { host: string; port: number },
  selfMetrics: { sampleSeconds$: Observable<number>; tickLagMs$: Observable<number> },
  spillDir: string | undefined,
  io: CliIo,
): OperatorFunction<MetricEvent, MetricEvent> {
  const sink = prometheus({ ...address, ...selfMetrics, ...(spillDir === undefined ? {} : { spillDir }) });
  sink.listening().then((endpoint) => io.stderr.write(`procstream: metrics at ${endpoint.url}\n`), () => undefined);
  return sink;
}

/** Counts `dropped` and `error` events, for one line on stderr at the end (the events themselves are in the data). */
function diagnostics() {
  let dropped = 0;
  let errors = 0;
  let lastError = '';
  return {
    see(e: MetricEvent): void {
      if (e.type === 'dropped') dropped += e.count;
      else if (e.type === 'error') {
        errors += 1;
        lastError = `${e.source}: ${e.code}: ${e.message}`;
      }
    },
    report(io: CliIo): void {
      if (dropped > 0) io.stderr.write(`procstream: ${dropped} dropped (see the 'dropped' events)\n`);
      if (errors > 0) io.stderr.write(`procstream: ${errors} errors; the last: ${lastError}\n`);
    },
  };
}
