import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorFunction } from 'rxjs';
import { PipelineError } from '../errors.js';
import type { MetricEvent } from '../events.js';
import { operate } from '../streams/operate.js';
import { negotiateFormat } from './negotiate-format.js';
import { DEFAULT_PROMETHEUS_PORT } from '../formats/prometheus-address.js';
import { prometheusRegistry, type ExpositionFormat, type PrometheusRegistry } from './prometheus-registry.js';
import { spillBytes } from './spill-bytes.js';
import { MetricsState } from './unit-metrics.js';

/** Options of {@link prometheus}. */
export interface PrometheusOptions {
  /** Interface to listen on. Default 127.0.0.1: any other address must be asked for. */
  host?: string;
  /** TCP port; 0 picks a free one (see `listening()`). Default 9465. */
  port?: number;
  /** The spillover directory, to report the bytes of its segments (read at scrape time, never /proc). */
  spillDir?: string;
}

/** Where a {@link prometheus} sink is listening. */
export interface PrometheusEndpoint {
  host: string;
  port: number;
  /** `http://host:port/metrics`. */
  url: string;
}

/** The sink (events pass through unchanged) and the address its server is bound to. */
export type PrometheusSink = OperatorFunction<MetricEvent, MetricEvent> & {
  /** Resolves once the current (or next) subscription's server listens; rejects when it cannot. */
  listening(): Promise<PrometheusEndpoint>;
};

interface Deferred { promise: Promise<PrometheusEndpoint>; resolve(e: PrometheusEndpoint): void; reject(e: unknown): void; settled: boolean }
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
 * Serves `/metrics` for Prometheus from the events that pass through: per unit (label `unit`, never a pid) CPU
 * seconds by mode, resident memory, disk bytes, up, restarts, processes and threads, plus self-metrics (docs/
 * prometheus.md; the sample-duration and tick-lag histograms from `tick` events). The values are kept from events, so a
 * scrape reads no /proc. The server starts listening on
 * subscription and is closed when the source completes (then the output completes), errors, or is unsubscribed.
 * A server that cannot listen fails the stream with `E_SINK`.
 */
export function prometheus(options: PrometheusOptions = {}): PrometheusSink {
  const { host = '127.0.0.1', port = DEFAULT_PROMETHEUS_PORT, spillDir } = options;
  let ready = deferred();

  const operator: OperatorFunction<MetricEvent, MetricEvent> =
    operate<MetricEvent, MetricEvent>((subscriber) => {
      if (ready.settled) ready = deferred();
      const mine = ready;
      const state = new MetricsState();
      const spill = spillDir === undefined ? undefined : () => spillBytes(spillDir);
      const registries: Record<ExpositionFormat, PrometheusRegistry> = {
        prometheus: prometheusRegistry(state, 'prometheus', spill),
        openmetrics: prometheusRegistry(state, 'openmetrics', spill),
      };
      const server = createServer((req, res) => void serve(req, res, registries));
      let closed = false;
      const close = (then?: () => void): void => {
        if (closed) return then?.();
        closed = true;
        server.close(() => then?.());
        server.closeAllConnections();
      };
      server.on('error', (cause: Error) => {
        const error = new PipelineError('E_SINK', `prometheus: cannot listen on ${host}:${port}: ${cause.message}`, { cause });
        mine.reject(error);
        close();
        subscriber.error(error);
      });
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        mine.resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}/metrics` });
      });
      subscriber.add(() => {
        if (!mine.settled) mine.reject(new PipelineError('E_SINK', 'prometheus: unsubscribed before listening'));
        close();
      });
      return {
        next: (event) => {
          if (event.type === 'tick') {
            for (const r of [registries.prometheus, registries.openmetrics]) {
              r.sampleDuration.observe(event.samplingMs / 1000);
              r.tickLag.observe(event.lagMs / 1000);
            }
          } else {
            state.apply(event);
          }
          subscriber.next(event);
        },
        error: (error: unknown) => close(() => subscriber.error(error)),
        complete: () => close(() => subscriber.complete()),
      };
    });

  return Object.assign(operator, { listening: () => ready.promise });
}

async function serve(req: IncomingMessage, res: ServerResponse, registries: Record<ExpositionFormat, PrometheusRegistry>): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('procstream: metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const { registry } = registries[negotiateFormat(req.headers.accept)];
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`procstream: ${(error as Error).message}\n`);
  }
}
