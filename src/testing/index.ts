/**
 * Builders for tests and examples: complete, valid events with sensible defaults, overridable field by field.
 * Exported as `procstream/testing`.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import {
  type DroppedEvent,
  type ErrorEvent,
  EVENT_FORMAT_VERSION,
  type EvictedEvent,
  type EvictionReason,
  NO_UNIT,
  type SampleEvent,
  type Stats,
  type SummaryEvent,
  type TargetSpec,
  type BucketEvent,
  type TickEvent,
  type UnitAddedEvent,
  type UnitDownEvent,
  type UnitRemovedEvent,
  type UnitRestartedEvent,
} from '../events.js';

/** A sample of `unit` at `ts` with 1 % CPU and 1 MiB RSS unless overridden. */
export function sample(unit: string, ts: number, fields: Partial<Omit<SampleEvent, 'type' | 'v'>> = {}): SampleEvent {
  return {
    type: 'sample',
    v: EVENT_FORMAT_VERSION,
    unit,
    ts,
    pid: 100,
    startTimeMs: 1_000,
    cpuPercent: 1,
    cpuUserSeconds: 0,
    cpuSystemSeconds: 0,
    rssBytes: 1_048_576,
    ioReadBytes: 0,
    ioWriteBytes: 0,
    missing: {},
    ...fields,
  };
}

/** A `unit-down` marker of `unit` at `ts`. */
export function down(unit: string, ts: number, reason = 'exited'): UnitDownEvent {
  return { type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts, reason };
}

/** An `evicted` event at `ts` carrying `event` (a sample or down marker as the store keeps it). */
export function evicted(reason: EvictionReason, ts: number, event: SampleEvent | UnitDownEvent): EvictedEvent {
  return { type: 'evicted', v: EVENT_FORMAT_VERSION, unit: event.unit, ts, reason, event };
}

/** A `unit-added` event of `unit` at `ts`. */
export function unitAdded(unit: string, ts: number, target?: TargetSpec): UnitAddedEvent {
  return { type: 'unit-added', v: EVENT_FORMAT_VERSION, unit, ts, ...(target ? { target } : {}) };
}

/** A `unit-removed` event of `unit` at `ts` (by default: its target went away). */
export function unitRemoved(unit: string, ts: number, reason: UnitRemovedEvent['reason'] = 'target-removed'): UnitRemovedEvent {
  return { type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit, ts, reason };
}

/** A `unit-restarted` event of `unit` at `ts`: pid `previous` (or none) became pid `current`, the `restarts`th time. */
export function unitRestarted(unit: string, ts: number, current: number, previous: number | null = null, restarts = 1): UnitRestartedEvent {
  return {
    type: 'unit-restarted', v: EVENT_FORMAT_VERSION, unit, ts, restarts,
    previous: previous === null ? null : { pid: previous, startTimeMs: 1_000 }, current: { pid: current, startTimeMs: ts },
  };
}

const NO_STATS: Stats = { latest: null, mean: null, min: null, max: null, p95: null };

/** A `summary` of `unit` at `ts` over no rows (every statistic null) unless overridden. */
export function summary(unit: string, ts: number, fields: Partial<Omit<SummaryEvent, 'type' | 'v' | 'unit' | 'ts'>> = {}): SummaryEvent {
  return {
    type: 'summary', v: EVENT_FORMAT_VERSION, unit, ts, windowMs: 60_000, firstTs: null, lastTs: null, samples: 0,
    upSamples: 0, up: false, stale: true, cpuPercent: NO_STATS, rssBytes: NO_STATS, ioReadBytesPerSec: null,
    ioWriteBytesPerSec: null, ...fields,
  };
}

/** A `dropped` event at `ts`: `count` things (default 1, also the running total) dropped by `source` for `reason`. */
export function dropped(source: string, reason: string, ts: number, count = 1, total = count): DroppedEvent {
  return { type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts, source, reason, count, total };
}

/** An `error` event at `ts` from `source` with errno-style `code`, the first of its kind unless `count` says. */
export function errorEvent(source: string, code: string, ts: number, message = code, count = 1): ErrorEvent {
  return { type: 'error', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts, source, code, message, count };
}

/** A `tick` of a round due at `deadlineMs`, on time (no lag, no missed deadlines) and sampled in 1 ms, unless overridden. */
export function tick(deadlineMs: number, fields: Partial<Omit<TickEvent, 'type' | 'v' | 'unit' | 'deadlineMs'>> = {}): TickEvent {
  return {
    type: 'tick', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: deadlineMs + 1, deadlineMs, lagMs: 0, samplingMs: 1,
    missed: 0, units: 1, processes: 1, ...fields,
  };
}

/**
 * A 1-minute `bucket` of `unit` whose observations run from `firstTs` to `lastTs`: `samples` up samples at 1 % CPU and
 * 1 MiB RSS, unless overridden.
 */
export function bucket(unit: string, firstTs: number, lastTs: number, fields: Partial<Omit<BucketEvent, 'type' | 'v' | 'unit'>> = {}): BucketEvent {
  const samples = fields.samples ?? 60;
  const stats = (value: number) => ({ count: samples, sum: value * samples, min: value, max: value, last: value, p90: value, p95: value });
  return {
    type: 'bucket', v: EVENT_FORMAT_VERSION, unit, ts: lastTs, reason: 'retention', widthMs: 60_000, firstTs, lastTs,
    samples, upSamples: samples, up: true, cpuPercent: stats(1), rssBytes: stats(1024 * 1024),
    ioReadBytes: 0, ioReadMs: 0, ioWriteBytes: 0, ioWriteMs: 0, ...fields,
  };
}

/**
 * A `TestScheduler` that compares frames with `node:assert`'s deep equality, for marble tests under any runner
 * (`node --test`, mocha, jest, vitest). Create one per test.
 */
export function createTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => deepStrictEqual(actual, expected));
}
