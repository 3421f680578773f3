import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { spillover } from '../../src/sinks/spillover.js';
import { readNdjson } from '../../src/sources/read-ndjson.js';
import { replay } from '../../src/sources/replay.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestAndSummarize } from '../../src/streams/ingest-and-summarize.js';
import { sample, tick } from '../../src/testing/index.js';
import { tempDir } from '../helpers/spill-dir.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

// `tick` events are data: read back, replayed and ignored by the store like any event that is not a row.
describe('tick events', () => {
  const events: MetricEvent[] = [sample('api', 1_000), tick(1_000, { lagMs: 4, samplingMs: 0.75, missed: 1, units: 3, processes: 7 })];

  it('are read back from NDJSON unchanged, and a malformed one is a bad line', async () => {
    const bad = JSON.stringify({ ...tick(2_000), lagMs: 'late' });
    const text = `${events.map((e) => JSON.stringify(e)).join('\n')}\n${bad}\n`;
    const badLines: unknown[] = [];
    const read = await lastValueFrom(readNdjson(Readable.from([Buffer.from(text)]), { onBadLine: (b) => badLines.push(b) }).pipe(toArray()));
    expect(read).toEqual(events);
    expect(badLines).toEqual([expect.objectContaining({ line: 3 })]);
  });

  it('are replayed from a spill of every event', async () => {
    const dir = tempDir('procstream-tick-');
    dirs.push(dir);
    await lastValueFrom(from(events).pipe(spillover({ dir, events: 'all' })), { defaultValue: undefined });
    expect(await lastValueFrom(replay(dir).pipe(toArray()))).toEqual(events);
  });

  it('pass through the store without becoming a unit or a row', async () => {
    const store = createWindowStore({ clock: 'events' });
    const out = await lastValueFrom(from(events).pipe(ingestAndSummarize(store, { everyMs: 60_000 }), toArray()));
    expect(out.map((e) => e.type)).toEqual(['sample', 'tick', 'summary']);
    expect(store.units()).toEqual(['api']);
    expect(store.size('api')).toBe(1);
  });
});
