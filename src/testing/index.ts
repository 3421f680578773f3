/**
 * Builders for tests and examples: complete, valid events with sensible defaults, overridable field by field.
 * Exported as `procstream/testing`.
 */
import {
  EVENT_FORMAT_VERSION,
  type SampleEvent,
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
