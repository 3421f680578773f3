import {
  EVENT_FORMAT_VERSION, type MissingReasons, type SampleEvent, type UnitDownEvent,
} from '../events.js';
import { Interner } from './interner.js';
import { emptyRow, type Row } from './unit-window.js';

const EMPTY_MISSING = '{}';

/**
 * Turns events into window rows and back. The strings a row cannot hold (down reasons, `missing` maps) become small
 * interned ids; everything else maps field to field.
 */
export class RowCodec {
  private readonly interner = new Interner(JSON.stringify({ other: 'too many distinct values' }));
  private readonly parsedMissing = new Map<number, MissingReasons>();
  private readonly emptyMissingId = this.interner.id(EMPTY_MISSING);
  private lastMissing: MissingReasons | undefined;
  private lastMissingId = this.emptyMissingId;
  /** One row to fill before an append and one to decode an eviction into: the window copies values into its columns
   * at once, so no row object needs to live longer than a call. */
  private readonly incoming = emptyRow();
  readonly outgoing = emptyRow();

  /** The row for `event` at `ts`, in a scratch object the window copies from at once. */
  toRow(event: SampleEvent | UnitDownEvent, ts: number): Row {
    const row = this.incoming;
    row.ts = ts;
    if (event.type === 'unit-down') {
      row.up = false;
      row.internId = this.interner.id(event.reason);
      return row;
    }
    row.up = true;
    row.pid = event.pid;
    row.startTimeMs = typeof event.startTimeMs === 'number' ? event.startTimeMs : 0;
    row.cpuPercent = event.cpuPercent;
    row.cpuUserSeconds = event.cpuUserSeconds;
    row.cpuSystemSeconds = event.cpuSystemSeconds;
    row.rssBytes = event.rssBytes;
    row.ioReadBytes = event.ioReadBytes;
    row.ioWriteBytes = event.ioWriteBytes;
    row.internId = this.missingId(event.missing);
    return row;
  }

  private missingId(missing: MissingReasons | undefined): number {
    // Hot path: a sampler hands the same `missing` object to sample after sample, so remember the last one and skip
    // the JSON round trip (for-in plus stringify cost more than the rest of an append).
    if (missing === this.lastMissing) return this.lastMissingId;
    let id = this.emptyMissingId;
    for (const _ in missing) { id = this.interner.id(JSON.stringify(missing)); break; }
    this.lastMissing = missing;
    this.lastMissingId = id;
    return id;
  }

  /** The event a row stands for: a sample with the fields the store keeps, or a down marker. */
  toEvent(unit: string, row: Row): SampleEvent | UnitDownEvent {
    if (!row.up) {
      return { type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts: row.ts, reason: this.interner.text(row.internId) };
    }
    let missing = this.parsedMissing.get(row.internId);
    if (missing === undefined) {
      missing = JSON.parse(this.interner.text(row.internId)) as MissingReasons;
      this.parsedMissing.set(row.internId, missing);
    }
    const ownMissing = row.internId === this.emptyMissingId ? {} : { ...missing }; // each event owns its map
    return {
      type: 'sample',
      v: EVENT_FORMAT_VERSION,
      unit,
      ts: row.ts,
      pid: row.pid,
      startTimeMs: row.startTimeMs,
      cpuPercent: row.cpuPercent,
      cpuUserSeconds: row.cpuUserSeconds,
      cpuSystemSeconds: row.cpuSystemSeconds,
      rssBytes: row.rssBytes,
      ioReadBytes: row.ioReadBytes,
      ioWriteBytes: row.ioWriteBytes,
      missing: ownMissing,
    };
  }
}
