import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import type { MetricEvent } from '../../src/events.js';
import { randomBytes } from 'node:crypto';
import { evicted, linesIn, tempDir, waitFor } from '../helpers/spill-dir.js';

/** An eviction carrying 600 random hex characters, so that 100 of them still need ~30 KiB after gzip. */
const noisy = (i: number): MetricEvent => ({ ...evicted(i), noise: randomBytes(300).toString('hex') }) as MetricEvent;

// Real disks, not fakes: a 256 KiB tmpfs for ENOSPC and a read-only bind mount for an unwritable directory
// (as root, chmod does not stop writes, so EROFS stands in for EACCES: both arrive as an errno on open/write).
const root = tempDir('procstream-disk-');
const mounts: string[] = [];
let skipReason: string | undefined;

function mount(...args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
  mounts.push(args.at(-1) as string);
}

beforeAll(() => {
  try {
    const mnt = join(root, 'tmpfs');
    mkdirSync(mnt);
    mount('-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt);
  } catch (error) {
    skipReason = `mounting a tmpfs is not permitted here: ${(error as Error).message.split('\n')[0]}`;
  }
});
afterAll(() => {
  for (const m of mounts.reverse()) {
    try { execFileSync('umount', [m], { stdio: 'pipe' }); } catch (e) { console.warn(`umount ${m}: ${(e as Error).message}`); }
  }
  rmSync(root, { recursive: true, force: true });
});

/** Fills the file system holding `dir` with one file, to the last byte; returns its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 120);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    try { for (;;) writeSync(fd, block, 0, 1); } catch { /* the very last bytes */ }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('spillover on a real disk', () => {
  it('reports ENOSPC as error and dropped events, keeps running, and recovers once space is freed', async (ctx) => {
    if (skipReason) { console.warn(`skipping ENOSPC test: ${skipReason}`); ctx.skip(); }
    const dir = join(root, 'tmpfs', 'spill');
    mkdirSync(dir);
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 16 * 1024, maxBytes: 64 * 1024 }), toArray()));
    input.next(evicted(0));
    await waitFor(() => linesIn(dir).length === 1, 'first line');
    const filler = fill(join(root, 'tmpfs'));
    for (let i = 1; i <= 100; i++) input.next(noisy(i)); // ~30 KiB compressed: must cross into a new page and segment
    await new Promise((r) => setTimeout(r, 100));
    unlinkSync(filler);
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 101; i <= 110; i++) input.next(evicted(i));
    input.complete();
    const out = await done;
    const errors = out.filter((e) => e.type === 'error');
    const drops = out.filter((e) => e.type === 'dropped');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ source: 'spill', code: 'ENOSPC', count: 1 });
    expect(drops[0]).toMatchObject({ source: 'spill', reason: 'ENOSPC' });
    const lost = drops.reduce((s, d) => s + (d.type === 'dropped' ? d.count : 0), 0);
    expect(drops.at(-1)).toMatchObject({ total: lost });
    const ts = linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000); // every line on disk is whole
    expect(ts.length + lost).toBe(111);
    expect(ts.slice(-10)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]); // recovered
  });

  it('reports an unwritable directory (read-only mount) and recovers when it is writable again', async (ctx) => {
    if (skipReason) { console.warn(`skipping read-only test: ${skipReason}`); ctx.skip(); }
    const dir = join(root, 'tmpfs', 'ro-spill');
    mkdirSync(dir);
    const input = new Subject<MetricEvent>();
    // segmentBytes 1: every batch closes its segment, so the next batch needs a new file
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 1, maxBytes: 64 * 1024 }), toArray()));
    input.next(evicted(0));
    input.next(evicted(1));
    await waitFor(() => linesIn(dir).length === 2, 'first segment full');
    mount('--bind', dir, dir);
    execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: 'pipe' });
    input.next(evicted(2)); // needs a new segment: open fails
    await new Promise((r) => setTimeout(r, 100));
    execFileSync('umount', [dir], { stdio: 'pipe' });
    mounts.pop();
    input.next(evicted(3));
    input.complete();
    const out = await done;
    expect(out).toEqual([
      expect.objectContaining({ type: 'error', source: 'spill', code: 'EROFS', count: 1 }),
      expect.objectContaining({ type: 'dropped', source: 'spill', reason: 'EROFS', count: 1, total: 1 }),
    ]);
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([0, 1, 3]);
  });
});
