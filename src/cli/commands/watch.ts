import { filter, lastValueFrom, merge, NEVER, type OperatorFunction, share, tap } from 'rxjs';
import { prometheus, watchUnits, type MetricEvent } from '../../index.js';
import { toNdjson } from '../../index.js';
import { EXIT } from '../exit-codes.js';
import { dashboardEndpoint } from '../http-endpoint.js';
import type { CliIo } from '../io.js';
import { keypresses } from '../keys.js';
import type { WatchCommand } from '../options.js';
import { statusTable } from '../status-table.js';
import { watchTargetsSpec } from '../watch-targets.js';
import { stop$ } from './common.js';

/** Runs `procstream watch`: every flag is a `watchUnits` option; NDJSON or the live table out. Resolves to 0. */
export async function runWatch(opts: WatchCommand, io: CliIo): Promise<number> {
  const { intervalMs } = opts;
  // Keys only for the live table: raw mode on a terminal's stdin, shared by the quit and sort handlers.
  const keys$ = opts.format === 'table' && io.stdout.isTTY === true && opts.once !== true ? keypresses(io.stdin).pipe(share()) : NEVER;
  const { events$, store } = watchUnits({
    targets: watchTargetsSpec(opts.targets, Math.max(intervalMs, 1_000)),
    intervalMs,
    retentionMs: opts.retentionMs,
    maxMemoryBytes: opts.maxMemoryBytes,
    ...(opts.summaryEveryMs === undefined ? {} : { summaryEveryMs: opts.summaryEveryMs }),
    children: opts.targets.children,
    ...(opts.spill ? { spill: opts.spill } : {}),
    ...(opts.rebuildMaxBytes === undefined ? {} : { rebuildMaxBytes: opts.rebuildMaxBytes }),
    ...(opts.count === undefined ? {} : { count: opts.count }),
    ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
    until: merge(stop$(io), keys$.pipe(filter((k) => k === 'q' || k === '\x03'))), // raw mode: Ctrl-C is a key
  });
  const problems = diagnostics();
  const exported$ = opts.prometheus ? events$.pipe(metricsEndpoint(opts.prometheus, opts.spill?.dir, io)) : events$;
  const served$ = opts.http ? exported$.pipe(dashboardEndpoint(opts.http, store, opts.spill?.dir, io, opts.intervalMs)) : exported$;
  const counted$ = served$.pipe(tap(problems.see));
  const done$ =
    opts.format === 'ndjson'
      ? counted$.pipe(toNdjson(io.stdout, { policy: 'drop', markGaps: true }), tap(problems.see)) // live data: a stuck reader loses lines, counted
      : counted$.pipe(statusTable({
          store, intervalMs, io, keys$, sortKey: opts.sort ?? 'cpu', live: io.stdout.isTTY === true && opts.once !== true,
          summaries: opts.once !== true,
        }));
  await lastValueFrom(done$, { defaultValue: undefined });
  problems.report(io);
  return EXIT.ok;
}

/** Serves /metrics from the event stream while it runs, and says where on stderr once it listens. */
function metricsEndpoint(
  address: { host: string; port: number },
  spillDir: string | undefined,
  io: CliIo,
): OperatorFunction<MetricEvent, MetricEvent> {
  const sink = prometheus({ ...address, ...(spillDir === undefined ? {} : { spillDir }) });
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
