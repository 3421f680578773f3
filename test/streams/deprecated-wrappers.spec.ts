import { from, lastValueFrom, type Observable, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestAndSummarize } from '../../src/streams/ingest-and-summarize.js';
import { ingestInto } from '../../src/streams/ingest-into.js';
import { storeAndSummarize } from '../../src/streams/store-and-summarize.js';
import { summaries } from '../../src/streams/summaries.js';
import { summarize } from '../../src/streams/summarize.js';
import { windowedStore } from '../../src/streams/windowed-store.js';
import { down, sample } from '../../src/testing/index.js';

// The deprecated names are thin wrappers: each gives what its replacement gives on the same input.
const events: MetricEvent[] = [
  ...Array.from({ length: 80 }, (_, i) => sample(`u${i % 3}`, i * 1_000, { cpuPercent: i % 7 })),
  down('u1', 80_000), sample('u0', 500), // an out-of-order sample, evicted at once
];
const run = (ops: (events$: Observable<MetricEvent>) => Observable<MetricEvent>) =>
  lastValueFrom(ops(from(events)).pipe(toArray()));
const options = { clock: 'events' as const, maxMemoryBytes: 2_000, retentionMs: 30_000 };

describe('deprecated wrappers', () => {
  it('windowedStore is ingestInto(createWindowStore()) with the store\'s queries on the operator', async () => {
    const old = windowedStore(options);
    const store = createWindowStore(options);
    expect(await run((e$) => e$.pipe(old))).toEqual(await run((e$) => e$.pipe(ingestInto(store))));
    expect(old.units()).toEqual(store.units());
    for (const unit of store.units()) expect(old.window(unit)).toEqual(store.window(unit));
    expect(old.summary('u0')).toEqual(store.summary('u0'));
    expect([old.bytesUsed(), old.now(), old.retentionMs]).toEqual([store.bytesUsed(), store.now(), store.retentionMs]);
  });

  it('summarize({ store }) is summaries(store) and storeAndSummarize({ store }) is ingestAndSummarize(store)', async () => {
    const [a, b] = [createWindowStore(options), createWindowStore(options)];
    const combinedOld = await run((e$) => e$.pipe(storeAndSummarize({ store: a, everyMs: 10_000 })));
    expect(combinedOld).toEqual(await run((e$) => e$.pipe(ingestAndSummarize(b, { everyMs: 10_000 }))));
    expect(combinedOld.filter((e) => e.type === 'summary').length).toBeGreaterThan(3);
    expect(await run((e$) => e$.pipe(summarize({ store: a, everyMs: 5_000 }))))
      .toEqual(await run((e$) => e$.pipe(summaries(b, { everyMs: 5_000 }))));
  });
});
