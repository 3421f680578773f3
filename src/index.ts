/* Sources */

/* Streams */
export { ofType } from './streams/of-type.js';

/* Sinks */

/* Events & errors */
export * from './events.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
