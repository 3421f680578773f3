import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  catchError, concat, defer, finalize, fromEvent, ignoreElements, map, merge, type Observable, type OperatorFunction,
  Subject, takeUntil, tap, throwError,
} from 'rxjs';
import { PipelineError } from '../errors.js';
import { EVENT_FORMAT_VERSION, NO_UNIT, type MetricEvent } from '../events.js';
import { defaultHttpLimits, limitedServer, type HttpLimits } from './http-limits.js';

/** Where an HTTP sink is listening. */
export interface HttpEndpoint {
  host: string;
  port: number;
  /** `http://host:port` and the sink's main path (`/metrics`, `/`). */
  url: string;
}

/** What an {@link httpSink} serves, for one subscription: a request handler kept up to date by the events. */
export interface HttpApp {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Sees every event that passes through, and every event the sink itself emits. */
  apply(event: MetricEvent): void;
  /** Stops the app's own subscriptions and timers; the server is closed by the sink. */
  close(): void;
}

/** The sink (events pass through, plus its own `dropped` events) and the address its server is bound to. */
export type HttpSink = OperatorFunction<MetricEvent, MetricEvent> & {
  /** Resolves once the current (or next) subscription's server listens; rejects when it cannot. */
  listening(): Promise<HttpEndpoint>;
};

/** Options of {@link httpSink}. */
export interface HttpSinkOptions {
  /** Names the sink in errors (`prometheus`, `http`). */
  name: string;
  host: string;
  port: number;
  /** The path shown in the endpoint's `url`. */
  path: string;
  limits?: Partial<HttpLimits>;
}

interface Deferred { promise: Promise<HttpEndpoint>; resolve(e: HttpEndpoint): void; reject(e: unknown): void; settled: boolean }
function deferred(): Deferred {
  const d = { settled: false } as Deferred;
  d.promise = new Promise((resolve, reject) => {
    d.resolve = (e) => { d.settled = true; resolve(e); };
    d.reject = (e) => { d.settled = true; reject(e); };
  });
  d.promise.catch(() => undefined); // the error also travels on the stream; nobody has to ask
  return d;
}

/**
 * An operator that runs an HTTP server (with {@link HttpLimits}) while it is subscribed: it listens on subscription
 * and closes when the source completes (then the output completes), errors, or is unsubscribed. Connections refused
 * for `maxConnections` become one `dropped` event (`source: 'http'`, `reason: 'max-connections'`) before the next
 * event passes. A server that cannot listen fails the stream with `E_SINK`.
 */
export function httpSink(options: HttpSinkOptions, makeApp: (emit: (e: MetricEvent) => void) => HttpApp): HttpSink {
  const { name, host, port, path } = options;
  const limits = { ...defaultHttpLimits(), ...options.limits };
  let ready = deferred();

  // Composed from rxjs operators (merge, tap, takeUntil, catchError, finalize), so the rxjs anatomy comes for free: the
  // teardown is linked before the source is subscribed, and `take(2)` stops even a synchronous source (`connect` would
  // not: it subscribes the source to a Subject).
  const operator = (source: Observable<MetricEvent>): Observable<MetricEvent> =>
    defer(() => {
      if (ready.settled) ready = deferred();
      const mine = ready;
      const own = new Subject<MetricEvent>(); // events the sink reports about itself
      const emit = (event: MetricEvent): void => {
        app.apply(event);
        own.next(event);
      };
      const app = makeApp(emit);
      const server = limitedServer(limits, (req, res) => {
        try {
          app.handle(req, res);
        } catch (error) { // one bad request must not end the process, nor sampling
          if (res.headersSent) res.destroy();
          else res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`procstream: ${String((error as Error)?.message ?? error)}\n`);
        }
      });
      let refused = 0;
      let refusedTotal = 0;
      server.on('drop', () => { refused += 1; });
      server.on('error', () => undefined); // failed$ reports it; this keeps a late one from crashing the process
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => (closing ??= new Promise<void>((resolve) => {
        app.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }));
      const failed$ = fromEvent(server, 'error').pipe(map((cause) => {
        const error = new PipelineError('E_SINK', `${name}: cannot listen on ${host}:${port}: ${(cause as Error).message}`, { cause });
        mine.reject(error);
        throw error;
      }));
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        mine.resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}${path}` });
      });
      const passed = (event: MetricEvent): void => {
        if (refused > 0) {
          refusedTotal += refused;
          emit({ type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: event.ts, source: 'http', reason: 'max-connections', count: refused, total: refusedTotal });
          refused = 0;
        }
        app.apply(event);
      };
      const ended = new Subject<void>();
      const input$ = source.pipe(tap({ next: passed, complete: () => ended.next(), error: () => ended.next() }));
      // own events first: subscribed before the source, they are not lost while a synchronous source emits
      return merge(merge(own, failed$).pipe(takeUntil(ended)), input$).pipe(
        (all$) => concat(all$, defer(close).pipe(ignoreElements())), // completes once the server has closed
        catchError((error: unknown) => concat(defer(close).pipe(ignoreElements()), throwError(() => error))),
        finalize(() => {
          if (!mine.settled) mine.reject(new PipelineError('E_SINK', `${name}: unsubscribed before listening`));
          void close();
        }),
      );
    });

  return Object.assign(operator, { listening: () => ready.promise });
}
