import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import { replay } from '../../src/sources/replay.js';
import type { MetricEvent } from '../../src/events.js';
import { randomBytes } from 'node:crypto';
import { evicted, linesIn, tempDir, waitFor } from '../helpers/spill-dir.js';

/** An eviction carrying 400 random hex characters: gzip cannot shrink it below ~200 bytes, so the disk fills. */
const noisy = (i: number): MetricEvent => ({ ...evicted(i), noise: randomBytes(200).toString('hex') }) as MetricEvent;

// One run through all three disk faults on a real 256 KiB tmpfs, then a replay of what is on disk: every event the
// sink accepted is either read back or counted in a `dropped` event. Nothing disappears without a count.
const root = tempDir('procstream-spill-faults-');
const mnt = join(root, 'tmpfs');
let mounted = false;
beforeAll(() => {
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    console.warn(`cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`);
  }
});
afterAll(() => {
  for (const m of [join(mnt, 'spill'), mnt]) {
    try { execFileSync('umount', [m], { stdio: 'pipe' }); } catch { /* not mounted */ }
  }
  rmSync(root, { recursive: true, force: true });
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('spillover through removal, a read-only remount and a full disk', () => {
  it('recovers from each, and every accepted event is on disk or counted as dropped', async (ctx) => {
    if (!mounted) ctx.skip();
    const dir = join(mnt, 'spill');
    const input = new Subject<MetricEvent>();
    // 512-byte segments: batches keep crossing into new files, which the read-only mount refuses
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 512, maxBytes: 128 * 1024 }), toArray()));
    let n = 0;
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) input.next(noisy(n++));
      await pause(100);
    };

    await send(1); // stays in the open segment (under 512 bytes)
    await waitFor(() => existsSync(dir) && linesIn(dir).length === 1, 'phase 0 on disk');
    rmSync(dir, { recursive: true });
    await send(10);
    await waitFor(() => existsSync(dir), 'the directory re-created');

    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
    await send(30); // crosses into a new segment, which cannot be created
    execFileSync('umount', [dir]);
    await send(10);

    const filler = join(mnt, 'filler');
    const fd = openSync(filler, 'w');
    try { for (;;) writeSync(fd, Buffer.alloc(4096)); } catch { /* ENOSPC: full */ }
    try { for (;;) writeSync(fd, Buffer.alloc(1)); } catch { /* the last bytes */ }
    closeSync(fd);
    await send(30);
    unlinkSync(filler);
    await send(10);
    input.complete();

    const out = await done;
    const codes = new Set(out.filter((e) => e.type === 'error').map((e) => (e as { code: string }).code));
    expect([...codes].sort()).toEqual(['ENOENT', 'ENOSPC', 'EROFS']);
    const dropped = out.reduce((s, e) => s + (e.type === 'dropped' ? e.count : 0), 0);
    expect(out.filter((e) => e.type === 'dropped').at(-1)).toMatchObject({ total: dropped });

    const back = await lastValueFrom(replay(dir, { unwrap: false, strict: true }).pipe(toArray()));
    const onDisk = back.map((e) => e.ts - 10_000);
    expect(onDisk).toEqual([...onDisk].sort((a, b) => a - b)); // in order, no duplicates
    expect(new Set(onDisk).size).toBe(onDisk.length);
    expect(onDisk.length + dropped).toBe(n);
    for (const last of [10, 50, 90]) expect(onDisk).toContain(last); // written again after each fault
  });

  it('reports the lines of a segment removed just before the stream completes', async () => {
    const dir = join(root, 'short');
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir }), toArray()));
    for (let i = 0; i < 3; i++) input.next(evicted(i));
    await waitFor(() => existsSync(dir) && linesIn(dir).length === 3, 'three lines');
    rmSync(dir, { recursive: true });
    input.complete(); // closing the segment finds it unlinked: its three lines are reported
    const out = await done;
    expect(out).toEqual([
      expect.objectContaining({ type: 'error', code: 'ENOENT', message: expect.stringContaining('was removed') }),
      expect.objectContaining({ type: 'dropped', reason: 'ENOENT', count: 3, total: 3 }),
    ]);
  });
});
