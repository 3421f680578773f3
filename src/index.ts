/* Sources */
export { intervalTicks, type IntervalTick, type IntervalTicksOptions } from './sources/interval-ticks.js';
export { unitTargets, type UnitTargetsSpec, type UnitTargetsOptions } from './sources/unit-targets.js';
export { watchTargetsFile, type WatchTargetsFileOptions } from './sources/watch-targets-file.js';
export { parseUnitsFile } from './formats/parse-units-file.js';
export { parseStateFile } from './formats/parse-state-file.js';
export { procSampler, type ProcSampler, type ProcSamplerOptions } from './sources/proc-sampler.js';
export { readCgroupMounts, type CgroupMounts } from './sources/cgroup-paths.js';
export { cgroupSampler, isCgroupTarget, type CgroupSampler, type CgroupSamplerOptions, type CgroupTarget } from './sources/cgroup-sampler.js';
export { netnsCounters, type NetnsCounters, type NetnsCountersOptions } from './sources/netns-counters.js';
export { linuxSampler, type LinuxSampler, type LinuxSamplerOptions } from './sources/linux-sampler.js';
export type { ProcFs } from './sources/proc-files.js';
export { siSampler, type SiProcess, type SiSamplerOptions } from './sources/si-sampler.js';
export { readHostInfo, type HostInfo } from './sources/host-info.js';
export type { Sampler, UnitTarget } from './sources/sampler.js';
export { processGroups, listCommands, type ProcessGroupsOptions } from './sources/process-groups.js';
export { readNdjson, decodeMetricEvent, type ReadNdjsonOptions, type BadLine, type LineDecoder } from './sources/read-ndjson.js';
export { replay, type ReplayOptions, type ReplayableEvent, type ReplaySegment } from './sources/replay.js';
export { systemgDecoder, SYSTEMG_FILE_PATTERN } from './formats/systemg-format.js';
export { systemgTargetsDir, type SystemgTargetsDirOptions } from './sources/systemg-targets-dir.js';
export { systemgTargets, type SystemgStateTexts } from './formats/systemg-targets.js';
export { parseSystemgPidFile, parseSystemgStateFile, type SystemgService } from './formats/systemg-state.js';
export { parseSystemgConfig, type SystemgConfig } from './formats/systemg-config.js';
export { unitOfPid, unitOfPidFile } from './formats/unit-names.js';

/* Streams */
export { ofType } from './streams/of-type.js';
export { operate, guarded, type OperatorHandlers } from './streams/operate.js';
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
export { createWindowStore, type MetricStore, type WindowStoreOptions } from './store/create-window-store.js';
export { ingestInto } from './streams/ingest-into.js';
export { summaries, type SummariesOptions, type SummarizedStore } from './streams/summaries.js';
export { ingestAndSummarize, type IngestAndSummarizeOptions } from './streams/ingest-and-summarize.js';
export { DEFAULT_TIER_PLAN, type TierPlan } from './store/tiers.js';
export type { Series, SeriesOptions, SeriesPoint, Band } from './store/series.js';
export { gridColumns, recentColumns, seriesColumns, type GridColumns, type SeriesColumnsOptions } from './store/series-columns.js';

/* Sinks */
export { toNdjson } from './sinks/to-ndjson.js';
export type { ToNdjsonOptions } from './sinks/to-ndjson.js';
export { verbatimSlot, type Verbatim } from './formats/verbatim.js';
export { writeLines, type WriteLinesOptions, type WritePolicy } from './sinks/write-lines.js';
export { spillover, type SpilloverOptions, type FsyncPolicy } from './sinks/spillover.js';
export { SEGMENT_PATTERN, segmentName, segmentSeq } from './formats/segment-names.js';
export type { CompactionOptions } from './sinks/log-compaction.js';
export { BUCKET_SEGMENT_PATTERN, bucketSegmentName, parseLogSegmentName, type LogSegmentName } from './formats/log-segments.js';
export { prometheus, type PrometheusOptions, type PrometheusSink, type PrometheusEndpoint } from './sinks/prometheus.js';
export { parsePrometheusAddress, DEFAULT_PROMETHEUS_PORT, type PrometheusAddress } from './formats/prometheus-address.js';
export { httpDashboard, type HttpDashboardOptions } from './sinks/http-dashboard.js';
export type { HttpSink, HttpEndpoint } from './sinks/http-sink.js';
export type { SeriesColumns } from './sinks/http-api.js';
export { defaultHttpLimits, type HttpLimits } from './sinks/http-limits.js';
export type { SseLimits } from './sinks/http-sse.js';
export { DEFAULT_HTTP_PORT } from './formats/prometheus-address.js';

/* The whole pipeline */
export { watchUnits, type WatchUnits, type WatchUnitsOptions } from './watch-units.js';

/* Events & errors */
export * from './events.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
