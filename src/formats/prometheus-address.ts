import { PipelineError } from '../errors.js';

/** Where the Prometheus endpoint listens. */
export interface PrometheusAddress {
  host: string;
  port: number;
}

/** The port used when `--prometheus` names none (9256 is process-exporter's, so both can run side by side). */
export const DEFAULT_PROMETHEUS_PORT = 9465;

/** The port used when `--http` names none: the one after the Prometheus default, so both can run side by side. */
export const DEFAULT_HTTP_PORT = 9466;

/**
 * Parses the `--prometheus [ADDR]` value: `PORT`, `HOST`, `HOST:PORT` or `[IPV6]:PORT`. The host defaults to
 * 127.0.0.1, so another interface must be asked for by name; the port to {@link DEFAULT_PROMETHEUS_PORT}. `--http`
 * passes its own flag name (for messages) and {@link DEFAULT_HTTP_PORT}.
 */
export function parsePrometheusAddress(addr = '', flag = '--prometheus', defaultPort = DEFAULT_PROMETHEUS_PORT): PrometheusAddress {
  const text = addr.trim();
  const m = /^(\d+)$/.exec(text) ? ['', '', '', text] : /^(?:\[([^\]]+)\]|([^:[\]]*))(?::(\d+))?$/.exec(text);
  if (!m) throw new PipelineError('E_USAGE', `${flag}: expected PORT, HOST, HOST:PORT or [IPV6]:PORT, got ${JSON.stringify(text.slice(0, 60))}`);
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (port > 65_535) throw new PipelineError('E_USAGE', `${flag}: port must be 0–65535, got ${port}`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}
