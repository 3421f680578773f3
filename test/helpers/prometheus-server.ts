import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The path of the `prometheus` binary, or undefined when it is not installed. */
export function prometheusBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A free TCP port on 127.0.0.1 (free when asked; good enough for a test that starts at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One result of an instant or range query. */
export interface Series { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }

/** A real Prometheus server on loopback, scraping `target` every second, with its own temp config and storage. */
export interface PrometheusServer {
  url: string;
  query(expr: string, time?: number): Promise<Series[]>;
  queryRange(expr: string, startSec: number, endSec: number, stepSec: number): Promise<Series[]>;
  stop(): Promise<void>;
}

/**
 * What to scrape: one `host:port` target, or the `scrape_configs` entries (YAML lines, each indented two spaces) and
 * rule files of a larger setup such as the fleet test's file_sd_configs.
 */
export type PrometheusSetup = string | { scrapeConfigs: string[]; ruleFiles?: string[] };

export async function startPrometheus(binary: string, setup: PrometheusSetup): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'procstream-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const { scrapeConfigs, ruleFiles = [] } = typeof setup === 'string'
    ? { scrapeConfigs: ['  - job_name: procstream', '    static_configs:', `      - targets: ['${setup}']`] }
    : setup;
  writeFileSync(config, [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s',
    ...(ruleFiles.length > 0 ? ['rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    'scrape_configs:', ...scrapeConfigs, '',
  ].join('\n'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(binary, [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000); });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const api = async (path: string, params: Record<string, string>): Promise<Series[]> => {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: Series[] } };
    if (body.status !== 'success') throw new Error(`prometheus ${path} ${params.query}: ${body.error}`);
    return body.data.result;
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) { await stop(); throw new Error(`prometheus exited with ${child.exitCode}: ${log}`); }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 200) { await stop(); throw new Error(`prometheus not ready after 20 s: ${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    query: (expr, time) => api('query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) }),
    queryRange: (expr, start, end, step) => api('query_range', { query: expr, start: String(start), end: String(end), step: String(step) }),
    stop,
  };
}
