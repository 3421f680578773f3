/**
 * The event model. Every state change in procstream is one of these plain JSON objects, so the same operators work on
 * live samples and on events replayed from NDJSON. See docs/events.md for the field reference and example lines.
 */

/** Version of the event format; written as `v` on every event. Readers reject lines with a newer major version. */
export const EVENT_FORMAT_VERSION = 1;

/** The unit name used by problem events that concern no single unit (a sink, the whole sampler). */
export const NO_UNIT = '*';

/** Fields every event carries: the unit it concerns and `ts`, milliseconds since the Unix epoch. */
interface EventBase {
  v: typeof EVENT_FORMAT_VERSION;
  unit: string;
  ts: number;
}

/** Why a field of a sample is absent: an errno code (`EACCES`), `unsupported`, or a short explanation. */
export type MissingReasons = Partial<Record<'io' | 'net' | 'threads' | 'cpu' | 'memory', string>>;

/**
 * Where network byte counters come from. Linux has no per-process counters, so the only exact figure is a network
 * namespace's: `netns` means every process of the unit is in one namespace that no other unit and not procstream
 * itself uses, and the counters are that namespace's interfaces (docs/sampling.md).
 */
export type NetScope = 'netns' | 'host';

/** One measurement of the live processes of a unit. Counters are cumulative for the unit's current identity. */
export interface SampleEvent extends EventBase {
  type: 'sample';
  /** Root process of the unit. With the start time it forms the process identity. */
  pid: number;
  /** Start time of the root process, ms since the epoch; a different value behind the same pid is another process. */
  startTimeMs: number;
  /** Δcpu / Δwall × 100 where 100 means one full core; null when there is no baseline yet (never a fake 0). */
  cpuPercent: number | null;
  /** Cumulative CPU time in user mode, seconds. */
  cpuUserSeconds: number;
  /** Cumulative CPU time in kernel mode, seconds. */
  cpuSystemSeconds: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** Cumulative bytes read from storage, or null when unreadable (see `missing.io`). */
  ioReadBytes: number | null;
  /** Cumulative bytes written to storage, or null when unreadable (see `missing.io`). */
  ioWriteBytes: number | null;
  /** Network bytes received, null unless measured; `netScope` says what they cover. */
  netRxBytes?: number | null;
  /** Network bytes sent, null unless measured; `netScope` says what they cover. */
  netTxBytes?: number | null;
  netScope?: NetScope | null;
  /** cpuPercent divided by the number of host cores: 100 means the whole machine. Not retained by the store. */
  hostCpuPercent?: number | null;
  /** Live processes counted in this sample (1, or more with `children`). Not retained by the store. */
  processes?: number;
  /** Threads across those processes. Not retained by the store. */
  threads?: number;
  /** For a cgroup unit: the cgroup measured, as a path inside the hierarchy (`system.slice/nginx.service`). */
  cgroup?: string;
  /**
   * For a cgroup unit: the memory the kernel charges to the cgroup (v2 `memory.current`, v1 `memory.usage_in_bytes`),
   * page cache included; `rssBytes` is its anonymous memory (v2 `anon`, v1 `total_rss`). Null with `missing.memory`
   * where no memory controller covers the cgroup. Not retained by the store.
   */
  cgroupMemoryBytes?: number | null;
  /** The reason for each absent (null) field. */
  missing: MissingReasons;
}

/** The unit has no live process. A down unit is never recorded as a zero sample. */
export interface UnitDownEvent extends EventBase {
  type: 'unit-down';
  /** e.g. `exited`, `no-process`, `pid-file-missing`, `not-matched`, `stopped` (a supervisor's all-zero sample). */
  reason: string;
}

/** Why a retained row left the store. `out-of-order` is a sample older than the newest row of its unit. */
export type EvictionReason = 'retention' | 'budget' | 'out-of-order';

/** A row that left the windowed store, carrying the event as the store kept it (see docs/events.md). */
export interface EvictedEvent extends EventBase {
  type: 'evicted';
  reason: EvictionReason;
  event: SampleEvent | UnitDownEvent;
}

/** Why a bucket left the store: its newest observation passed the retention cutoff, the memory budget took it, or it
 * arrived (replayed) older than the buckets already held for its tier; `compacted`: written by the log's compaction. */
export type BucketReason = 'retention' | 'budget' | 'out-of-order' | 'compacted';

/** Aggregates of one statistic over a bucket's observations; null fields when it holds none. */
export interface BucketStats {
  /** Observations with a value (CPU: up samples with a `cpuPercent`; RSS: up samples). */
  count: number;
  /** Sum of the values, so a replay adds the bucket back exactly. */
  sum: number;
  min: number | null;
  max: number | null;
  /** The value of the newest such observation. */
  last: number | null;
  /** Nearest-rank p90 and p95 of the bucket's values (an upper estimate for merged buckets; docs/store.md). */
  p90: number | null;
  p95: number | null;
}

