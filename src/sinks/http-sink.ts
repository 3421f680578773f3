import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Observable, type OperatorFunction } from 'rxjs';
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

  const operator = (source: Observable<MetricEvent>): Observable<MetricEvent> =>
    new Observable<MetricEvent>((subscriber) => {
      if (ready.settled) ready = deferred();
      const mine = ready;
      let refused = 0;
      let refusedTotal = 0;
      const emit = (event: MetricEvent): void => {
        app.apply(event);
        subscriber.next(event);
      };
      const app = makeApp((e) => emit(e));
      const server = limitedServer(limits, (req, res) => app.handle(req, res));
      server.on('drop', () => { refused += 1; });
      let closed = false;
      const close = (then?: () => void): void => {
        if (closed) return then?.();
        closed = true;
        app.close();
        server.close(() => then?.());
        server.closeAllConnections();
      };
      server.on('error', (cause: Error) => {
        const error = new PipelineError('E_SINK', `${name}: cannot listen on ${host}:${port}: ${cause.message}`, { cause });
        mine.reject(error);
        close();
        subscriber.error(error);
      });
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        mine.resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}${path}` });
      });
      // Teardown linked before the source is subscribed: an unsubscribe during a synchronous emission still closes it.
      subscriber.add(() => {
        if (!mine.settled) mine.reject(new PipelineError('E_SINK', `${name}: unsubscribed before listening`));
        close();
      });
      subscriber.add(source.subscribe({
        next: (event) => {
          try {
            if (refused > 0) {
              refusedTotal += refused;
              emit({ type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: event.ts, source: 'http', reason: 'max-connections', count: refused, total: refusedTotal });
              refused = 0;
            }
            emit(event);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => close(() => subscriber.error(error)),
        complete: () => close(() => subscriber.complete()),
      }));
    });

  return Object.assign(operator, { listening: () => ready.promise });
}
