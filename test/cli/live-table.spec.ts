import { PassThrough } from 'node:stream';
import { Subject, lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { toLiveTable } from '../../src/cli/live-table.js';
import type { UnitRow } from '../../src/cli/render-table.js';
import { heldWritable } from '../helpers/held-writable.js';

const row = (unit: string): UnitRow => ({
  unit, pid: 1, processes: 1, up: true, cpuPercent: 1, rssBytes: 1_024, ioReadBytesPerSec: null, ioWriteBytesPerSec: null, samples: 1, cpuHistory: [],
  restarts: 0, uptimeMs: 1_000, downReason: null,
});

function collect(out: PassThrough): () => string {
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
}

describe('toLiveTable', () => {
  it('hides the cursor, redraws each frame from home, and shows the cursor at the end', async () => {
    const out = new PassThrough();
    const text = collect(out);
    await lastValueFrom(of([row('a')], [row('b')]).pipe(toLiveTable(out, { color: false })), { defaultValue: undefined });
    const s = text();
    expect(s.startsWith('\x1b[?25l')).toBe(true);
    expect(s.endsWith('\x1b[?25h')).toBe(true);
    const frames = s.split('\x1b[H').slice(1);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^UNIT.*\x1b\[K\na .*\x1b\[K\x1b\[J$/); // no newline after the last line: nothing scrolls
    expect(frames[1]).toContain('b ');
  });

  it('never writes more lines than the terminal has rows, keeping the header on top', async () => {
    const out = new PassThrough();
    const text = collect(out);
    const rows = Array.from({ length: 40 }, (_, i) => row(`unit${i}`));
    await lastValueFrom(of(rows).pipe(toLiveTable(out, { color: false, columns: () => 80, rows: () => 24, sortKey: () => 'cpu' })), { defaultValue: undefined });
    const frame = text().split('\x1b[H')[1] ?? '';
    const lines = frame.split('\n');
    expect(lines).toHaveLength(24); // 23 newlines: the cursor never leaves row 24, so the screen does not scroll
    expect(lines[0]).toMatch(/^UNIT/);
    expect(lines[23]).toMatch(/^\+18 more \(sorted by cpu\)/);
    for (const line of lines) expect(line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').length).toBeLessThan(80);
  });

  it('restores the cursor when unsubscribed early', () => {
    const out = new PassThrough();
    const text = collect(out);
    const frames = new Subject<UnitRow[]>();
    const sub = frames.pipe(toLiveTable(out, { color: false })).subscribe();
    frames.next([row('a')]);
    sub.unsubscribe();
    out.end();
    return new Promise<void>((resolve) => out.on('end', () => {
      expect(text().endsWith('\x1b[?25h')).toBe(true);
      resolve();
    }));
  });

  it('draws only the newest frame once a slow terminal drains', async () => {
    const { out, written, release } = heldWritable();
    const frames = new Subject<UnitRow[]>();
    const done = lastValueFrom(frames.pipe(toLiveTable(out, { color: false, columns: () => 40 })), { defaultValue: undefined });
    frames.next([row('first')]);
    frames.next([row('second')]);
    frames.next([row('third')]);
    while (release()) await new Promise((r) => setImmediate(r));
    frames.complete();
    while (release());
    await done;
    const drawn = written.join('');
    expect(drawn).toContain('first');
    expect(drawn).not.toContain('second');
    expect(drawn).toContain('third');
  });
});
