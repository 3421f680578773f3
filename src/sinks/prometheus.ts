import { DEFAULT_PROMETHEUS_PORT } from '../formats/prometheus-address.js';
import type { HttpLimits } from './http-limits.js';
import { httpSink, type HttpEndpoint, type HttpSink } from './http-sink.js';
import { metricsApp, type MetricsAppOptions } from './metrics-app.js';

/** Options of {@link prometheus}. */
export interface PrometheusOptions extends MetricsAppOptions {
  /** Interface to listen on. Default 127.0.0.1: any other address must be asked for. */
  host?: string;
  /** TCP port; 0 picks a free one (see `listening()`). Default 9465. */
  port?: number;
  /** Connection cap and timeouts of the server (docs/http.md); defaults from the fd limit. */
  limits?: Partial<HttpLimits>;
}

/** Where a {@link prometheus} sink is listening; `url` is `http://host:port/metrics`. */
export type PrometheusEndpoint = HttpEndpoint;

/** The sink (events pass through unchanged) and the address its server is bound to. */
export type PrometheusSink = HttpSink;

/**
 * Serves `/metrics` for Prometheus from the events that pass through: per unit (label `unit`, never a pid) CPU
 * seconds by mode, resident memory, disk bytes, up, restarts, processes and threads, plus self-metrics (docs/
 * prometheus.md). The values are kept from events, so a scrape reads no /proc. The server starts listening on
 * subscription and is closed when the source completes (then the output completes), errors, or is unsubscribed.
 * A server that cannot listen fails the stream with `E_SINK`.
 */
export function prometheus(options: PrometheusOptions = {}): PrometheusSink {
  const { host = '127.0.0.1', port = DEFAULT_PROMETHEUS_PORT, limits, ...metrics } = options;
  return httpSink({ name: 'prometheus', host, port, path: '/metrics', ...(limits ? { limits } : {}) }, () => {
    const app = metricsApp(metrics);
    return {
      apply: app.apply,
      close: app.close,
      handle: (req, res) => {
        if ((req.url ?? '/').split('?')[0] === '/metrics') return app.handle(req, res);
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('procstream: metrics are at /metrics\n');
      },
    };
  });
}
