import { EVENT_FORMAT_VERSION, isMetricEvent, type MetricEvent } from '../events.js';

/** Turns one parsed line into an event, or returns a reason (string) why it is not one. */
export type LineDecoder = (value: unknown) => MetricEvent | string;

/** The default decoder: our own event lines. */
export const decodeMetricEvent: LineDecoder = (value) => {
  if (!isMetricEvent(value)) return 'not an event';
  return value.v > EVENT_FORMAT_VERSION ? `format version ${String(value.v)} is newer than ${EVENT_FORMAT_VERSION}` : value;
};
