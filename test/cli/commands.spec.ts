/** The four commands of the built binary, run the way a user runs them: spawned, piped, signalled, under a pty. */
import { once } from 'node:events';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { segmentSeq } from '../../src/formats/segment-names.js';
import { killAll, startNode } from '../helpers/children.js';
import { ensureBuilt, procstream, root, run, shell, start } from '../helpers/bin.js';

const fixture = join(root, 'test/fixtures/systemg-spill');
const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `procstream-${name}-`));
const started: ChildProcess[] = [];

/** Collects a child's stdout, and resolves `until(text)` once it has seen `text`. */
function collect(child: ChildProcess) {
  let out = '';
  const waiters: [string | RegExp, () => void][] = [];
  const seen = (text: string | RegExp) => (typeof text === 'string' ? out.includes(text) : text.test(out));
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const [text, done] of waiters) if (seen(text)) done();
  });
  return {
    text: () => out,
    until: (text: string | RegExp) => new Promise<void>((resolve) => (seen(text) ? resolve() : waiters.push([text, resolve]))),
  };
}

beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await killAll();
});

describe('procstream watch (built)', () => {
  it('gives three samples through a real jq for --count 3', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const r = shell(`${procstream} watch --pid ${child.pid} --count 3 --interval 200ms | /usr/bin/jq -c .`);
    expect(r.code).toBe(0);
    const events = lines(r.stdout);
    const samples = events.filter((e) => e.type === 'sample');
    expect(samples).toHaveLength(3);
    expect(samples.map((e) => e.pid)).toEqual([child.pid, child.pid, child.pid]);
    expect(samples.map((e) => e.unit)).toEqual([`pid-${child.pid}`, `pid-${child.pid}`, `pid-${child.pid}`]);
    expect(events.at(-1)).toMatchObject({ type: 'summary', unit: `pid-${child.pid}`, samples: 3 });
  });

  it('serves /metrics with --prometheus while it prints NDJSON, and closes it at the end', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const watch = start(['watch', '--pid', String(child.pid), '--interval', '200ms', '--duration', '4s', '--prometheus', '127.0.0.1:0']);
    started.push(watch);
    let stderr = '';
    const url = await new Promise<string>((resolve) => watch.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr);
      if (m) resolve(m[1]!);
    }));
    const out = collect(watch);
    await out.until('"type":"sample"');
    await out.until(/"cpuPercent":\d/); // a second sample (the first has null): the exporter has had something to keep
    const body = await (await fetch(url)).text();
    expect(body).toMatch(new RegExp(`procstream_unit_resident_memory_bytes\\{unit="pid-${child.pid}"\\} [1-9]`));
    expect(body).toContain(`procstream_unit_up{unit="pid-${child.pid}"} 1`);
    // the self-metrics are fed too: at least two ticks sampled and timed
    expect(Number(/^procstream_sample_duration_seconds_count (\d+)/m.exec(body)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^procstream_tick_lag_seconds_count (\d+)/m.exec(body)?.[1])).toBeGreaterThanOrEqual(2);
    const [code] = (await once(watch, 'exit')) as [number];
    expect(code).toBe(0);
    expect(lines(out.text()).some((e) => e.type === 'sample')).toBe(true);
    await expect(fetch(url)).rejects.toThrow(); // the server closed with the pipeline
  });

  it('exits 0 quietly when the reader leaves (| head -1)', () => {
    const r = shell(`set -o pipefail; ${procstream} watch --interval 100ms | head -1`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(lines(r.stdout)).toHaveLength(1);
  });

  it('draws the live table under a real pseudo-terminal, in colour unless NO_COLOR', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const cmd = `${procstream} watch --pid ${child.pid} --count 2 --interval 200ms`;
    const plain = shell(`script -qfec ${JSON.stringify(cmd)} /dev/null`);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('\x1b[?25l'); // the cursor is hidden while drawing…
    const [table, after] = plain.stdout.split('\x1b[?25h'); // …and shown again at the end,
    expect(after).toMatch(/^\r?\n\r?\nfinal summaries\r?\nUNIT\s+STATE/); // before the final summaries
    const frame = table!.split('\x1b[H').at(-1)!;
    expect(frame).toMatch(/UNIT\s+PIDS\s+STATE\s+REASON\s+CPU%\s+RSS/);
    expect(frame).toMatch(new RegExp(`pid-${child.pid}\\s+${child.pid}\\s+up\\s+\\d+\\.\\d\\s+\\d+\\.\\d MiB`));
    expect(plain.stdout).not.toContain('\x1b[32m');
    const colour = shell(`unset NO_COLOR; script -qfec ${JSON.stringify(cmd)} /dev/null`);
    expect(colour.stdout).toContain('\x1b[32mup');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('on %s, flushes the log and the final summaries and exits 0 within 2 s', async (signal) => {
    const dir = tmp('signal');
    const child = start(['watch', '--interval', '20ms', '--spill', dir]);
    started.push(child);
    const out = collect(child);
    await out.until(/"cpuPercent":\d/); // a second round
    await new Promise((r) => setTimeout(r, 300));
    const exited = once(child, 'exit');
    const t0 = Date.now();
    child.kill(signal);
    const [code] = (await exited) as [number | null];
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(code).toBe(0);
    const events = lines(out.text());
    expect(events.at(-1)!.type).toBe('summary');
    // every unit event printed was also written to the log before the exit, in the same order
    const logged = events.filter((e) => !['summary', 'evicted'].includes(e.type as string));
    expect(lines(run(['replay', dir]).stdout)).toEqual(logged);
  }, 15_000);
});

