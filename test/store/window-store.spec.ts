import { describe, expect, it } from 'vitest';
import { WindowStore, type StoreEvent } from '../../src/store/window-store.js';
import { sample, unitAdded } from '../../src/testing/index.js';

// Sweeps skip their pass over every unit until the cutoff passes the oldest ts the store may hold; these pin that the
// skip never hides a row or an idle unit that an older event brought in after a sweep.
describe('WindowStore sweep', () => {
  const limits = { retentionMs: 1_000, maxMemoryBytes: 1024 * 1024 };
  type StoreInput = Parameters<WindowStore['ingest']>[0];

  /** Ingests a row of `a` at 10 s and sweeps; then `late`, older than every row, arrives and the store sweeps again. */
  function sweepAfter(late: StoreInput) {
    const store = new WindowStore(limits);
    const out: StoreEvent[] = [];
    store.ingest(sample('a', 10_000), 10_000, (e) => out.push(e));
    store.sweep(10_500, (e) => out.push(e));
    store.ingest(late, 10_500, (e) => out.push(e));
    store.sweep(10_600, (e) => out.push(e));
    return { store, out: out.map((e) => [e.type, e.unit]) };
  }

  it('evicts a row older than every row seen when the previous sweep ran', () => {
    expect(sweepAfter(sample('b', 2_000)).out).toEqual([['evicted', 'b'], ['unit-removed', 'b']]);
  });

  it('removes a unit whose only activity is older than every row', () => {
    const { store, out } = sweepAfter(unitAdded('b', 3_000));
    expect(out).toEqual([['unit-removed', 'b']]);
    expect(store.units()).toEqual(['a']);
  });

  it("evicts, at each sweep, exactly the rows past that sweep's cutoff", () => {
    const store = new WindowStore(limits);
    const out: StoreEvent[] = [];
    for (let ts = 0; ts <= 3_000; ts += 500) store.ingest(sample('a', ts), ts, (e) => out.push(e));
    store.sweep(2_000, (e) => out.push(e));
    expect(out.map((e) => e.type === 'evicted' && e.event.ts)).toEqual([0, 500]);
    store.sweep(3_000, (e) => out.push(e));
    expect(out.map((e) => e.type === 'evicted' && e.event.ts)).toEqual([0, 500, 1_000, 1_500]);
  });
});
