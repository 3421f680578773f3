/* Sources */
export { intervalTicks, type IntervalTick, type IntervalTicksOptions } from './sources/interval-ticks.js';
export { unitTargets, type UnitTargetsSpec, type UnitTargetsOptions } from './sources/unit-targets.js';
export { watchTargetsFile, type WatchTargetsFileOptions } from './sources/watch-targets-file.js';
export { parseUnitsFile } from './sources/parse-units-file.js';
export { parseStateFile } from './sources/parse-state-file.js';
export { procSampler, type ProcSampler, type ProcSamplerOptions } from './sources/proc-sampler.js';
export { siSampler, type SiProcess, type SiSamplerOptions } from './sources/si-sampler.js';
export { readHostInfo, type HostInfo } from './sources/host-info.js';
export type { Sampler, UnitTarget } from './sources/sampler.js';

/* Streams */
export { ofType } from './streams/of-type.js';
export { sampleTicks, type SampleTicksOptions } from './streams/sample-ticks.js';
export { parseProcStat, type ProcStat } from './streams/parse-proc-stat.js';
export { parseProcStatm } from './streams/parse-proc-statm.js';
export { parseProcIo, type ProcIo } from './streams/parse-proc-io.js';
export { percentOfCore } from './streams/percent-of-core.js';

/* Sinks */

/* Events & errors */
export * from './events.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
