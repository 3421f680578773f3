import { PassThrough } from 'node:stream';
import { config, lastValueFrom, of, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { toLiveTable } from '../../src/cli/live-table.js';
import type { UnitRow } from '../../src/cli/render-table.js';
import { heldWritable } from '../helpers/held-writable.js';
import { pulledUntilStopped } from '../helpers/pulled.js';

const row = (unit: string): UnitRow => ({
  unit, pid: 1, processes: 1, up: true, cpuPercent: 1, rssBytes: 1_024, ioReadBytesPerSec: null, ioWriteBytesPerSec: null, samples: 1, cpuHistory: [],
  restarts: 0, uptimeMs: null, downReason: null,
});

afterEach(() => { config.onUnhandledError = null; });

// The operator anatomy of toLiveTable (src/streams/operate.ts): callback throws and teardown order.
describe('toLiveTable anatomy', () => {
  it('turns a throwing columns() callback into the error notification and shows the cursor again', async () => {
    const unhandled: unknown[] = [];
    config.onUnhandledError = (e) => unhandled.push(e);
    const out = new PassThrough();
    let written = '';
    out.on('data', (c: Buffer) => { written += c.toString(); });
    const columns = () => { throw new Error('no terminal'); };
    await expect(lastValueFrom(of([row('a')]).pipe(toLiveTable(out, { color: false, columns })), { defaultValue: undefined }))
      .rejects.toThrow('no terminal');
    await new Promise((r) => setImmediate(r));
    expect(written.endsWith('\x1b[?25h')).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('turns a throw while drawing the newest frame on drain into the error notification', async () => {
    const unhandled: unknown[] = [];
    config.onUnhandledError = (e) => unhandled.push(e);
    const { out, release } = heldWritable();
    let calls = 0;
    const columns = () => { if (++calls > 1) throw new Error('resized away'); return 40; };
    const errors: unknown[] = [];
    const frames = new Subject<UnitRow[]>();
    frames.pipe(toLiveTable(out, { color: false, columns })).subscribe({ error: (e: unknown) => errors.push(e) });
    frames.next([row('first')]); // drawn at once; the terminal is slow
    frames.next([row('second')]); // kept for the drain, where columns() throws
    while (release()) await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([new Error('resized away')]);
    expect(unhandled).toEqual([]);
  });

  it('stops a synchronous source when unsubscribed', async () => {
    const out = new PassThrough();
    out.resume();
    expect(await pulledUntilStopped((i) => [row(`u${i}`)], toLiveTable(out, { color: false }))).toBe(2);
  });
});