/** A bucket of aggregated observations that left the windowed store (see docs/events.md#bucket); replay adds it back. */
export interface BucketEvent extends EventBase {
  type: 'bucket';
  reason: BucketReason;
  /** Width of the tier the bucket belonged to (its time slot), ms. */
  widthMs: number;
  /** Timestamps of the first and last observation folded into the bucket. */
  firstTs: number;
  lastTs: number;
  /** Observations: up samples plus down markers, as a summary counts them. */
  samples: number;
  upSamples: number;
  /** True when the newest observation was a sample (not a down marker). */
  up: boolean;
  cpuPercent: BucketStats;
  rssBytes: BucketStats;
  /** Storage bytes read and written between consecutive samples of one process, and the ms those deltas span. */
  ioReadBytes: number;
  ioReadMs: number;
  ioWriteBytes: number;
  ioWriteMs: number;
}

/** How a unit's processes are found. */
export type TargetSpec =
  /** `downReason`: with pid 0, why the unit is down (a supervisor's status such as `failed`); default `stopped`. */
  | { pid: number; downReason?: string }
  | { pidFile: string }
  | { match: string }
  /** Every live process whose command name (comm) is exactly this: how `watch` groups a whole machine. */
  | { comm: string }
  /** A cgroup, by its path inside the hierarchy or under a cgroup mount: measured from the kernel's own counters. */
  | { cgroup: string }
  /** A systemd unit (`nginx` means `nginx.service`), measured as its cgroup. */
  | { systemdUnit: string }
  | { state: string };

/** A unit was configured or discovered. */
export interface UnitAddedEvent extends EventBase {
  type: 'unit-added';
  target?: TargetSpec;
}

/** A unit left: its target went away, or it had no samples and no target for longer than the retention period. */
export interface UnitRemovedEvent extends EventBase {
  type: 'unit-removed';
  reason: 'retention' | 'target-removed';
}

/** The process identity (pid, start time) behind a unit changed: the unit restarted, or its pid changed. */
export interface UnitRestartedEvent extends EventBase {
  type: 'unit-restarted';
  previous: { pid: number; startTimeMs: number } | null;
  current: { pid: number; startTimeMs: number };
  /** Restarts seen for this unit since sampling started. */
  restarts: number;
}

/** Statistics of the min/mean/max family; null when the window holds no value for them. */
export interface Stats {
  latest: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  p95: number | null;
}

/** Per-unit summary over a time window. Downtime is left out of every average. */
export interface SummaryEvent extends EventBase {
  type: 'summary';
  /** Span the summary covers, ending at `ts`. */
  windowMs: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Rows in the window: up samples plus down markers. */
  samples: number;
  upSamples: number;
  /** True when the newest row is a sample (not a down marker). */
  up: boolean;
  /** True once the newest row is older than two sampling intervals. */
  stale: boolean;
  cpuPercent: Stats;
  rssBytes: Stats;
  ioReadBytesPerSec: number | null;
  ioWriteBytesPerSec: number | null;
}

/** Something was discarded rather than processed: a full queue, a torn line, a skipped tick. */
export interface DroppedEvent extends EventBase {
  type: 'dropped';
  /** Who dropped it: `spill`, `sampler`, `interval`, `reader`, … */
  source: string;
  reason: string;
  /** How many were dropped in this occurrence. */
  count: number;
  /** How many this source has dropped since it started. */
  total: number;
}

/** A non-fatal problem: sampling goes on, and `count` says how often it has happened. */
export interface ErrorEvent extends EventBase {
  type: 'error';
  source: string;
  /** errno-style code where there is one (`ENOSPC`, `EACCES`), else a PipelineError code. */
  code: string;
  message: string;
  count: number;
}

/**
 * One sampling round of `watchUnits`, emitted after the round's samples (`unit: '*'`): the self-metrics as data, so
 * they are printed, spilled with `events: 'all'`, replayed and exported like any event. The store ignores it.
 */
export interface TickEvent extends EventBase {
  type: 'tick';
  /** The deadline this round stands for, ms since the epoch on the scheduler's clock. */
  deadlineMs: number;
  /** ms from the first deadline not yet served to the start of sampling: deadlines skipped while busy count in full. */
  lagMs: number;
  /** How long the sampler took for this round, ms (sub-millisecond, from `watchUnits`' `durationClock`). */
  samplingMs: number;
  /** Deadlines passed without a round just before this one (the loop was busy). */
  missed: number;
  /** Units sampled in this round. */
  units: number;
  /** Live processes counted across this round's samples. */
  processes: number;
}

