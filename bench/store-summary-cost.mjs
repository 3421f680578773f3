// What a summary costs in a store that has run for hours: fills a tiered store (DEFAULT_TIER_PLAN, 10 MiB) with
// `units` units at 1 Hz for `hours` of event time (untimed), then runs `rounds` rounds of 10 s of samples followed by
// one summary of every unit, timing ingest and summaries apart in CPU time. Prints one JSON line.
// Usage: node bench/store-summary-cost.mjs [units=1000] [hours=12] [rounds=60] [--dist DIR]
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { feedSecond } from './_tier-fill.mjs';

const i = process.argv.indexOf('--dist');
const dist = i < 0 ? new URL('../dist/', import.meta.url).href
  : pathToFileURL(`${isAbsolute(process.argv[i + 1]) ? process.argv[i + 1] : resolve(process.argv[i + 1])}/`).href;
const positional = process.argv.slice(2).filter((a, k, all) => a !== '--dist' && all[k - 1] !== '--dist');
const [units = 1000, hours = 12, rounds = 60] = positional.map(Number);
const { WindowStore } = await import(`${dist}store/window-store.js`);
const { DEFAULT_TIER_PLAN } = await import(`${dist}store/tiers.js`);
const { sample } = await import(`${dist}testing/index.js`);

const store = new WindowStore({ retentionMs: 12 * 3_600_000, maxMemoryBytes: 10 * 1024 * 1024, tiers: DEFAULT_TIER_PLAN });
const names = Array.from({ length: units }, (_, u) => `unit-${u}`);
const samples = names.map((name, u) => sample(name, 0, { pid: 1000 + u, missing: {} }));
const t0 = 1_795_000_000_000;
const emit = () => {};
let s = 0;
const second = () => feedSecond(store, samples, t0, s++, emit);
while (s < hours * 3600) second();
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
let ingestSeconds = 0, summarySeconds = 0;
for (let r = 0; r < rounds; r++) {
  let start = cpu();
  for (let k = 0; k < 10; k++) second();
  ingestSeconds += cpu() - start;
  start = cpu();
  for (const unit of names) store.summary(unit, { now: t0 + (s - 1) * 1000, intervalMs: 1000 });
  summarySeconds += cpu() - start;
}
let buckets = 0;
for (const unit of names) buckets += store.bucketCount(unit);
console.log(JSON.stringify({
  dist, units, hours, rounds, bucketsPerUnit: buckets / units,
  ingestNsPerSample: Math.round((ingestSeconds * 1e9) / (rounds * 10 * units)),
  summaryNs: Math.round((summarySeconds * 1e9) / (rounds * units)),
  samplesPerSecWithSummariesEvery10s: Math.round((rounds * 10 * units) / (ingestSeconds + summarySeconds)),
}));
