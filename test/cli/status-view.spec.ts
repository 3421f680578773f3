/** The watch table off a terminal (`| cat -v`, `--once`), on the built binary with a real process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, procstream, shell } from '../helpers/bin.js';
import { killAll, startNode } from '../helpers/children.js';

let pid = 0;
beforeAll(async () => {
  ensureBuilt();
  pid = (await startNode('setInterval(() => { for (let i = 0; i < 1e6; i++); }, 5); console.log("ready")', true)).pid!;
}, 120_000);
afterAll(killAll);

describe('watch --format table to a pipe, and --once', () => {
  it('--once prints one plain table with CPU % measured (two readings), no cursor codes, no summaries', () => {
    const r = shell(`${procstream} watch --pid ${pid} --once --interval 300ms | cat -v`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('^['); // cat -v shows ESC as ^[
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^UNIT\s+PIDS\s+STATE/);
    expect(lines[1]).toMatch(new RegExp(`^pid-${pid}\\s+${pid}\\s+up\\s+\\d+\\.\\d\\s`)); // a number, not –
  });

  it('table output to a pipe is the last frame once, then the final summaries', () => {
    const r = shell(`${procstream} watch --pid ${pid} --format table --count 3 --interval 200ms | cat -v`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('^[');
    expect(r.stdout.match(/^UNIT\s+PIDS/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(new RegExp(`\\n\\nfinal summaries\\nUNIT\\s+STATE\\s+SAMPLES.*\\npid-${pid}\\s+up\\s+3/3\\s`));
  });

  it('says why CPU % is a dash after a single round', () => {
    const r = shell(`${procstream} watch --pid ${pid} --format table --count 1 | cat`);
    expect(r.stdout).toContain('CPU % needs two readings, one interval apart: – until then (--count 2 or more)\n');
  });

  it('refuses --once with ndjson, and an unknown sort key, naming the flag', () => {
    expect(shell(`${procstream} watch --once --format ndjson`)).toMatchObject({ code: 2, stderr: expect.stringContaining('--once prints a table') });
    expect(shell(`${procstream} watch --sort memory`)).toMatchObject({ code: 2, stderr: expect.stringContaining("--sort: 'memory' is not valid; use cpu, rss, restarts, uptime, name") });
  });
});
