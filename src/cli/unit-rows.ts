/** What the live table shows of each unit, read from the windowed store after a sampling round. */
import type { SampleEvent, StoreQuery, UnitDownEvent } from '../index.js';
import type { UnitRow } from './render-table.js';

/** How many recent rows the sparkline draws; the table clips it to the width it has. */
const HISTORY = 30;

/**
 * Recent CPU %, oldest first: null for down markers, unmeasured CPU, and for each whole sampling interval with no
 * row at all (sampling stopped, the machine slept), so gaps show as gaps.
 */
export function cpuHistory(rows: readonly (SampleEvent | UnitDownEvent)[], intervalMs: number): (number | null)[] {
  const out: (number | null)[] = [];
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    const missed = prev ? Math.min(HISTORY, Math.round((r.ts - prev.ts) / intervalMs) - 1) : 0;
    for (let k = 0; k < missed; k++) out.push(null);
    out.push(r.type === 'sample' ? r.cpuPercent : null);
  });
  return out.slice(-HISTORY);
}

/**
 * One row per unit: CPU %, RSS, up, uptime and down reason from the newest row, IO rates over the last few intervals, the rows held, and
 * the CPU history. Sorted by CPU, busiest first (as `top`), then by name; at most `limit` rows. Runs every sampling
 * round, so it reads only the newest rows: no scan of whole windows.
 */
export function unitRows(
  store: StoreQuery,
  intervalMs: number,
  limit = Infinity,
  /** Live processes of each unit's newest sample: the store does not keep that count, the caller sees it go by. */
  processes: ReadonlyMap<string, number> = new Map(),
  /** Restarts of each unit (the newest `unit-restarted` event's count): the store does not keep them either. */
  restarts: ReadonlyMap<string, number> = new Map(),
): UnitRow[] {
  const now = store.now();
  const rows = store.units().map((unit): UnitRow => {
    const history = store.latest(unit, HISTORY);
    const newest = history[history.length - 1];
    const recent = store.summary(unit, { now, intervalMs, windowMs: 5 * intervalMs });
    const up = newest?.type === 'sample';
    const fresh = up && now - newest.ts <= 2 * intervalMs; // not stale: the same rule as a summary's
    return {
      unit,
      pid: up ? newest.pid : null,
      processes: up ? (processes.get(unit) ?? 1) : 0,
      up: fresh,
      cpuPercent: up ? newest.cpuPercent : null,
      rssBytes: up ? newest.rssBytes : null,
      ioReadBytesPerSec: recent?.ioReadBytesPerSec ?? null,
      ioWriteBytesPerSec: recent?.ioWriteBytesPerSec ?? null,
      samples: store.size(unit),
      cpuHistory: cpuHistory(history, intervalMs),
      restarts: restarts.get(unit) ?? 0,
      // A start time of 0 is "unknown" (a sampler without process identity), not a process from 1970.
      uptimeMs: fresh && newest.startTimeMs > 0 ? now - newest.startTimeMs : null,
      downReason: newest === undefined ? 'no-sample' : newest.type === 'unit-down' ? newest.reason : fresh ? null : 'stale',
    };
  });
  rows.sort((a, b) => (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || a.unit.localeCompare(b.unit));
  return rows.slice(0, Math.max(0, limit));
}
