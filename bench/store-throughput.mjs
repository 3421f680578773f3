// Ingest throughput of windowedStore + summarize (storeAndSummarize) with many units, against two peers in the same
// run: a plain rxjs pipeline that only counts (the floor), and a naive store of plain objects in arrays.
// Usage: node bench/store-throughput.mjs [units=1000] [seconds=15 of event time per unit… see ROUNDS]
import { Subject } from 'rxjs';
import { storeAndSummarize, windowedStore } from '../dist/index.js';
import { sample } from '../dist/testing/index.js';

const units = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3000); // one round = one sample per unit = one second of event time
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

function run(label, attach) {
  const input = new Subject();
  let out = 0;
  attach(input).subscribe(() => out++);
  const start = process.hrtime.bigint();
  feed(input);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSec = (units * rounds) / seconds;
  return { label, samples: units * rounds, seconds: Number(seconds.toFixed(3)), samplesPerSec: Math.round(perSec), outputEvents: out };
}

const results = [];
results.push(run('rxjs floor (map only)', (i) => i.pipe((s) => s)));
results.push(run('naive: object per sample in arrays + shift', (i) => {
  const windows = new Map();
  return new (i.constructor)((sub) => i.subscribe({ next: (e) => {
    let w = windows.get(e.unit); if (!w) windows.set(e.unit, (w = []));
    w.push({ ...e }); if (w.length > 350) sub.next(w.shift());
  }, complete: () => sub.complete() }));
}));
const store = windowedStore({ clock: 'events' });
results.push(run('windowedStore + summarize (10 MiB, summaries every 10 s)', (i) =>
  i.pipe(storeAndSummarize({ store, clock: 'events', everyMs: 10_000, passThrough: false }))));
const store2 = windowedStore({ clock: 'events' });
results.push(run('windowedStore alone (10 MiB)', (i) => i.pipe(store2)));
const floor = results[0].samplesPerSec;
for (const r of results) r.vsFloor = Number((r.samplesPerSec / floor).toFixed(3));
console.log(JSON.stringify({ units, rounds, node: process.version, results }, null, 1));
