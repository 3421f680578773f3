import type { MetricEvent, SampleEvent } from '../events.js';

/** One unit as the dashboard's table shows it: the newest state, kept from events so that a request reads no /proc. */
export interface UnitRow {
  unit: string;
  /** `up` after a sample, `down` after a down marker, `new` before either. */
  state: 'up' | 'down' | 'new';
  /** Why the unit is down (`exited`, `pid-file-missing`, …); null while up. */
  reason: string | null;
  pid: number | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  /** Storage bytes per second between the two newest samples of the same process; null without such a pair. */
  ioReadBytesPerSec: number | null;
  ioWriteBytesPerSec: number | null;
  /** Restarts seen since sampling started. */
  restarts: number;
  processes: number | null;
  /** ts of the newest sample or down marker, ms since the epoch. */
  ts: number | null;
}

type Last = Pick<SampleEvent, 'ts' | 'pid' | 'startTimeMs' | 'ioReadBytes' | 'ioWriteBytes'>;

const rate = (cur: number | null, prev: number | null, seconds: number): number | null =>
  cur === null || prev === null || cur < prev ? null : (cur - prev) / seconds;

/** The rows of every known unit, updated in place by {@link UnitRows.apply}. */
export class UnitRows {
  readonly rows = new Map<string, UnitRow>();
  private readonly last = new Map<string, Last>();

  /** Applies one event; returns the unit whose row changed, `removed` info included, or undefined. */
  apply(e: MetricEvent): string | undefined {
    switch (e.type) {
      case 'unit-added': this.row(e.unit); return e.unit;
      case 'unit-removed': this.rows.delete(e.unit); this.last.delete(e.unit); return e.unit;
      case 'unit-restarted': this.row(e.unit).restarts = e.restarts; return e.unit;
      case 'unit-down': {
        Object.assign(this.row(e.unit), { state: 'down', reason: e.reason, cpuPercent: null, rssBytes: null,
          ioReadBytesPerSec: null, ioWriteBytesPerSec: null, processes: 0, ts: e.ts });
        this.last.delete(e.unit);
        return e.unit;
      }
      case 'sample': return this.sample(e);
      default: return undefined;
    }
  }

  private sample(e: SampleEvent): string {
    const row = this.row(e.unit);
    const prev = this.last.get(e.unit);
    const same = prev !== undefined && prev.pid === e.pid && prev.startTimeMs === e.startTimeMs && e.ts > prev.ts;
    const seconds = same ? (e.ts - prev.ts) / 1000 : 0;
    Object.assign(row, {
      state: 'up', reason: null, pid: e.pid, cpuPercent: e.cpuPercent, rssBytes: e.rssBytes, processes: e.processes ?? 1, ts: e.ts,
      ioReadBytesPerSec: same ? rate(e.ioReadBytes, prev.ioReadBytes, seconds) : null,
      ioWriteBytesPerSec: same ? rate(e.ioWriteBytes, prev.ioWriteBytes, seconds) : null,
    });
    this.last.set(e.unit, { ts: e.ts, pid: e.pid, startTimeMs: e.startTimeMs, ioReadBytes: e.ioReadBytes, ioWriteBytes: e.ioWriteBytes });
    return e.unit;
  }

  private row(unit: string): UnitRow {
    let row = this.rows.get(unit);
    if (!row) {
      row = { unit, state: 'new', reason: null, pid: null, cpuPercent: null, rssBytes: null, ioReadBytesPerSec: null,
        ioWriteBytesPerSec: null, restarts: 0, processes: null, ts: null };
      this.rows.set(unit, row);
    }
    return row;
  }
}
