import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Histogram, Registry, RegistryContentType } from 'prom-client';
import type { MetricsState, UnitMetrics } from './unit-metrics.js';

/** Exposition formats prom-client writes: the Prometheus text format 0.0.4, or OpenMetrics 1.0.0. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** Buckets of the sample-duration histogram, seconds: 0.5 ms up to 2.5 s (a 1,000-process tick takes tens of ms). */
export const SAMPLE_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A registry of one format whose metrics read the state when scraped, and the histograms the caller feeds. */
export interface PrometheusRegistry {
  registry: Registry<RegistryContentType>;
  sampleDuration: Histogram;
  tickLag: Histogram;
}

// prom-client (about 30 modules) loads with the first registry, not on `import 'procstream'`
// (test/package/lazy-load.spec.ts). It is CommonJS, so a synchronous require keeps this function synchronous.
const require = createRequire(import.meta.url);
let promClient: typeof PromClient | undefined;

type Metric = Counter | Gauge;
type Put = (labels: Record<string, string>, value: number | null) => void;
type Read = (u: UnitMetrics, unit: string, put: Put) => void;
interface Shown { labels: Record<string, string>; value: number; scrape: number }

/**
 * Builds the registry for one exposition format. Values are copied from `state` at scrape time (prom-client's
 * `collect`), so sampling costs one object update per unit and only a scrape pays for labels and text. We keep one
 * registry per format because prom-client renames counters (drops `_total`) in place when writing OpenMetrics.
 */
export function prometheusRegistry(state: MetricsState, format: ExpositionFormat, spillBytes?: () => Promise<number>): PrometheusRegistry {
  const { Counter, Gauge, Histogram, Registry } = (promClient ??= require('prom-client') as typeof PromClient);
  const registry = new Registry<RegistryContentType>(); // the typings omit the constructor's content type
  registry.setContentType(format === 'openmetrics' ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
  const registers = [registry];
  // Each scrape hands prom-client only the series whose value changed (and removes those of units gone): labelling
  // a series is what costs, and most units of a host are idle between two scrapes.
  const perUnit = (kind: 'counter' | 'gauge', name: string, help: string, read: Read, labelNames = ['unit']): void => {
    const shown = new Map<string, Shown>();
    let scrape = 0;
    const collect = function (this: Metric): void {
      const metric = this;
      scrape += 1;
      const put: Put = (labels, value) => {
        if (value === null) return;
        const key = labels.mode === undefined ? labels.unit! : `${labels.unit!}\u0000${labels.mode}`;
        const before = shown.get(key);
        if (before) before.scrape = scrape;
        if (before?.value === value) return;
        if (metric instanceof Gauge) metric.set(labels, value);
        else if (before && value >= before.value) metric.inc(labels, value - before.value);
        else { metric.remove(labels); metric.inc(labels, value); } // new, or removed and back between two scrapes
        if (before) before.value = value;
        else shown.set(key, { labels, value, scrape });
      };
      for (const [unit, u] of state.units) read(u, unit, put);
      for (const [key, s] of shown) {
        if (s.scrape !== scrape) { metric.remove(s.labels); shown.delete(key); }
      }
    };
    if (kind === 'counter') new Counter({ name, help, labelNames, registers, collect });
    else new Gauge({ name, help, labelNames, registers, collect });
  };

  perUnit('counter', 'procstream_unit_cpu_seconds_total', "CPU time of the unit's processes by mode; never decreases, also across restarts.", (u, unit, put) => {
    put({ unit, mode: 'user' }, u.cpuUserSeconds);
    put({ unit, mode: 'system' }, u.cpuSystemSeconds);
  }, ['unit', 'mode']);
  perUnit('gauge', 'procstream_unit_resident_memory_bytes', "Resident set size of the unit's processes; absent while the unit is down.", (u, unit, put) => put({ unit }, u.rssBytes));
  perUnit('counter', 'procstream_unit_disk_read_bytes_total', "Bytes the unit's processes read from storage.", (u, unit, put) => put({ unit }, u.diskReadBytes));
  perUnit('counter', 'procstream_unit_disk_write_bytes_total', "Bytes the unit's processes wrote to storage.", (u, unit, put) => put({ unit }, u.diskWriteBytes));
  perUnit('counter', 'procstream_unit_network_receive_bytes_total', 'Bytes received on the network namespace the unit owns; only for such units.',
    (u, unit, put) => put({ unit }, u.networkReceiveBytes));
  perUnit('counter', 'procstream_unit_network_transmit_bytes_total', 'Bytes sent on the network namespace the unit owns; only for such units.',
    (u, unit, put) => put({ unit }, u.networkTransmitBytes));
  perUnit('gauge', 'procstream_unit_up', '1 when the unit had a live process at the newest tick, else 0.', (u, unit, put) => put({ unit }, u.up ? 1 : 0));
  perUnit('counter', 'procstream_unit_restarts_total', 'Times the process identity behind the unit changed.', (u, unit, put) => put({ unit }, u.restarts));
  perUnit('gauge', 'procstream_unit_processes', "Live processes counted for the unit.", (u, unit, put) => put({ unit }, u.processes));
  perUnit('gauge', 'procstream_unit_threads', "Threads across the unit's processes.", (u, unit, put) => put({ unit }, u.threads));

  const sampleDuration = new Histogram({
    name: 'procstream_sample_duration_seconds', help: 'Time the sampler took for one tick, all units.', buckets: SAMPLE_DURATION_BUCKETS, registers,
  });
  // Same buckets: lag and duration are both parts of a tick, and a lag past a whole interval means skipped deadlines.
  const tickLag = new Histogram({
    name: 'procstream_tick_lag_seconds', help: 'How late each tick started sampling, from the first deadline it had not yet served.',
    buckets: SAMPLE_DURATION_BUCKETS, registers,
  });
  const { self } = state;
  new Counter({ name: 'procstream_ticks_skipped_total', help: 'Ticks skipped because a sample was still running or the event loop was blocked.', registers,
    collect() { this.reset(); this.inc(self.ticksSkipped); } });
  const byLabel = (name: string, help: string, label: string, counts: Map<string, number>): void => {
    new Counter({ name, help, labelNames: [label], registers, collect() {
      this.reset();
      for (const [value, n] of counts) this.inc({ [label]: value }, n);
    } });
  };
  byLabel('procstream_events_dropped_total', 'Events discarded rather than processed, by the part that dropped them.', 'source', self.dropped);
  byLabel('procstream_spill_errors_total', 'Spillover write errors, by errno code.', 'code', self.spillErrors);
  if (spillBytes) {
    new Gauge({ name: 'procstream_spill_bytes', help: 'Bytes of spill segments on disk.', registers, async collect() { this.set(await spillBytes()); } });
  }
  return { registry, sampleDuration, tickLag };
}
