/* Sources */
export { readNdjson, decodeMetricEvent, type ReadNdjsonOptions, type BadLine, type LineDecoder } from './sources/read-ndjson.js';
export { replay, type ReplayOptions } from './sources/replay.js';
export { systemgDecoder, SYSTEMG_FILE_PATTERN } from './sources/systemg-format.js';

/* Streams */
export { ofType } from './streams/of-type.js';
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

/* Sinks */
export { spillover, type SpilloverOptions, type FsyncPolicy } from './sinks/spillover.js';
export { SEGMENT_PATTERN, segmentName, segmentSeq } from './segment-names.js';

/* Events & errors */
export * from './events.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
