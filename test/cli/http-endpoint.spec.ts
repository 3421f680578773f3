/** `watch --http`: the flag, the loopback warning, and the log window over a real spill directory. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/cli/http-endpoint.js';
import { main } from '../../src/cli/main.js';
import { parseArgs, type ParseContext } from '../../src/cli/parse-args.js';
import { PipelineError } from '../../src/errors.js';
import { ensureBuilt } from '../helpers/bin.js';
import { killAll, startNode } from '../helpers/children.js';
import { startHttpWatch } from '../helpers/http-watch.js';
import { fakeIo } from './fake-io.js';

const ctx: ParseContext = { isTTY: false, now: () => 0, readFile: () => { throw new Error('no files'); } };
const usage = (argv: string[]): string => {
  try { parseArgs(argv, ctx); } catch (error) { expect((error as PipelineError).code).toBe('E_USAGE'); return (error as Error).message; }
  throw new Error('expected a usage error');
};

beforeAll(ensureBuilt, 120_000);
afterAll(killAll);

describe('watch --http', () => {
  it('defaults to 127.0.0.1:9466 when bare, and reads the same address forms as --prometheus', () => {
    expect(parseArgs(['watch', '--http'], ctx)).toMatchObject({ http: { host: '127.0.0.1', port: 9466 } });
    expect(parseArgs(['watch', '--http', '--prometheus'], ctx)).toMatchObject({ http: { port: 9466 }, prometheus: { port: 9465 } });
    expect(parseArgs(['watch', '--http', ':0', '--count', '1'], ctx)).toMatchObject({ http: { host: '127.0.0.1', port: 0 }, count: 1 });
    expect(parseArgs(['watch', '--http=[::1]:8080'], ctx)).toMatchObject({ http: { host: '::1', port: 8080 } });
    expect(usage(['watch', '--http', 'a:b:c'])).toBe('--http: expected PORT, HOST, HOST:PORT or [IPV6]:PORT, got "a:b:c"');
    expect(usage(['summarize', '--http'])).toBe("--http does not apply to summarize");
  });

  it('tells loopback addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.0.2.1', '127.0.0.1.example']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('warns before listening on a non-loopback address, and a failed listen is one line and exit 1', async () => {
    const { io, err } = fakeIo();
    // 192.0.2.1 (TEST-NET-1) is on no interface here: the warning comes first, then the listen fails
    expect(await main(['watch', '--pid', String(process.pid), '--count', '3', '--http', '192.0.2.1:0'], io)).toBe(1);
    const lines = err().trimEnd().split('\n');
    expect(lines[0]).toBe('procstream: warning: --http 192.0.2.1 is reachable from other machines; the dashboard has no login, and shows unit names and their usage');
    expect(lines[1]).toMatch(/^procstream: http: cannot listen on 192\.0\.2\.1:0: listen EADDRNOTAVAIL/);
    expect(lines).toHaveLength(2);
  });

  it('reaches back over the spill log for window=log, past what the store holds', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const spill = join(mkdtempSync(join(tmpdir(), 'procstream-http-log-')), 'spill');
    // one chunk of store memory: rows are evicted to the spill within a second or two
    const watch = await startHttpWatch(['--pid', String(child.pid), '--interval', '100ms', '--memory', '952', '--spill', spill]);
    try {
      const series = async (window: string) => (await (await fetch(`${watch.url}api/units/pid-${child.pid}/series?window=${window}&points=50`)).json()) as { samples: number[]; fromMs: number; bucketMs: number };
      const sum = (s: { samples: number[] }) => s.samples.reduce((a, b) => a + b, 0);
      expect(((await (await fetch(`${watch.url}api/units`)).json()) as { logWindow: boolean }).logWindow).toBe(true);
      let log = await series('log');
      let live = await series('5m');
      while (!(sum(log) > sum(live) + 10)) {
        await new Promise((r) => setTimeout(r, 250));
        [log, live] = [await series('log'), await series('5m')];
      }
      // the log starts at the very first sample (long evicted from the store), and no sample is counted twice. The
      // log can be a line ahead of what this process has read from the child's stdout yet: give the pipe a moment.
      let samples = watch.events().filter((e) => e.type === 'sample');
      for (let i = 0; i < 40 && samples.length < sum(log); i++) {
        await new Promise((r) => setTimeout(r, 50));
        samples = watch.events().filter((e) => e.type === 'sample');
      }
      // columns sit on multiples of their width: the first one holds the very first sample
      const firstTs = samples[0]!.ts as number;
      expect(log.fromMs).toBeLessThanOrEqual(firstTs);
      expect(log.fromMs + log.bucketMs).toBeGreaterThan(firstTs);
      expect(log.samples[0]).toBeGreaterThan(0);
      expect(sum(log)).toBeLessThanOrEqual(samples.length);
    } finally {
      await watch.stop();
    }
  });
});
