// What a summary costs in a store that has run for hours: fills a tiered store (DEFAULT_TIER_PLAN, 10 MiB) with
// `units` units at 1 Hz for `hours` of event time (untimed), then runs `rounds` rounds of 10 s of samples followed by
// one summary of every unit, timing ingest and summaries apart in CPU time. Prints one JSON line per build.
// With `--against DIR` it loads a second build (another build's dist/ copied aside) into the same process, fills a
// store of each, and alternates their rounds (A, B, B, A, …), so that both see the same minutes of a shared machine.
// Usage: node bench/store-summary-cost.mjs [units=1000] [hours=12] [rounds=60] [--dist DIR] [--against DIR]
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { feedSecond } from './_tier-fill.mjs';

const flag = (name) => { const i = process.argv.indexOf(name); return i < 0 ? undefined : process.argv[i + 1]; };
const urlOf = (dir) => (dir === undefined ? new URL('../dist/', import.meta.url).href
  : pathToFileURL(`${isAbsolute(dir) ? dir : resolve(dir)}/`).href);
const positional = process.argv.slice(2).filter((a, k, all) => !a.startsWith('--') && !all[k - 1]?.startsWith('--'));
const [units = 1000, hours = 12, rounds = 60] = positional.map(Number);
const names = Array.from({ length: units }, (_, u) => `unit-${u}`);
const t0 = 1_795_000_000_000;
const emit = () => {};
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };

/** A store of build `dist` filled for `hours`, and a function that runs one timed round on it. */
async function filled(dist) {
  const { WindowStore } = await import(`${dist}store/window-store.js`);
  const { DEFAULT_TIER_PLAN } = await import(`${dist}store/tiers.js`);
  const { sample } = await import(`${dist}testing/index.js`);
  const store = new WindowStore({ retentionMs: 12 * 3_600_000, maxMemoryBytes: 10 * 1024 * 1024, tiers: DEFAULT_TIER_PLAN });
  const samples = names.map((name, u) => sample(name, 0, { pid: 1000 + u, missing: {} }));
  let s = 0;
  const second = () => feedSecond(store, samples, t0, s++, emit);
  while (s < hours * 3600) second();
  const run = { dist, ingestSeconds: 0, summarySeconds: 0, rounds: 0 };
  run.round = () => {
    let start = cpu();
    for (let k = 0; k < 10; k++) second();
    run.ingestSeconds += cpu() - start;
    start = cpu();
    for (const unit of names) store.summary(unit, { now: t0 + (s - 1) * 1000, intervalMs: 1000 });
    run.summarySeconds += cpu() - start;
    run.rounds++;
  };
  run.bucketsPerUnit = () => names.reduce((n, unit) => n + store.bucketCount(unit), 0) / units;
  return run;
}

const runs = [await filled(urlOf(flag('--dist')))];
if (flag('--against') !== undefined) runs.push(await filled(urlOf(flag('--against'))));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? runs : [...runs].reverse();
  for (const run of order) run.round();
}
for (const run of runs) {
  console.log(JSON.stringify({
    dist: run.dist, units, hours, rounds, bucketsPerUnit: run.bucketsPerUnit(),
    ingestNsPerSample: Math.round((run.ingestSeconds * 1e9) / (rounds * 10 * units)),
    summaryNs: Math.round((run.summarySeconds * 1e9) / (rounds * units)),
    samplesPerSecWithSummariesEvery10s: Math.round((rounds * 10 * units) / (run.ingestSeconds + run.summarySeconds)),
  }));
}
