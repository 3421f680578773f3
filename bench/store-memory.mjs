// Fills a window store to its memory budget and measures what it really costs: heap plus ArrayBuffer growth after
// full GCs, against the budget and per retained row. Run with --expose-gc. Prints one JSON line.
// Usage: node --expose-gc bench/store-memory.mjs [units=1000] [budgetBytes=10485760]
import { Subject } from 'rxjs';
import { createWindowStore, ingestInto } from '../dist/index.js';
import { sample } from '../dist/testing/index.js';
import { settle, used } from './_heap.mjs';

const units = Number(process.argv[2] ?? 1000);
const budget = Number(process.argv[3] ?? 10 * 1024 * 1024);
const names = Array.from({ length: units }, (_, i) => `unit-${i}`);

/** Feeds a new store until its budget has been full for a while; returns the store and its budget evictions. */
function fill(maxMemoryBytes) {
  // Raw rows only: this measures what a retained row costs against the budget (tiers bound a unit's memory by their
  // widths, so a tiered store of few units never fills its budget; bench/store-tiers-memory.mjs measures tiers).
  const store = createWindowStore({ maxMemoryBytes, retentionMs: 1e12, clock: 'events', tiers: false });
  const input = new Subject();
  let budgetEvictions = 0;
  input.pipe(ingestInto(store)).subscribe((e) => { if (e.type === 'evicted') budgetEvictions++; });
  let t = 0;
  for (let round = 0; budgetEvictions === 0 || round % 64 !== 0; round++) {
    t += 1000;
    for (let u = 0; u < units; u++) {
      input.next(sample(names[u], t, { cpuPercent: (u % 100) + 0.5, cpuUserSeconds: t / 1e4, cpuSystemSeconds: t / 1e5,
        rssBytes: 4096 * (1000 + u), ioReadBytes: t * 10, ioWriteBytes: t * 20 }));
    }
  }
  return { store, budgetEvictions };
}

// Warm-up: run the same code once on a small store and drop it, so that compiled code and inline caches, which V8
// keeps in the heap too, are not counted as the store's memory.
fill(256 * 1024);
await settle();
const before = used();
const { store, budgetEvictions } = fill(budget);
await settle();
const growth = used() - before;
const rows = store.units().reduce((n, u) => n + store.window(u).length, 0);
await settle();

// The peer in the same run: the same number of rows kept as plain sample objects in per-unit arrays.
const naiveBefore = used();
const naive = names.map(() => []);
for (let i = 0; i < rows; i++) {
  const u = i % units;
  naive[u].push(sample(names[u], 1_000 * i, { cpuPercent: (u % 100) + 0.5, cpuUserSeconds: i / 1e4, cpuSystemSeconds: i / 1e5,
    rssBytes: 4096 * (1000 + u), ioReadBytes: i * 10, ioWriteBytes: i * 20, missing: {} }));
}
await settle();
const naiveBytesPerRow = (used() - naiveBefore) / rows;
if (naive.length !== units) throw new Error('unreachable: keeps `naive` alive until measured');

console.log(JSON.stringify({
  units, budgetBytes: budget, bytesUsed: store.bytesUsed(), measuredGrowthBytes: growth,
  growthVsBudget: Number((growth / budget).toFixed(4)), retainedRows: rows,
  bytesPerRetainedRow: Number((growth / rows).toFixed(2)), budgetEvictions,
  naiveObjectBytesPerRow: Number(naiveBytesPerRow.toFixed(1)), naiveVsStore: Number((naiveBytesPerRow / (growth / rows)).toFixed(2)),
}));
