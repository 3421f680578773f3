import type { MetricEvent, UnitTarget } from '../events.js';

export type { UnitTarget } from '../events.js';

/** Turns one tick's targets into events; the contract both samplers share (see docs/sampling.md). */
export interface Sampler {
  /** Measures every target once; events are stamped with the sampler's clock, ms since the epoch. */
  sample(targets: readonly UnitTarget[]): readonly MetricEvent[] | Promise<readonly MetricEvent[]>;
  /** Releases kept file descriptors and per-unit state. */
  close(): void;
}
