import type { MetricEvent, TargetSpec } from '../events.js';

/**
 * A unit and how to find its root process. The unit name is the stable key. `children` overrides the sampler's
 * process-tree rule for this unit. A `pid` of 0 means the supervisor reports the unit stopped.
 */
export type UnitTarget = { unit: string; children?: boolean } & Exclude<TargetSpec, { state: string }>;

/** Turns one tick's targets into events; the contract both samplers share (see docs/sampling.md). */
export interface Sampler {
  /** Measures every target once; events are stamped with the sampler's clock, ms since the epoch. */
  sample(targets: readonly UnitTarget[]): readonly MetricEvent[] | Promise<readonly MetricEvent[]>;
  /** Releases kept file descriptors and per-unit state. */
  close(): void;
}
