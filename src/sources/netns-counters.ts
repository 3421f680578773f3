/**
 * Network bytes for units that own a network namespace. Linux counts bytes per interface, and interfaces belong to
 * namespaces, so the only exact per-unit figure is a namespace that holds that unit and nothing else we watch: a
 * container, an `ip netns exec` service. Host-wide traffic is never attributed to a unit.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { MetricEvent, SampleEvent } from '../events.js';
import { parseNetDev } from '../formats/parse-net-dev.js';

/** Options of {@link netnsCounters}. */
export interface NetnsCountersOptions {
  /** Where /proc is (default `/proc`). */
  procRoot?: string;
  /** Interfaces to count (default: all of the namespace's, loopback included). */
  interfaces?: readonly string[];
}

/** Fills `netRxBytes`/`netTxBytes` of one tick's samples in place; see {@link netnsCounters}. */
export interface NetnsCounters {
  /** Sets the network fields of the samples among `events` (one tick's) whose unit owns a network namespace. */
  annotate(events: MetricEvent[]): void;
}

/**
 * For each sample, the network namespace of the unit's root process (cached by pid and start time: a process does
 * not change namespace unless it calls setns). A namespace other than the host's (init's) and procstream's own, held
 * by exactly one unit this tick, gives that unit the namespace's counters with `netScope: 'netns'`; a namespace shared
 * by several units gives each null with `missing.net` naming how many share it; the host's namespace gives null.
 */
export function netnsCounters({ procRoot = '/proc', interfaces }: NetnsCountersOptions = {}): NetnsCounters {
  const only = interfaces ? new Set(interfaces) : undefined;
  // The host's namespace is init's; procstream's own may differ (run inside `ip netns exec`): neither is a unit's.
  const shared = new Set([namespaceOf(`${procRoot}/self`), namespaceOf(`${procRoot}/1`)].filter((ns) => ns !== undefined));
  const cache = new Map<number, { startTimeMs: number; ns: string | undefined }>();
  const namespace = (e: SampleEvent): string | undefined => {
    const hit = cache.get(e.pid);
    if (hit && hit.startTimeMs === e.startTimeMs) return hit.ns;
    const ns = namespaceOf(`${procRoot}/${e.pid}`);
    cache.set(e.pid, { startTimeMs: e.startTimeMs, ns });
    return ns;
  };
  return {
    annotate(events) {
      const byNs = new Map<string, SampleEvent[]>();
      const live = new Set<number>();
      for (const e of events) {
        if (e.type !== 'sample' || e.pid <= 0) continue;
        live.add(e.pid);
        const ns = namespace(e);
        if (ns === undefined || shared.has(ns)) continue;
        const list = byNs.get(ns);
        if (list) list.push(e);
        else byNs.set(ns, [e]);
      }
      for (const pid of cache.keys()) if (!live.has(pid)) cache.delete(pid);
      for (const [ns, samples] of byNs) {
        if (samples.length > 1) {
          for (const e of samples) e.missing = { ...e.missing, net: `network namespace ${ns} shared by ${samples.length} units` };
          continue;
        }
        const e = samples[0]!;
        let counters: { rxBytes: number; txBytes: number } | null = null;
        try { counters = parseNetDev(readFileSync(`${procRoot}/${e.pid}/net/dev`, 'latin1'), only); } catch { /* exited */ }
        if (!counters) continue;
        e.netRxBytes = counters.rxBytes;
        e.netTxBytes = counters.txBytes;
        e.netScope = 'netns';
        const { net: _net, ...rest } = e.missing;
        e.missing = rest;
      }
    },
  };
}

/** `net:[4026531840]` for a process, or undefined when it is gone or not ours to read. */
function namespaceOf(processDir: string): string | undefined {
  try {
    return readlinkSync(`${processDir}/ns/net`);
  } catch {
    return undefined;
  }
}