/** Every event procstream emits or reads. */
export type MetricEvent =
  | SampleEvent
  | UnitDownEvent
  | EvictedEvent
  | UnitAddedEvent
  | UnitRemovedEvent
  | UnitRestartedEvent
  | SummaryEvent
  | DroppedEvent
  | ErrorEvent
  | TickEvent
  | BucketEvent;

/** The `type` of every built-in event: `'sample'`, `'unit-down'`, `'summary'` and the rest (docs/events.md). */
export type EventType = MetricEvent['type'];
/** The event whose `type` is `K`, e.g. `EventOf<'sample'>` is {@link SampleEvent}. */
export type EventOf<K extends EventType> = Extract<MetricEvent, { type: K }>;

/** The event types, for validation and documentation. */
export const EVENT_TYPES: readonly EventType[] = [
  'sample',
  'unit-down',
  'evicted',
  'unit-added',
  'unit-removed',
  'unit-restarted',
  'summary',
  'dropped',
  'error',
  'tick',
  'bucket',
];

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The latest `ts` a reader accepts: 9999-12-31T23:59:59.999Z, the last millisecond with a four-digit year. */
export const MAX_TS_MS = 253_402_300_799_999;
/** A timestamp: integer milliseconds since the epoch, from 1970 to {@link MAX_TS_MS}. */
const isTs = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= MAX_TS_MS;
/** A size, counter or duration: finite and never negative. */
const isAmount = (x: unknown): boolean => isNum(x) && x >= 0;
const isAmountOrNull = (x: unknown): boolean => x === null || isAmount(x);
const isOptionalAmount = (x: unknown): boolean => x === undefined || x === null || isAmount(x);

/**
 * Narrows unknown parsed JSON to an event: an object with a known `type`, a string `unit`, a `ts` of integer ms within
 * 1970…{@link MAX_TS_MS}, and for samples and evictions the fields the store relies on, finite and where they are
 * amounts (bytes, seconds, percent, counts) non-negative. Extra fields are allowed; they are data, never trusted code.
 */
export function isMetricEvent(value: unknown): value is MetricEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  if (typeof e.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(e.type)) return false;
  if (typeof e.unit !== 'string' || !isTs(e.ts)) return false;
  switch (e.type) {
    case 'sample':
      return (
        Number.isInteger(e.pid) && (e.pid as number) >= 0 && isOptionalAmount(e.startTimeMs) && isAmount(e.rssBytes) &&
        isAmountOrNull(e.cpuPercent) && isAmount(e.cpuUserSeconds) && isAmount(e.cpuSystemSeconds) &&
        isAmountOrNull(e.ioReadBytes) && isAmountOrNull(e.ioWriteBytes) && isOptionalAmount(e.netRxBytes) &&
        isOptionalAmount(e.netTxBytes) && isOptionalAmount(e.hostCpuPercent)
      );
    case 'unit-down':
      return typeof e.reason === 'string';
    case 'tick':
      return isNum(e.deadlineMs) && isNum(e.lagMs) && isNum(e.samplingMs) && isNum(e.missed);
    case 'evicted':
      // the inner type first: an evicted event never nests another, so a 15k-deep nesting must not recurse 15k times
      return typeof e.reason === 'string' && typeof e.event === 'object' && e.event !== null &&
        ['sample', 'unit-down'].includes((e.event as { type?: unknown }).type as string) && isMetricEvent(e.event);
    case 'dropped':
      return isAmount(e.count) && isAmount(e.total);
    case 'bucket':
      return isAmount(e.widthMs) && isTs(e.firstTs) && isTs(e.lastTs) && isAmount(e.samples) && isAmount(e.upSamples) &&
        isAmount(e.ioReadBytes) && isAmount(e.ioReadMs) && isAmount(e.ioWriteBytes) && isAmount(e.ioWriteMs) &&
        isBucketStats(e.cpuPercent) && isBucketStats(e.rssBytes);
    default:
      return true;
  }
}

function isBucketStats(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return isAmount(s.count) && isNum(s.sum) && isAmountOrNull(s.min) && isAmountOrNull(s.max) && isAmountOrNull(s.last) &&
    isAmountOrNull(s.p90) && isAmountOrNull(s.p95);
}

/**
 * A unit and how to find its root process. The unit name is the stable key. `children` overrides the sampler's
 * process-tree rule for this unit. A `pid` of 0 means the supervisor reports the unit stopped.
 */
export type UnitTarget = { unit: string; children?: boolean } & Exclude<TargetSpec, { state: string }>;
