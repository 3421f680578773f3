/**
 * Builders for tests and examples: complete, valid events with sensible defaults, overridable field by field.
 * Exported as `procstream/testing`.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import {
  EVENT_FORMAT_VERSION,
  type EvictedEvent,
  type EvictionReason,
  type SampleEvent,
  type TargetSpec,
  type UnitAddedEvent,
  type UnitDownEvent,
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

/**
 * A `TestScheduler` that compares frames with `node:assert`'s deep equality, for marble tests under any runner
 * (`node --test`, mocha, jest, vitest). Create one per test.
 */
export function createTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => deepStrictEqual(actual, expected));
}
