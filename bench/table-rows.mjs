// CPU cost of one live-table round (`unitRows`: newest row, 5-interval summary, the 30-interval trend and the
// observation count, all through series()/summary()) over a full store, tiers on (the default) against tiers off
// (raw rows, as before tiers were on by default), interleaved, in CPU time (process.cpuUsage); best of 5 each.
// Usage: node bench/table-rows.mjs [units=1000] [hours=12]
import { createWindowStore } from '../dist/index.js';
import { unitRows } from '../dist/cli/unit-rows.js';

const units = Number(process.argv[2] ?? 1000);
const hours = Number(process.argv[3] ?? 12);
const T0 = Date.parse('2026-11-26T00:00:00Z');
const seconds = hours * 3600;

function filled(tiers) {
  const store = createWindowStore({ clock: 'events', ...(tiers ? {} : { tiers: false }) });
  const s = { type: 'sample', v: 1, unit: '', ts: 0, pid: 0, startTimeMs: 1, cpuPercent: 0, rssBytes: 0, cpuUserSeconds: 0, cpuSystemSeconds: 0, ioReadBytes: 0, ioWriteBytes: 0 };
  const names = Array.from({ length: units }, (_, u) => `unit-${u}`);
  const noop = () => {};
  for (let t = 0; t < seconds; t++) {
    for (let u = 0; u < units; u++) {
      s.unit = names[u]; s.ts = T0 + t * 1000 + 20_000; s.pid = 1000 + u; s.cpuPercent = (t + u) % 100; s.rssBytes = 4096 * (1000 + (t % 600));
      s.ioReadBytes = t * 4096; s.cpuUserSeconds = t * 0.01;
      store.ingest(s, noop);
    }
  }
  return store;
}

function round(store) {
  const start = process.cpuUsage();
  const rows = unitRows(store, 1000);
  const used = process.cpuUsage(start);
  if (rows.length !== units) throw new Error(`expected ${units} rows, got ${rows.length}`);
  return (used.user + used.system) / 1e3;
}

const fillStart = process.cpuUsage();
const stores = { tiers: filled(true), raw: filled(false) };
const fill = process.cpuUsage(fillStart);
const ms = { tiers: [], raw: [] };
for (let i = 0; i < 5; i++) for (const k of ['tiers', 'raw']) ms[k].push(round(stores[k]));
const best = (a) => Math.min(...a);
console.log(`units ${units}, ${hours} h at 1 Hz (fill ${((fill.user + fill.system) / 1e6).toFixed(1)} s CPU for both stores)`);
console.log(`tiers on : ${best(ms.tiers).toFixed(1)} ms CPU a round (runs ${ms.tiers.map((x) => x.toFixed(0)).join(' ')}), ${stores.tiers.bytesUsed()} bytes`);
console.log(`tiers off: ${best(ms.raw).toFixed(1)} ms CPU a round (runs ${ms.raw.map((x) => x.toFixed(0)).join(' ')}), ${stores.raw.bytesUsed()} bytes`);
console.log(`ratio tiers/raw: ${(best(ms.tiers) / best(ms.raw)).toFixed(2)}`);