describe('procstream replay (built)', () => {
  it('after a SIGKILL, replays all but the last second, and skips and counts an undecodable tail', async () => {
    const dir = tmp('crash');
    const child = start(['watch', '--interval', '20ms', '--spill', dir, '--segment', '4KiB']);
    started.push(child);
    const out = collect(child);
    await out.until(/"cpuPercent":\d/); // a second round
    await new Promise((r) => setTimeout(r, 500));
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const printed = lines(out.text()).filter((e) => e.type === 'sample');
    const r = run(['replay', dir]);
    expect(r.code).toBe(0);
    const replayed = lines(r.stdout).filter((e) => e.type === 'sample'); // throws on any line that is not JSON
    expect(replayed.length).toBeGreaterThan(0);
    // What is on disk is what ran, in order. Either side may hold the newest lines the other lacks: the log loses at
    // most its last batch, and stdout loses what it had not flushed yet (batched every 10 ms) when the kill came.
    const common = Math.min(replayed.length, printed.length);
    expect(common).toBeGreaterThan(0);
    expect(replayed.slice(0, common)).toEqual(printed.slice(0, common));
    for (const unflushed of replayed.slice(common)) expect((unflushed.ts as number) - (printed.at(-1)!.ts as number)).toBeLessThanOrEqual(1_000);
    const lastTs = printed.at(-1)!.ts as number;
    for (const lost of printed.slice(replayed.length)) expect(lastTs - (lost.ts as number)).toBeLessThanOrEqual(1_000);

    const newest = readdirSync(dir).sort((a, b) => (segmentSeq(a) ?? 0) - (segmentSeq(b) ?? 0)).at(-1)!;
    appendFileSync(join(dir, newest), '{"type":"evicted","v":1,"unit":"torn-tail","ts":1');
    const torn = run(['replay', dir]);
    expect(torn.code).toBe(0);
    expect(torn.stdout).not.toContain('torn-tail');
    expect(lines(torn.stdout).filter((e) => e.type === 'sample')).toEqual(replayed);
    const drops = lines(torn.stdout).filter((e) => e.type === 'dropped' && e.source === 'replay');
    expect(drops).toEqual([expect.objectContaining({ reason: 'bad-line', count: expect.any(Number) })]);
    // appended to a stream that lacks its trailer, the text decodes as garbage up to where it stops decoding at all:
    // one or two bad lines (the junk, the undecodable rest), each named on stderr
    expect(drops[0]!.count).toBeGreaterThanOrEqual(1);
    expect(drops[0]!.count).toBeLessThanOrEqual(2);
    const notes = torn.stderr.split('\n').filter(Boolean);
    expect(notes).toHaveLength(drops[0]!.count as number);
    for (const note of notes) expect(note.startsWith(`procstream: ${newest}:`)).toBe(true);
    expect(run(['replay', dir, '--strict']).code).toBe(65);
  }, 15_000);

  it('filters by unit and by a time range whose end is exclusive', () => {
    const r = run(['replay', fixture, '--unit', 'a1b2c3d4e5f60718', '--since', '2026-11-20T09:00:10Z', '--until', '2026-11-20T09:00:12Z']);
    const all = lines(r.stdout);
    // The reader's own report of the fixture's torn line passes every filter (replay's docs), as without --until.
    expect(all.filter((e) => e.type === 'dropped').map((e) => [e.unit, e.source])).toEqual([['*', 'replay']]);
    const events = all.filter((e) => e.type !== 'dropped');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.unit).toBe('a1b2c3d4e5f60718');
      expect(e.ts as number).toBeGreaterThanOrEqual(Date.parse('2026-11-20T09:00:10Z'));
      expect(e.ts as number).toBeLessThan(Date.parse('2026-11-20T09:00:12Z'));
    }
    expect(events.map((e) => e.ts)).toEqual([...events.map((e) => e.ts as number)].sort((a, b) => a - b));
  });
});

