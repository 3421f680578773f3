import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a generated spill holds per unit, computed from every simulated observation (not from the written lines). */
export interface BucketTruth {
  observations: number;
  /** Σ cpu / observations over every observation. */
  cpuMean: number;
  /** The largest of the buckets' `cpu_max` and `rss_max`, as written. */
  cpuMax: number;
  rssMax: number;
  firstTs: number;
  lastTs: number;
}

/** A deterministic pseudo-random stream (mulberry32), so a spill is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a systemg v0.66 spill into `dir`: for each unit, `hours` of 15-minute buckets, each the aggregate of 1 Hz
 * observations simulated second by second, with short CPU and RSS spikes inside some buckets and some buckets only
 * partly filled (the unit started late or paused), so that weighting by `sample_count` matters. Fields as systemg
 * documents them: `sample_count`, `span_secs`, `cpu_min`, `cpu_max`, `rss_min`, `rss_max`, `rss_mean`; `cpu_percent`
 * the count-weighted mean, `rss_bytes` the last reading; `timestamp` the bucket's last observation.
 */
export function writeSystemgBucketSpill(dir: string, { units = ['a1b2c3d4e5f60718', '9c2e7b1d4f6a8035'], hours = 12,
  startTs = Date.UTC(2026, 10, 20, 0, 0, 0) } = {}): Map<string, BucketTruth> {
  mkdirSync(dir, { recursive: true });
  const truth = new Map<string, BucketTruth>();
  const lines: string[] = [];
  const bucketMs = 15 * 60_000;
  units.forEach((unit, u) => {
    const rand = random(1_000 + u);
    const t: BucketTruth = { observations: 0, cpuMean: 0, cpuMax: -Infinity, rssMax: -Infinity, firstTs: Infinity, lastTs: -Infinity };
    let cpuSum = 0;
    for (let b = 0; b < (hours * 3_600_000) / bucketMs; b++) {
      const count = b % 7 === 3 ? 120 + Math.floor(rand() * 600) : 900; // a partial bucket now and then
      const spikeAt = b % 5 === 1 ? Math.floor(rand() * count) : -1; // a 3-second spike inside some buckets
      const cpus: number[] = [];
      const rsss: number[] = [];
      for (let i = 0; i < count; i++) {
        const spike = spikeAt >= 0 && i >= spikeAt && i < spikeAt + 3;
        cpus.push(Math.round((10 + u * 20 + rand() * 15 + (spike ? 300 : 0)) * 1e4) / 1e4);
        rsss.push(Math.round((100 + u * 50 + rand() * 20 + (spike ? 400 : 0)) * 1024 * 1024));
      }
      const sum = cpus.reduce((x, y) => x + y, 0);
      const firstTs = startTs + b * bucketMs;
      const lastTs = firstTs + (count - 1) * 1_000;
      t.observations += count; cpuSum += sum;
      t.cpuMax = Math.max(t.cpuMax, ...cpus); t.rssMax = Math.max(t.rssMax, ...rsss);
      t.firstTs = Math.min(t.firstTs, firstTs); t.lastTs = Math.max(t.lastTs, lastTs);
      lines.push(JSON.stringify({ unit_hash: unit, sample: {
        timestamp: new Date(lastTs).toISOString().replace('Z', '123456Z'), cpu_percent: sum / count,
        rss_bytes: rsss.at(-1), io_read_bytes: 4096 * b, io_write_bytes: 8192 * b, net_rx_bytes: 0, net_tx_bytes: 0,
        sample_count: count, span_secs: (count - 1), cpu_min: Math.min(...cpus), cpu_max: Math.max(...cpus),
        rss_min: Math.min(...rsss), rss_max: Math.max(...rsss), rss_mean: rsss.reduce((x, y) => x + y, 0) / count,
      } }));
    }
    t.cpuMean = cpuSum / t.observations;
    truth.set(unit, t);
  });
  lines.sort((a, b) => a.localeCompare(b)); // interleave units roughly by time, as one writer would
  const byTime = lines.map((l) => ({ l, ts: Date.parse((JSON.parse(l) as { sample: { timestamp: string } }).sample.timestamp) }))
    .sort((a, b) => a.ts - b.ts);
  writeFileSync(join(dir, `metrics-${Math.floor(startTs / 1000)}.jsonl`), byTime.map((x) => `${x.l}\n`).join(''));
  return truth;
}
