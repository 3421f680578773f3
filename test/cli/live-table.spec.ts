import { PassThrough } from 'node:stream';
import { Subject, lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { toLiveTable } from '../../src/cli/live-table.js';
import type { UnitRow } from '../../src/cli/render-table.js';
import { heldWritable } from '../helpers/held-writable.js';

const row = (unit: string): UnitRow => ({
  unit, pid: 1, processes: 1, up: true, cpuPercent: 1, rssBytes: 1_024, ioReadBytesPerSec: null, ioWriteBytesPerSec: null, samples: 1, cpuHistory: [],
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
    expect(frames[0]).toMatch(/^UNIT.*\x1b\[K\na .*\x1b\[K\n\x1b\[J$/);
    expect(frames[1]).toContain('b ');
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
