import type { OperatorFunction } from 'rxjs';
import { httpDashboard, replay, type MetricEvent, type StoreQuery } from '../index.js';
import type { CliIo } from './io.js';

/** True for the loopback interface: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost' || host === '::ffff:127.0.0.1';
}

/**
 * `watch --http`: serves the dashboard, its API and /metrics from the event stream while it runs; `window=log` reads
 * the spill directory with `replay()`. Warns on stderr before listening anywhere but loopback (the page has no login),
 * and says where it listens once it does.
 */
export function dashboardEndpoint(
  address: { host: string; port: number },
  store: StoreQuery,
  spillDir: string | undefined,
  io: CliIo,
  /** The sampling interval: one sparkline point each. */
  intervalMs?: number,
): OperatorFunction<MetricEvent, MetricEvent> {
  if (!isLoopbackHost(address.host)) {
    io.stderr.write(`procstream: warning: --http ${address.host} is reachable from other machines; the dashboard has no login, and shows unit names and their usage\n`);
  }
  const sink = httpDashboard({
    ...address, store, ...(intervalMs === undefined ? {} : { intervalMs }),
    ...(spillDir === undefined ? {} : { spillDir, history: (unit: string) => replay(spillDir, { unit }) }),
  });
  sink.listening().then((endpoint) => io.stderr.write(`procstream: dashboard at ${endpoint.url} (metrics at ${endpoint.url}metrics)\n`), () => undefined);
  return sink;
}
