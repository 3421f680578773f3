import type { MetricEvent, SampleEvent } from '../events.js';

/** What the Prometheus sink knows about one unit, kept from events so that a scrape reads no /proc. */
export interface UnitMetrics {
  /** CPU seconds by mode since we first saw the unit: monotonic across restarts. */
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Storage bytes since we first saw the unit: monotonic across restarts. */
  diskReadBytes: number;
  diskWriteBytes: number;
  /**
   * Network bytes since we first measured them; null until a sample carries `netScope: 'netns'` (a unit that owns its
   * network namespace), so no series exists for units whose traffic cannot be told apart from the host's.
   */
  networkReceiveBytes: number | null;
  networkTransmitBytes: number | null;
  /** Newest resident set size; null while the unit is down (never a fake 0). */
  rssBytes: number | null;
  up: boolean;
  restarts: number;
  processes: number;
  threads: number;
  /** The newest sample's identity and raw counters, to turn the next one into deltas. */
  last?: Pick<SampleEvent, 'pid' | 'startTimeMs' | 'cpuUserSeconds' | 'cpuSystemSeconds' | 'ioReadBytes' | 'ioWriteBytes'>
    & { netRxBytes: number | null; netTxBytes: number | null };
}

/** Counts of problems the pipeline reported about itself. */
export interface SelfMetrics {
  ticksSkipped: number;
  /** Events dropped, by `source` (spill, reader, …); skipped ticks are counted apart. */
  dropped: Map<string, number>;
  /** Spill errors, by `code`. */
  spillErrors: Map<string, number>;
}

/**
 * Growth of a counter between two readings. The /proc sampler's counters are cumulative per unit and never decrease,
 * across member churn and restarts (docs/events.md), so a new root identity behind the same growing counter is only
 * growth: counting it in full re-added the unit's whole history at every group churn (+28 %). A counter that went
 * down was reset (the systeminformation sampler starts each identity at 0, or procstream restarted): it counts in
 * full. A first reading counts in full.
 */
function growth(cur: number | null, prev: number | null | undefined): number {
  if (cur === null) return 0;
  if (prev === null || prev === undefined) return cur;
  return cur >= prev ? cur - prev : cur;
}

/** Per-unit and self metrics, updated in place by {@link MetricsState.apply}; one per sink subscription. */
export class MetricsState {
  readonly units = new Map<string, UnitMetrics>();
  readonly self: SelfMetrics = { ticksSkipped: 0, dropped: new Map(), spillErrors: new Map() };

  private unit(name: string): UnitMetrics {
    let u = this.units.get(name);
    if (!u) {
      u = { cpuUserSeconds: 0, cpuSystemSeconds: 0, diskReadBytes: 0, diskWriteBytes: 0, networkReceiveBytes: null, networkTransmitBytes: null,
        rssBytes: null, up: false, restarts: 0, processes: 0, threads: 0 };
      this.units.set(name, u);
    }
    return u;
  }

  apply(e: MetricEvent): void {
    switch (e.type) {
      case 'sample': return this.sample(e);
      case 'unit-added': this.unit(e.unit); return;
      case 'unit-down': {
        const u = this.unit(e.unit);
        Object.assign(u, { up: false, rssBytes: null, processes: 0, threads: 0 });
        return;
      }
      case 'unit-restarted': this.unit(e.unit).restarts += 1; return;
      case 'unit-removed': this.units.delete(e.unit); return;
      case 'dropped':
        if (e.source === 'interval') this.self.ticksSkipped += e.count;
        else this.self.dropped.set(e.source, (this.self.dropped.get(e.source) ?? 0) + e.count);
        return;
      case 'error':
        if (e.source === 'spill') this.self.spillErrors.set(e.code, (this.self.spillErrors.get(e.code) ?? 0) + 1);
        return;
      default:
    }
  }

  private sample(e: SampleEvent): void {
    const u = this.unit(e.unit);
    const last = u.last;
    const same = last !== undefined && last.pid === e.pid && last.startTimeMs === e.startTimeMs;
    u.cpuUserSeconds += growth(e.cpuUserSeconds, last?.cpuUserSeconds);
    u.cpuSystemSeconds += growth(e.cpuSystemSeconds, last?.cpuSystemSeconds);
    u.diskReadBytes += growth(e.ioReadBytes, last?.ioReadBytes);
    u.diskWriteBytes += growth(e.ioWriteBytes, last?.ioWriteBytes);
    const rx = e.netScope === 'netns' ? e.netRxBytes ?? null : null;
    const tx = e.netScope === 'netns' ? e.netTxBytes ?? null : null;
    if (rx !== null) u.networkReceiveBytes = (u.networkReceiveBytes ?? 0) + growth(rx, last?.netRxBytes);
    if (tx !== null) u.networkTransmitBytes = (u.networkTransmitBytes ?? 0) + growth(tx, last?.netTxBytes);
    u.rssBytes = e.rssBytes;
    u.up = true;
    u.processes = e.processes ?? 1;
    u.threads = e.threads ?? u.threads;
    u.last = { pid: e.pid, startTimeMs: e.startTimeMs, cpuUserSeconds: e.cpuUserSeconds, cpuSystemSeconds: e.cpuSystemSeconds,
      // An unreadable reading keeps the previous one as the baseline, so the growth it hid is counted later.
      ioReadBytes: e.ioReadBytes ?? (same ? last.ioReadBytes : null), ioWriteBytes: e.ioWriteBytes ?? (same ? last.ioWriteBytes : null),
      netRxBytes: rx ?? (same ? last.netRxBytes : null), netTxBytes: tx ?? (same ? last.netTxBytes : null) };
  }
}
