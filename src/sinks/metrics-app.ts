import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { BodyCache } from './http-cache.js';
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
  const bodies = new BodyCache<Promise<string>>();
  const durations = sampleSeconds$?.subscribe((seconds) => {
    bodies.invalidate();
    registries.prometheus.sampleDuration.observe(seconds);
    registries.openmetrics.sampleDuration.observe(seconds);
  });
  const lags = tickLagMs$?.subscribe((ms) => {
    bodies.invalidate();
    registries.prometheus.tickLag.observe(ms / 1000);
    registries.openmetrics.tickLag.observe(ms / 1000);
  });
  return {
    state,
    apply: (event) => {
      bodies.invalidate();
      state.apply(event);
    },
    handle: (req, res) => void serve(req, res, registries, bodies),
    close: () => {
      durations?.unsubscribe();
      lags?.unsubscribe();
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, registries: Record<ExpositionFormat, PrometheusRegistry>, bodies: BodyCache<Promise<string>>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const format = negotiateFormat(req.headers.accept);
  const { registry } = registries[format];
  try {
    // Scrapes between two events see the same values: render once (a failed rendering is not kept).
    const body = await bodies.get(format, () => registry.metrics());
    res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    bodies.invalidate();
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`procstream: ${(error as Error).message}\n`);
  }
}