describe('procstream summarize (built)', () => {
  /** The systemg lines of the fixture that parse, as a reference computed without procstream. */
  const reference = (hash: string) => readdirSync(fixture).sort().flatMap((f) => readFileSync(join(fixture, f), 'utf8').split('\n'))
    .flatMap((l) => { try { return [JSON.parse(l) as { unit_hash: string; sample: { cpu_percent: number; rss_bytes: number } }]; } catch { return []; } })
    .filter((l) => l.unit_hash === hash && (l.sample.cpu_percent !== 0 || l.sample.rss_bytes !== 0));

  it('summarizes the systemg fixture per unit, reporting the torn line with its file and number', () => {
    const dir = tmp('sg');
    cpSync(fixture, dir, { recursive: true });
    const r = run(['summarize', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('procstream: metrics-1795165799.jsonl:4: Unterminated string in JSON at position 76: {"unit_hash":"3f9a1c0e5b7d2a41","sample"…\n');
    const summaries = lines(r.stdout);
    expect(summaries.map((s) => s.unit)).toEqual(['3f9a1c0e5b7d2a41', '9c2e7b1d4f6a8035', 'a1b2c3d4e5f60718']);
    for (const s of summaries) {
      const ref = reference(s.unit as string);
      const cpu = ref.map((l) => l.sample.cpu_percent);
      expect(s).toMatchObject({ type: 'summary', upSamples: ref.length, stale: false });
      expect((s.cpuPercent as { mean: number }).mean).toBeCloseTo(cpu.reduce((a, b) => a + b, 0) / cpu.length, 2);
      expect((s.cpuPercent as { max: number }).max).toBeCloseTo(Math.max(...cpu), 2);
    }
  });

  it('reads stdin too, and draws a table on a terminal', () => {
    const files = readdirSync(fixture).map((f) => join(fixture, f)).join(' ');
    const viaStdin = shell(`cat ${files} | ${procstream} summarize -`);
    expect(viaStdin.stdout).toBe(run(['summarize', fixture]).stdout);
    expect(viaStdin.stderr).toContain('procstream: stdin:');
    const tty = shell(`script -qfec ${JSON.stringify(`${procstream} summarize ${fixture}`)} /dev/null`);
    expect(tty.stdout).toMatch(/UNIT\s+STATE\s+SAMPLES\s+CPU% MEAN/);
    expect(tty.stdout).toMatch(/a1b2c3d4e5f60718\s+up\s+\d+\/\d+/);
  });
});

describe('procstream summarize: limits, progress and signals (built)', () => {
  /** `lines` sample events of five units, one every 200 ms: about 225 bytes a line. */
  function events(lines: number): string {
    return Array.from({ length: lines }, (_, i) => JSON.stringify({ type: 'sample', v: 1, unit: `u${i % 5}`, ts: 1795165200000 + i * 200,
      pid: 7, startTimeMs: 1, cpuPercent: i % 100, cpuUserSeconds: 1, cpuSystemSeconds: 0, rssBytes: 1048576,
      ioReadBytes: 0, ioWriteBytes: 0, missing: {} })).map((l) => `${l}\n`).join('');
  }

  it('rejects a line longer than --max-line by number, and keeps going (or exits 65 under --strict)', () => {
    const file = join(tmp('maxline'), 'long.ndjson');
    const long = JSON.stringify({ type: 'sample', unit: 'x'.repeat(5_000) });
    writeFileSync(file, `${events(2)}${long}\n${events(3).split('\n')[2]}\n`);
    const r = run(['summarize', file, '--max-line', '1KiB']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^procstream: [^\n]*long\.ndjson:3: line longer than 1024 bytes: \{"type":"sample","unit":"xxx/);
    expect(lines(r.stdout).map((s) => [s.unit, s.samples])).toEqual([['u0', 1], ['u1', 1], ['u2', 1]]); // u2 comes after the long line
    expect(run(['summarize', file, '--max-line', '1KiB', '--strict']).code).toBe(65);
  });

  it('draws a progress bar on stderr for a big input only when stderr is a terminal', () => {
    const dir = tmp('progress');
    writeFileSync(join(dir, 'big.ndjson'), events(8_000)); // 1.8 MB
    writeFileSync(join(dir, 'small.ndjson'), events(100));
    const onTty = (name: string) => shell(`script -qfec ${JSON.stringify(`${procstream} summarize ${join(dir, name)} --format ndjson`)} /dev/null`).stdout;
    expect(onTty('big.ndjson')).toMatch(/\r[^\r\n]*big\.ndjson \[[█░]+\]\s+\d+%/);
    expect(onTty('small.ndjson')).not.toContain('\r/');
    const piped = run(['summarize', join(dir, 'big.ndjson')]);
    expect(piped.stderr).toBe('');
    expect(lines(piped.stdout)).toHaveLength(5);
  });

  it('prints the final summaries of what it read when SIGTERM arrives while stdin is still open', async () => {
    const child = start(['summarize', '-']);
    started.push(child);
    const out = collect(child);
    // a bad last line: its report on stderr tells that the ten events before it have been read
    child.stdin!.write(`${events(10)}not json\n`);
    let err = '';
    await new Promise<void>((resolve) => child.stderr!.on('data', (c: Buffer) => { if ((err += c.toString()).includes('stdin:11:')) resolve(); }));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(lines(out.text()).map((s) => [s.type, s.unit, s.samples])).toEqual([0, 1, 2, 3, 4].map((u) => ['summary', `u${u}`, 2]));
  });
});

describe('procstream inspect (built)', () => {
  const T0 = Date.parse('2026-11-26T10:00:00Z');
  const MiB = 1024 * 1024;
  /** 60 s of api: CPU i %, RSS 100+i MiB at second i, but down from 20 s and unsampled until 30 s. */
  function history(): string {
    const file = join(tmp('inspect'), 'api.ndjson');
    const rows = Array.from({ length: 60 }, (_, i) => i).flatMap((i): object[] => {
      if (i > 20 && i < 30) return [];
      if (i === 20) return [{ type: 'unit-down', v: 1, unit: 'api', ts: T0 + i * 1000, reason: 'exited' }];
      return [{ type: 'sample', v: 1, unit: 'api', ts: T0 + i * 1000, pid: 42, startTimeMs: T0 - 5000, cpuPercent: i,
        cpuUserSeconds: i, cpuSystemSeconds: 0, rssBytes: (100 + i) * MiB, ioReadBytes: 0, ioWriteBytes: 0, missing: {} }];
    });
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"type":"sample","unit":"other"}\n`);
    return file;
  }

  it('draws both charts on a time axis and prints min, mean, p95 and max', () => {
    const r = run(['inspect', 'api', '--from', history(), '--window', '1m']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/:52: not an event: \{"type":"sample","unit":"other"\}\n$/);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe('api · last 1m · 09:59:59–10:00:59 · 50 samples, 1 down · events: ↻ restart, × down');
    // The 10 s down (of 60 s, on 67 columns) marked under the CPU chart, from about the 24th column.
    expect(out.find((l) => l.includes('events  '))).toMatch(/^ {4}events {20,30}×{10,13}$/);
    const axes = out.filter((l) => /^\s+09:59:59\s+10:00:29\s+10:00:59$/.test(l));
    expect(axes).toHaveLength(2); // one time axis under each chart
    // values 0–19 and 30–59 (i = 20 is the down marker): mean 30.5, p95 by nearest rank 57
    expect(out).toContain('CPU %          0.0      30.5      57.0      59.0');
    expect(out).toContain('RSS      100.0 MiB 130.5 MiB 157.0 MiB 159.0 MiB');
  });

  it('draws the time the unit was down as a gap, not as zeros', () => {
    const out = run(['inspect', 'api', '--from', history(), '--window', '1m']).stdout.split('\n');
    const top = out.indexOf('CPU % (100 = one core)') + 1;
    const chart = out.slice(top, out.findIndex((l, i) => i > top && l.includes('└')));
    // 67 columns for 60 s: the down time, 20 s to 30 s after the start (09:59:59), is columns 24 to 33
    const column = (c: number) => chart.map((l) => l[12 + c] ?? ' ').join('');
    for (const c of [26, 28, 30]) expect(column(c).trim()).toBe('');
    for (const c of [10, 50]) expect(column(c).trim()).not.toBe('');
  });

  it('samples a unit live by command name for --count rounds', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    void child;
    const r = run(['inspect', 'node', '--count', '3', '--interval', '200ms', '--window', '10s']);
    expect(r.code).toBe(0);
    // The axis spans the data present (about two intervals), not the 10 s window.
    expect(r.stdout).toMatch(/^node · last \d+ms · \d\d:\d\d:\d\d–\d\d:\d\d:\d\d · 3 samples, 0 down\n/);
  });

  it('stops at once, exit 1, when no process of that name runs, instead of waiting out the window', () => {
    const t0 = Date.now();
    const r = run(['inspect', 'procstream-no-such-command']);
    expect(Date.now() - t0).toBeLessThan(10_000); // the default window is 15 minutes
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("procstream: no process named 'procstream-no-such-command' is running");
  });
});

describe('exit codes (built)', () => {
  it('exits 0, 2, 65 and 1 as documented', () => {
    expect(run(['summarize', fixture]).code).toBe(0);
    expect(run(['watch', '--count', 'three']).code).toBe(2);
    expect(run(['summarize', fixture, '--strict']).code).toBe(65);
    const missing = run(['inspect', 'api', '--from', '/tmp/procstream-no-such.ndjson']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')).toHaveLength(2); // one line, no stack
  });
});
