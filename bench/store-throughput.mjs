// Ingest throughput of a window store fed by ingestAndSummarize (or ingestInto alone) with many units, against peers in the same run:
// a Subject with a subscriber that only counts (the floor), and a naive store of plain objects in arrays.
// Each run is timed by CPU time (process.cpuUsage), which a shared machine disturbs less than wall time; best of 3.
// Usage: node bench/store-throughput.mjs [units=1000] [rounds=3000] [--tiers] [--dist DIR] [--only store|10s|60s]
//   (a round = one sample per unit = 1 s). --tiers: stores with DEFAULT_TIER_PLAN; --dist: the build to measure
//   (default ../dist), so one script can be run, interleaved, against another build's dist/ copied aside.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Subject } from 'rxjs';

const flag = (name) => { const i = process.argv.indexOf(name); return i < 0 ? undefined : process.argv[i + 1]; };
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !['--dist', '--only'].includes(all[i - 1]));
const distDir = flag('--dist');
const dist = distDir === undefined ? new URL('../dist/', import.meta.url).href
  : pathToFileURL(`${isAbsolute(distDir) ? distDir : resolve(distDir)}/`).href;
const { createWindowStore, ingestAndSummarize, ingestInto, DEFAULT_TIER_PLAN } = await import(`${dist}index.js`);
const { sample } = await import(`${dist}testing/index.js`);
const tiers = process.argv.includes('--tiers') ? DEFAULT_TIER_PLAN : false;
const only = flag('--only');

const units = Number(positional[0] ?? 1000);
const rounds = Number(positional[1] ?? 3000); // one round = one sample per unit = one second of event time
const names = Array.from({ length: units }, (_, i) => `unit-${i}`);
// One sample object per unit, re-stamped in place each round, so the figure is the pipeline's and not the cost of
// building objects (the store copies what it keeps into its columns; nothing downstream here holds on to samples).
const samples = names.map((name, u) => sample(name, 0, { pid: 1000 + u, cpuPercent: u % 100, rssBytes: 4096 * (1000 + u) }));

function feed(input) {
  let t = 0;
  for (let r = 0; r < rounds; r++) {
    t += 1000;
    for (let u = 0; u < units; u++) {
      const s = samples[u];
      s.ts = t; s.cpuUserSeconds = r * 0.01; s.cpuSystemSeconds = r * 0.002; s.ioReadBytes = r * 4096; s.ioWriteBytes = r * 8192;
      input.next(s);
    }
  }
  input.complete();
}

function once(attach) {
  const input = new Subject();
  let out = 0;
  attach(input).subscribe(() => out++);
  const start = process.cpuUsage();
  feed(input);
  const used = process.cpuUsage(start);
  return { cpuSeconds: (used.user + used.system) / 1e6, out };
}

function run(label, attach) {
  const best = [once(attach), once(attach), once(attach)].sort((a, b) => a.cpuSeconds - b.cpuSeconds)[0];
  const perSec = (units * rounds) / best.cpuSeconds;
  return { label, samples: units * rounds, cpuSeconds: Number(best.cpuSeconds.toFixed(3)), samplesPerSec: Math.round(perSec), outputEvents: best.out };
}

const results = [];
const store = () => createWindowStore({ clock: 'events', tiers });
const suffix = tiers ? ', tiers' : '';
if (only === undefined) results.push(run('rxjs floor (map only)', (i) => i.pipe((s) => s)));
if (only === undefined) results.push(run('naive: object per sample in arrays + shift', (i) => {
  const windows = new Map();
  return new (i.constructor)((sub) => i.subscribe({ next: (e) => {
    let w = windows.get(e.unit); if (!w) windows.set(e.unit, (w = []));
    w.push({ ...e }); if (w.length > 350) sub.next(w.shift());
  }, complete: () => sub.complete() }));
}));
// A fresh store per run (a store keeps its contents across subscriptions); summaries every 10 s and 60 s of event time.
if (only === undefined || only === '10s') results.push(run(`store + summaries: ingestAndSummarize (10 MiB, summaries every 10 s${suffix})`, (i) =>
  i.pipe(ingestAndSummarize(store(), { everyMs: 10_000, passThrough: false }))));
if (only === undefined || only === '60s') results.push(run(`store + summaries: ingestAndSummarize (10 MiB, summaries every 60 s${suffix})`, (i) =>
  i.pipe(ingestAndSummarize(store(), { everyMs: 60_000, passThrough: false }))));
if (only === undefined || only === 'store') results.push(run(`store alone: ingestInto (10 MiB${suffix})`, (i) => i.pipe(ingestInto(store()))));
const floor = only === undefined ? results[0].samplesPerSec : Number.NaN;
for (const r of results) r.vsFloor = Number((r.samplesPerSec / floor).toFixed(3));
console.log(`dist ${dist}, units ${units}, rounds ${rounds}, node ${process.version}, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| pipeline | samples | CPU s | samples/s | × floor |\n|---|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.label} | ${r.samples} | ${r.cpuSeconds} | ${r.samplesPerSec.toLocaleString('en')} | ${r.vsFloor} |`);
