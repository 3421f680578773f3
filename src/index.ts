/* Sources */
export { intervalTicks, type IntervalTick, type IntervalTicksOptions } from './sources/interval-ticks.js';
export { unitTargets, type UnitTargetsSpec, type UnitTargetsOptions } from './sources/unit-targets.js';
export { watchTargetsFile, type WatchTargetsFileOptions } from './sources/watch-targets-file.js';
export { parseUnitsFile } from './formats/parse-units-file.js';
export { parseStateFile } from './formats/parse-state-file.js';
export { procSampler, type ProcSampler, type ProcSamplerOptions } from './sources/proc-sampler.js';
export { siSampler, type SiProcess, type SiSamplerOptions } from './sources/si-sampler.js';
export { readHostInfo, type HostInfo } from './sources/host-info.js';
export type { Sampler, UnitTarget } from './sources/sampler.js';
export { processGroups, listCommands, type ProcessGroupsOptions } from './sources/process-groups.js';
export { readNdjson, decodeMetricEvent, type ReadNdjsonOptions, type BadLine, type LineDecoder } from './sources/read-ndjson.js';
export { replay, type ReplayOptions } from './sources/replay.js';
export { systemgDecoder, SYSTEMG_FILE_PATTERN } from './formats/systemg-format.js';

/* Streams */
export { ofType } from './streams/of-type.js';
export { sampleTicks, type SampleTicksOptions } from './streams/sample-ticks.js';
export { parseProcStat, type ProcStat } from './formats/parse-proc-stat.js';
export { parseProcStatm } from './formats/parse-proc-statm.js';
export { parseProcIo, type ProcIo } from './formats/parse-proc-io.js';
export { percentOfCore } from './formats/percent-of-core.js';
export {
  windowedStore,
  type WindowedStore,
  type WindowedStoreOptions,
  type StoreQuery,
  type StoreClock,
} from './streams/windowed-store.js';
export { summarize, type SummarizeOptions } from './streams/summarize.js';
export { storeAndSummarize, type StoreAndSummarizeOptions } from './streams/store-and-summarize.js';
export type { StoreEvent } from './store/window-store.js';
export { DEFAULT_TIER_PLAN, type TierPlan } from './store/tiers.js';
export type { SeriesOptions, SeriesPoint, Band } from './store/series.js';

/* Sinks */
export { toNdjson } from './sinks/to-ndjson.js';
export { spillover, type SpilloverOptions, type FsyncPolicy } from './sinks/spillover.js';
export { SEGMENT_PATTERN, segmentName, segmentSeq } from './formats/segment-names.js';
export { prometheus, type PrometheusOptions, type PrometheusSink, type PrometheusEndpoint } from './sinks/prometheus.js';
export { parsePrometheusAddress, DEFAULT_PROMETHEUS_PORT, type PrometheusAddress } from './formats/prometheus-address.js';

/* The whole pipeline */
export { watchUnits, type WatchUnits, type WatchUnitsOptions } from './watch-units.js';

/* Events & errors */
export * from './events.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
