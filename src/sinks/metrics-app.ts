import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { negotiateFormat } from './negotiate-format.js';
import { prometheusRegistry, type ExpositionFormat, type PrometheusRegistry } from './prometheus-registry.js';
import { spillBytes } from './spill-bytes.js';
import { MetricsState } from './unit-metrics.js';

/** Inputs of {@link metricsApp}: the self-metrics streams and the spill directory. */
export interface MetricsAppOptions {
  /** Seconds each tick's sampling took (`watchUnits(...).sampleSeconds$`), for the sample-duration histogram. */
  sampleSeconds$?: Observable<number>;
  /** How late each tick started, ms (`watchUnits(...).tickLagMs$`), for the tick-lag histogram. */
  tickLagMs$?: Observable<number>;
  /** The spillover directory, to report the bytes of its segments (read at scrape time, never /proc). */
  spillDir?: string;
}

/** The `/metrics` route of one subscription: the state the events keep, and a handler that renders it. */
export interface MetricsApp {
  state: MetricsState;
  apply(event: MetricEvent): void;
  /** Answers a request for `/metrics` (GET or HEAD; 405 otherwise), in the format the `Accept` header prefers. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/** Builds the Prometheus exposition of one sink subscription (docs/prometheus.md); a scrape reads no /proc. */
export function metricsApp(options: MetricsAppOptions = {}): MetricsApp {
  const { sampleSeconds$, tickLagMs$, spillDir } = options;
  const state = new MetricsState();
  const spill = spillDir === undefined ? undefined : () => spillBytes(spillDir);
  const registries: Record<ExpositionFormat, PrometheusRegistry> = {
    prometheus: prometheusRegistry(state, 'prometheus', spill),
    openmetrics: prometheusRegistry(state, 'openmetrics', spill),
  };
  const durations = sampleSeconds$?.subscribe((seconds) => {
    registries.prometheus.sampleDuration.observe(seconds);
    registries.openmetrics.sampleDuration.observe(seconds);
  });
  const lags = tickLagMs$?.subscribe((ms) => {
    registries.prometheus.tickLag.observe(ms / 1000);
    registries.openmetrics.tickLag.observe(ms / 1000);
  });
  return {
    state,
    apply: (event) => state.apply(event),
    handle: (req, res) => void serve(req, res, registries),
    close: () => {
      durations?.unsubscribe();
      lags?.unsubscribe();
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, registries: Record<ExpositionFormat, PrometheusRegistry>): Promise<void> {
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
