import { EVENT_FORMAT_VERSION, type MetricEvent, type UnitRestartedEvent } from '../events.js';
import type { UnitTarget } from './sampler.js';

/** Per-unit bookkeeping shared by the samplers: who is new, who left, and whose process identity changed. */
export interface UnitRecord {
  identity?: { pid: number; startTimeMs: number };
  restarts: number;
}

/**
 * Adds a record for each new unit (emitting `unit-added`) and drops the records of units no longer targeted
 * (emitting `unit-removed`, reason `target-removed`). Returns those events; `records` is updated in place.
 */
export function syncUnits<R extends UnitRecord>(records: Map<string, R>, targets: readonly UnitTarget[], ts: number, create: () => R): MetricEvent[] {
  const out: MetricEvent[] = [];
  const wanted = new Set<string>();
  for (const entry of targets) {
    const unit = entry.unit;
    wanted.add(unit);
    if (records.has(unit)) continue;
    records.set(unit, create());
    const { unit: _unit, children: _children, ...target } = entry;
    out.push({ type: 'unit-added', v: EVENT_FORMAT_VERSION, unit, ts, target });
  }
  if (records.size === wanted.size) return out; // every record is wanted
  for (const unit of records.keys()) {
    if (wanted.has(unit)) continue;
    records.delete(unit);
    out.push({ type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit, ts, reason: 'target-removed' });
  }
  return out;
}

/** Records `current` as the unit's identity; returns `unit-restarted` when it replaces a different one. */
export function noteIdentity(record: UnitRecord, unit: string, ts: number, current: { pid: number; startTimeMs: number }): UnitRestartedEvent | null {
  const previous = record.identity;
  record.identity = current;
  if (!previous || (previous.pid === current.pid && previous.startTimeMs === current.startTimeMs)) return null;
  return { type: 'unit-restarted', v: EVENT_FORMAT_VERSION, unit, ts, previous, current, restarts: ++record.restarts };
}
