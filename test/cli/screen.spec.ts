/**
 * Screen tests of the built binary in a real terminal (tmux, read back with capture-pane): what a user sees, not the
 * bytes we write.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, procstream } from '../helpers/bin.js';
import { TmuxScreen } from '../helpers/tmux.js';

let screen: TmuxScreen | undefined;
const sleepers: ChildProcess[] = [];

beforeAll(ensureBuilt, 120_000);
afterEach(() => {
  screen?.close();
  screen = undefined;
  for (const s of sleepers.splice(0)) s.kill('SIGKILL');
});

/** Starts `n` real idle processes (`sleep`), each a unit of its own by `--pid`. */
function sleepPids(n: number): number[] {
  return Array.from({ length: n }, () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    sleepers.push(child);
    return child.pid!;
  });
}

describe('the watch table in an 80×24 terminal', () => {
  it('keeps its header with 40 units, counts the rest, re-sorts on s, and quits on q with final summaries', async () => {
    const pids = sleepPids(40);
    screen = new TmuxScreen(`${procstream} watch --interval 300ms ${pids.map((p) => `--pid ${p}`).join(' ')}`, { env: { NO_COLOR: '1' } });
    const first = await screen.until((s) => s.some((l) => l.startsWith('+18 more')) && /\d\.\d/.test(s[1] ?? ''));
    expect(first).toHaveLength(24);
    expect(first[0]).toMatch(/^UNIT\s+PIDS\s+STATE\s+REASON\s+CPU%\s+RSS\s+UPTIME\s+RESTARTS/);
    expect(first[23]).toBe('+18 more (sorted by cpu)');
    expect(first.slice(1, 23).every((l) => /^pid-\d+\s+\d+\s+up\s/.test(l))).toBe(true);
    // Some rounds later the header is still on the first row: no frame scrolled the screen.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(screen.capture()[0]).toBe(first[0]);

    screen.keys('s');
    const sorted = await screen.until((s) => s[23] === '+18 more (sorted by rss)');
    expect(sorted[0]).toBe(first[0]);

    screen.keys('q');
    await screen.until(() => screen!.exitStatus() !== null);
    expect(screen.exitStatus()).toBe(0);
    const all = screen.history().join('\n');
    expect(all).toMatch(/\+18 more \(sorted by rss\)\n\nfinal summaries\nUNIT\s+STATE\s+SAMPLES/); // under the last frame, once
    expect(all.match(/^pid-\d+\s+up\s+\d+\/\d+\s/gm)).toHaveLength(40); // a summary line per unit
  }, 40_000);
});

describe('inspect --stream in an 80×24 terminal', () => {
  it('draws the first frame within an interval, redraws in place as samples arrive, and quits on q', async () => {
    const [pid] = sleepPids(1);
    screen = new TmuxScreen(`${procstream} inspect --pid ${pid} --stream --interval 300ms --window 1m`, { env: { NO_COLOR: '1', TZ: 'UTC' } });
    const header = (s: string[]) => /^pid-\d+ · last \S+ · \d\d:\d\d:\d\d–\d\d:\d\d:\d\d · (\d+) samples, 0 down$/.exec(s[0] ?? '');
    const samples = (s: string[]) => Number(header(s)?.[1] ?? 0);
    const first = await screen.until((s) => samples(s) >= 1, 5_000);
    expect(first[0]).toMatch(new RegExp(`^pid-${pid} · `));
    expect(first).toContain('CPU % (100 = one core)');
    const later = await screen.until((s) => samples(s) >= samples(first) + 3);
    expect(header(later)).not.toBeNull(); // redrawn in place: the header is still on the first row
    expect(later.filter((l) => /^pid-\d+ · last/.test(l))).toHaveLength(1); // one frame on screen, not frames scrolling
    expect(later.some((l) => /^CPU %\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/.test(l))).toBe(true); // min mean p95 max
    screen.keys('q');
    await screen.until(() => screen!.exitStatus() !== null);
    expect(screen.exitStatus()).toBe(0);
  }, 40_000);
});
