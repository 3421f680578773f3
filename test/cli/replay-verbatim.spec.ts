import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { encodeLogLine } from '../../src/formats/log-line.js';
import { segmentName } from '../../src/formats/segment-names.js';
import { replay, type ReplayOptions } from '../../src/sources/replay.js';
import { down, evicted, sample } from '../../src/testing/index.js';
import { fakeIo } from './fake-io.js';

// `replay` writes the line it read when that line is its event's own serialization (formats/verbatim.ts). The
// promise: stdout is byte for byte what serializing every event gives (the path without the slot), on lines of
// every form: ours, evictions, log lines with constant text left out, and lines the reader must not copy.
const T = Date.parse('2026-11-20T09:00:00Z');
const row = (unit: string, i: number) => sample(unit, T + i * 1000, { pid: 4000 + i, cpuPercent: 2.0120724346076475 + i });
const ordinary = [
  JSON.stringify(row('api', 0)),
  JSON.stringify(evicted('retention', T + 60_000, row('db', 1))),
  JSON.stringify(evicted('budget', T + 60_000, down('db', T + 2000))),
  encodeLogLine({ ...row('api', 3), netRxBytes: null, netTxBytes: null, netScope: null, missing: { net: 'no per-process counters on Linux' } }).trimEnd(),
].join('\n');
const unusual = [
  JSON.stringify(row('api', 4)).replace(/"rssBytes":\d+/, '"rssBytes":1.50'), // a trailing zero: written as 1.5
  JSON.stringify(row('db', 5)).replace(/"cpuPercent":[\d.]+/, '"cpuPercent":0.30000000000000005'), // past the shortest
  JSON.stringify(evicted('retention', T + 60_000, row('api', 6))).replace(/"pid":\d+/, '"pid":4.006e3'), // an exponent in the row
  JSON.stringify(row('api', 7)).replace('"type":"sample"', '"type": "sample"'), // whitespace
  `${JSON.stringify(row('db', 8))}\r`, // CRLF
  JSON.stringify({ ...row('api', 9), missing: { 1: 'integer-like key', io: 'EACCES' } }), // V8 writes "1" first anyway
  'not json at all',
  JSON.stringify({ type: 'frobnicated', v: 1, unit: 'api', ts: T }),
  `${JSON.stringify(row('api', 10)).slice(0, 40)}`, // a torn line
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'procstream-replay-verbatim-'));
writeFileSync(join(dir, segmentName(1, T)), `${ordinary}\n${unusual}\n`);
writeFileSync(join(dir, segmentName(2, T)), `\uFEFF${ordinary}\n${unusual.replaceAll('\n', '\r\n')}\r\n`); // BOM, CRLF
writeFileSync(join(dir, segmentName(3, T, { compressed: true })), gzipSync(`${unusual}\n${ordinary}\n`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `dropped` event's `ts` is the wall clock when it was made: the one field two runs cannot share. */
const stable = (line: string) => line.replace(/^(\{"type":"dropped","v":1,"unit":"\*","ts":)\d+/, '$10');

/** What serializing every event of the library's replay writes, dropped timestamps made stable. */
async function serialized(options: ReplayOptions): Promise<string> {
  const events = await lastValueFrom(replay(dir, options).pipe(toArray()));
  return events.map((e) => stable(JSON.stringify(e))).join('\n');
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = fakeIo();
  const code = await main(['replay', dir, ...args], io);
  return { code, out: out().trimEnd().split('\n').map(stable).join('\n'), err: err() };
}

// prettier-ignore
describe('procstream replay writes lines through', () => {
  it('writes the same bytes as serializing every event, on lines of every form, plain and gzipped', async () => {
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(await serialized({}));
    for (const line of r.out.split('\n')) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    expect(r.out).toContain('"rssBytes":1.5,'); // the unusual lines were rewritten, not copied
    expect(r.out).toContain('"cpuPercent":0.30000000000000004,');
    expect(r.out).toContain('"pid":4006,');
    expect(r.out).toContain('"missing":{"net":"no per-process counters on Linux"}'); // put back into log lines
  });

  it('reports bad lines with file and line as before, and counts them in a dropped event per segment', async () => {
    const r = await cli([]);
    expect(r.err).toContain(`${segmentName(1, T)}:11: `); // 'not json at all'
    expect(r.err).toContain(`${segmentName(3, T, { compressed: true })}:7: `);
    expect(r.out.split('\n').filter((l) => l.startsWith('{"type":"dropped"'))).toHaveLength(3);
  });

  it('writes the same bytes under --unit, --since and --until', async () => {
    expect((await cli(['--unit', 'db'])).out).toBe(await serialized({ unit: 'db' }));
    expect((await cli(['--since', '2026-11-20T09:00:05Z'])).out).toBe(await serialized({ sinceMs: T + 5000 }));
    expect((await cli(['--until', '2026-11-20T09:00:06Z'])).out).toBe(await serialized({ beforeMs: T + 6000 }));
  });
});
