// The synthetic load of the tiered-store benchmarks: second `s` of one sample per unit (CPU cycling over 400 values,
// RSS over 500 KiB steps, IO counters growing), re-stamping one sample object per unit (the store copies what it
// keeps) and ingesting it at its own time, with a retention sweep once a minute.
export function feedSecond(store, samples, t0, s, emit) {
  const ts = t0 + s * 1000;
  for (let u = 0; u < samples.length; u++) {
    const e = samples[u];
    e.ts = ts; e.cpuPercent = ((s * 7 + u) % 400) / 4; e.cpuUserSeconds = s / 100; e.cpuSystemSeconds = s / 1000;
    e.rssBytes = 4096 * (1000 + ((s + u) % 500)); e.ioReadBytes = s * 10; e.ioWriteBytes = s * 20;
    store.ingest(e, ts, emit);
  }
  if (s % 60 === 0) store.sweep(ts, emit);
}
