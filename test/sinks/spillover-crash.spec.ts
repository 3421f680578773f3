import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { readNdjson, type BadLine } from '../../src/sources/read-ndjson.js';
import type { MetricEvent } from '../../src/events.js';
import { segmentBytesIn, segmentsIn, tempDir, waitFor } from '../helpers/spill-dir.js';

const dir = tempDir('procstream-crash-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = join(import.meta.dirname, '../helpers/spill-child.ts');

const wrote = (id: number): boolean =>
  segmentsIn(dir).some(({ name }) => {
    try {
      return readFileSync(join(dir, name), 'utf8').includes(`"unit":"run-${id}"`);
    } catch {
      return false; // deleted by the running writer to hold its budget
    }
  });

/** Starts writer `id`, waits until its first line is on disk, lets it write for `ms` more, then SIGKILLs it. */
async function runAndKill(id: number, ms: number): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(id)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.once('data', () => resolve());
    proc.once('exit', (code) => reject(new Error(`child ${id} exited early with ${String(code)}`)));
  });
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    await waitFor(() => wrote(id), `run ${id} to resume writing`);
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    proc.kill('SIGKILL');
    await exited;
  }
}

describe('spillover crash safety', () => {
  it('survives 20 SIGKILLs at random moments: every complete line valid, none duplicated, budget held', async () => {
    const torn: BadLine[] = [];
    for (let id = 0; id < 20; id++) {
      await runAndKill(id, Math.floor(Math.random() * 300));
      expect(segmentBytesIn(dir)).toBeLessThanOrEqual(64 * 1024);
      const complete = segmentsIn(dir).flatMap(({ name }) => readFileSync(join(dir, name), 'utf8').split('\n').slice(0, -1));
      expect(complete.at(-1) ?? '', `run ${id} resumed and wrote`).toContain(`"unit":"run-${id}"`);
    }
    const seen = new Set<string>();
    const lastTs = new Map<string, number>();
    let events = 0;
    for (const { name } of segmentsIn(dir)) {
      const bad: BadLine[] = [];
      const out: MetricEvent[] = await lastValueFrom(
        readNdjson(createReadStream(join(dir, name)), { name, onBadLine: (b) => bad.push(b) }).pipe(toArray()),
      );
      const lines = out.length + bad.length;
      // only the last line of a segment may be torn, and only once per kill
      for (const b of bad) expect(b.line).toBe(lines);
      torn.push(...bad);
      for (const e of out) {
        expect(e.type).toBe('evicted');
        const key = `${e.unit}/${e.ts}`;
        expect(seen.has(key), `duplicate ${key}`).toBe(false);
        seen.add(key);
        expect(e.ts).toBeGreaterThan(lastTs.get(e.unit) ?? 0); // write order kept across segments
        lastTs.set(e.unit, e.ts);
        events++;
      }
    }
    expect(torn.length).toBeLessThanOrEqual(20);
    expect(events).toBeGreaterThan(0);
    console.info(`crash test: ${events} events survived in ${segmentsIn(dir).length} segments, ${torn.length} torn tails`);
  }, 120_000);
});
