import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { replay } from '../../src/sources/replay.js';
import type { BadLine } from '../../src/sources/read-ndjson.js';
import { isMetricEvent, type MetricEvent } from '../../src/events.js';
import { segmentBytesIn, segmentsIn, tempDir } from '../helpers/spill-dir.js';

const BATCH = 200; // samples the child hands over per batch (see spill-child.ts)
const dir = tempDir('procstream-crash-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = join(import.meta.dirname, '../helpers/spill-child.ts');

/** Starts writer `id`, lets it hand over at least one batch and then write for `ms` more, SIGKILLs it, and returns
 * how many samples its sink had accepted by then (at least). */
async function runAndKill(id: number, ms: number): Promise<number> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(id)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let batches = 0;
  const exited = new Promise((r) => proc.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      batches = Math.max(batches, ...chunk.toString().trim().split('\n').map(Number));
      resolve();
    });
    proc.once('exit', (code) => reject(new Error(`child ${id} exited early with ${String(code)}`)));
  });
  await new Promise((r) => setTimeout(r, ms));
  proc.kill('SIGKILL');
  await exited;
  return batches * BATCH;
}

describe('spillover crash safety', () => {
  it('survives 20 SIGKILLs at random moments: at most the last batch lost, no torn line accepted, budget held', async () => {
    const accepted: number[] = [];
    for (let id = 0; id < 20; id++) accepted.push(await runAndKill(id, Math.floor(Math.random() * 700)));
    expect(segmentBytesIn(dir)).toBeLessThanOrEqual(4 * 1024 * 1024);
    const bad: BadLine[] = [];
    const events: MetricEvent[] = await lastValueFrom(replay(dir, { onBadLine: (b) => bad.push(b) }).pipe(toArray()));
    const byRun = new Map<string, number[]>();
    for (const e of events) {
      if (e.type === 'dropped') continue; // replay's own count of the torn lines, checked below
      expect(isMetricEvent(e) && e.type === 'sample', JSON.stringify(e)).toBe(true);
      byRun.set(e.unit, [...(byRun.get(e.unit) ?? []), e.ts]);
    }
    for (let id = 0; id < 20; id++) {
      const ts = byRun.get(`run-${id}`) ?? [];
      // a prefix of what was handed over, in order, no gap and no duplicate: nothing but the tail can be missing
      expect(ts, `run ${id}`).toEqual(Array.from({ length: ts.length }, (_, i) => i + 1));
      // the batches handed over before the last one are all on disk: a crash loses at most the last batch
      expect(ts.length, `run ${id}: ${ts.length} of ${accepted[id]} accepted`).toBeGreaterThanOrEqual(accepted[id]! - BATCH);
    }
    // torn tails (at most one per kill) are skipped as bad lines, never accepted
    expect(bad.length).toBeLessThanOrEqual(20);
    for (const b of bad) expect(b.reason).not.toBe('');
    console.info(`crash test: ${events.length} events in ${segmentsIn(dir).length} segments, ${bad.length} torn tails, ` +
      `accepted ${accepted.reduce((a, b) => a + b, 0)}`);
  }, 180_000);
});
