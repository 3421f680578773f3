import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricEvent } from '../events.js';
import { BodyCache } from './http-cache.js';
import { negotiateFormat } from './negotiate-format.js';
import { prometheusRegistry, type ExpositionFormat, type PrometheusRegistry } from './prometheus-registry.js';
import { spillBytes } from './spill-bytes.js';
import { MetricsState } from './unit-metrics.js';

/** Inputs of {@link metricsApp}: the spill directory (the self-metrics come from `tick` events). */
export interface MetricsAppOptions {
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
  const { spillDir } = options;
  const state = new MetricsState();
  const spill = spillDir === undefined ? undefined : () => spillBytes(spillDir);
  const registries: Record<ExpositionFormat, PrometheusRegistry> = {
    prometheus: prometheusRegistry(state, 'prometheus', spill),
    openmetrics: prometheusRegistry(state, 'openmetrics', spill),
  };
  const bodies = new BodyCache<Promise<string>>();
  return {
    state,
    apply: (event) => {
      bodies.invalidate();
      if (event.type !== 'tick') return state.apply(event);
      // A tick event carries the round's self-metrics: how long sampling took, and how late it started.
      for (const r of [registries.prometheus, registries.openmetrics]) {
        r.sampleDuration.observe(event.samplingMs / 1000);
        r.tickLag.observe(event.lagMs / 1000);
      }
    },
    handle: (req, res) => void serve(req, res, registries, bodies),
    close: () => undefined,
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
