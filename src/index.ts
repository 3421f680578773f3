/* Sources */

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

/* Events & errors */
export * from './events.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
