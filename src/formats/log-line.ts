/**
 * The event log's line codec. A log line is the event's NDJSON line minus text that never changes: the /proc
 * sampler's `missing.net` reason is the same on every Linux sample (Linux has no per-process network counters), so
 * the log leaves it out and reading puts it back. Everything else is written as the pipeline emitted it.
 */
import type { MetricEvent, SampleEvent } from '../events.js';

/** The `missing.net` reason of every /proc sample (the text `procSampler` writes); left out of log lines. */
export const LINUX_NET_MISSING = 'no per-process counters on Linux';

/**
 * The event types the log records: whatever describes the units, and each round's `tick` (so tick lag and sampling
 * time can be looked at after a restart too; one short line a round), never summaries (derived) or evictions (old rows).
 */
export const LOGGED_TYPES: ReadonlySet<MetricEvent['type']> = new Set([
  'sample', 'unit-down', 'unit-added', 'unit-removed', 'unit-restarted', 'dropped', 'error', 'tick',
]);

/** The log line of `event`, newline included. */
export function encodeLogLine(event: MetricEvent): string {
  if (event.type !== 'sample' || event.missing.net !== LINUX_NET_MISSING) return `${JSON.stringify(event)}\n`;
  const { net: _constant, ...missing } = event.missing;
  return `${JSON.stringify({ ...event, missing })}\n`;
}

/** An event read from a log line, with the constant text `encodeLogLine` left out put back. */
export function decodeLogEvent(event: MetricEvent): MetricEvent {
  if (event.type !== 'sample' || !omittedNet(event)) return event;
  return { ...event, missing: { ...event.missing, net: LINUX_NET_MISSING } };
}

// A /proc sample measures no per-process network bytes: all three fields null, and no reason given in the line.
const omittedNet = (e: SampleEvent): boolean =>
  e.netRxBytes === null && e.netTxBytes === null && e.netScope === null && e.missing.net === undefined;
