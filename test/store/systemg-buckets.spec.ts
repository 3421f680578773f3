import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SummaryEvent } from '../../src/events.js';
import { replay } from '../../src/sources/replay.js';
import { storeAndSummarize } from '../../src/streams/store-and-summarize.js';
import { DEFAULT_TIER_PLAN } from '../../src/store/tiers.js';
import { windowedStore } from '../../src/streams/windowed-store.js';
import { ensureBuilt, run } from '../helpers/bin.js';
import { type BucketTruth, writeSystemgBucketSpill } from '../helpers/systemg-buckets.js';

/** Observation counts and the weighted CPU mean within 1 %, the recorded maxima (at the store's resolution). */
function expectMatches(s: SummaryEvent, t: BucketTruth): void {
  expect(Math.abs(s.samples - t.observations) / t.observations).toBeLessThanOrEqual(0.01);
  expect(Math.abs(s.upSamples - t.observations) / t.observations).toBeLessThanOrEqual(0.01);
  expect(Math.abs(s.cpuPercent.mean! - t.cpuMean) / t.cpuMean).toBeLessThanOrEqual(0.01);
  expect(Math.abs(s.cpuPercent.max! - t.cpuMax)).toBeLessThanOrEqual(0.001); // cpu kept at 0.001 %
  expect(Math.abs(s.rssBytes.max! - t.rssMax)).toBeLessThanOrEqual(512); // rss kept in KiB
  expect(s.cpuPercent.p95!).toBeLessThanOrEqual(t.cpuMax); // an upper estimate, never above the max
  expect(s.firstTs).toBe(t.firstTs);
  expect(s.lastTs).toBe(t.lastTs);
}

describe('summaries of a systemg v0.66 spill of 15-minute buckets (12 h, spikes inside)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procstream-sg-buckets-'));
  const truth = writeSystemgBucketSpill(dir);
  beforeAll(() => ensureBuilt());

  it('the library: replay through a tiered store weighs every bucket by its sample_count', async () => {
    const store = windowedStore({ clock: 'events', retentionMs: 24 * 3_600_000, tiers: DEFAULT_TIER_PLAN });
    const out = await lastValueFrom(replay(dir).pipe(
      storeAndSummarize({ store, clock: 'events', everyMs: 24 * 3_600_000, passThrough: false }),
      filter((e): e is SummaryEvent => e.type === 'summary'), toArray()));
    for (const [unit, t] of truth) expectMatches(out.filter((s) => s.unit === unit).at(-1)!, t);
    expect(out.filter((s) => s.unit === [...truth.keys()][0]).at(-1)!.samples).toBe(truth.values().next().value!.observations);
  });

  it('the CLI: procstream summarize DIR', () => {
    const r = run(['summarize', dir, '--format', 'ndjson']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summaries = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as SummaryEvent);
    expect(summaries.map((s) => s.unit).sort()).toEqual([...truth.keys()].sort());
    for (const s of summaries) expectMatches(s, truth.get(s.unit)!);
  });
});
