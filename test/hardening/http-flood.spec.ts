/**
 * The HTTP server cannot starve sampling: 16,000 idle connections and a slowloris client against the built
 * `procstream watch --http`, run with a soft fd limit of 1024 (where 16,000 connections to the old exporter left
 * 48 ticks in a row without a sample, EMFILE on /proc). The units are `match` targets, which list /proc at every tick,
 * as the whole-machine mode does: the previous build fails this test (51 EMFILE errors, 7 of ~58 ticks sampled).
 * The flood comes from another process with its own fd limit.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, startNode } from '../helpers/children.js';
import { ensureBuilt, root } from '../helpers/bin.js';
import { startHttpWatch, type HttpWatch } from '../helpers/http-watch.js';

const FLOOD = 16_000;
const HOLD_MS = 8_000;
let watch: HttpWatch;
let pids: number[] = [];

beforeAll(async () => {
  ensureBuilt();
  pids = [];
  const units = [];
  for (let i = 0; i < 3; i += 1) {
    pids.push((await startNode(`/* flood-target-${i} */ setInterval(() => {}, 1000); console.log("ready")`, true)).pid!);
    units.push({ unit: `target-${i}`, match: `flood-target-${i} ` });
  }
  const file = join(mkdtempSync(join(tmpdir(), 'procstream-flood-')), 'units.json');
  writeFileSync(file, JSON.stringify(units));
  watch = await startHttpWatch(['--units', file, '--interval', '250ms'], 'ulimit -n 1024;');
}, 60_000);
afterAll(async () => {
  await watch?.stop();
  await killAll();
});

/** Runs the flood client under `ulimit -n 20000` and resolves with its counts. */
function flood(port: number): Promise<{ attempted: number; connected: number; closedByServer: number; errors: Record<string, number>; openAtEnd: number; slowloris: { closedByServer: boolean; bytesSent: number } }> {
  const script = join(root, 'test/helpers/flood-client.mjs');
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', `ulimit -n 20000 && exec "${process.execPath}" "${script}" ${port} ${FLOOD} ${HOLD_MS}`], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim()));
    });
  });
}

describe('watch --http under a connection flood', () => {
  // A tick the ticker had to skip (the loop busy: accepting the flood, or a loaded machine) is reported as a `dropped`
  // event; what must never happen again is a tick that runs and samples nothing (EMFILE).
  it('samples every unit at every tick it runs while 16,000 idle connections and a slowloris client hit it', async () => {
    const port = Number(new URL(watch.url).port);
    const fdCounts: number[] = [];
    const fdWatch = setInterval(() => {
      try { fdCounts.push(readdirSync(`/proc/${watch.child.pid}/fd`).length); } catch { /* exiting */ }
    }, 100);
    const firstTs = Date.now();
    const stats = await flood(port);
    clearInterval(fdWatch);
    const lastTs = Date.now();

    // The dashboard still answers after the flood, and the process never came near its fd limit.
    expect((await fetch(`${watch.url}api/units`)).status).toBe(200);
    expect(Math.max(...fdCounts)).toBeLessThan(1024 - 256);
    await watch.stop();

    const events = watch.events();
    const during = events.filter((e) => (e.ts as number) >= firstTs && (e.ts as number) <= lastTs);
    const samplesPerTick = new Map<number, Set<unknown>>();
    for (const e of during) if (e.type === 'sample') samplesPerTick.set(e.ts as number, (samplesPerTick.get(e.ts as number) ?? new Set()).add(e.unit));
    const ticks = [...samplesPerTick.values()];
    const skipped = during.filter((e) => e.type === 'dropped' && e.source === 'interval').reduce((n, e) => n + (e.count as number), 0);
    const refused = during.filter((e) => e.type === 'dropped' && e.source === 'http').reduce((n, e) => n + (e.count as number), 0);
    console.log(JSON.stringify({ stats, ticks: ticks.length, skipped, refused, maxFds: Math.max(...fdCounts), seconds: (lastTs - firstTs) / 1000 }));

    // every tick sampled all three units; none failed (EMFILE was the old failure) or saw a unit down
    expect(ticks.length).toBeGreaterThan(10);
    expect(ticks.length + skipped).toBeGreaterThan(((lastTs - firstTs) / 250) * 0.5); // ticks ran or were counted
    expect(ticks.every((units) => units.size === pids.length)).toBe(true);
    expect(during.filter((e) => e.type === 'error' || e.type === 'unit-down')).toEqual([]);
    // the flood really reached the server, and the cap turned it away: refused connections are counted
    expect(stats.connected + (stats.errors.ECONNRESET ?? 0)).toBeGreaterThan(FLOOD / 2);
    expect(refused).toBeGreaterThan(FLOOD / 2);
    expect(stats.slowloris.closedByServer).toBe(true);
  }, 120_000);
});
