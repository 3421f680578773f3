import { EVENT_FORMAT_VERSION, EVENT_TYPES, isMetricEvent, MAX_TS_MS, type MetricEvent } from '../events.js';

/** Turns one parsed line into an event, or returns a reason (string) why it is not one. */
export type LineDecoder<E extends object = MetricEvent> = (value: unknown) => E | string;

/** An event of a type procstream does not know (a custom producer's), passed through by {@link decodeOpenEvent}. */
export interface ForeignEvent {
  type: string;
  unit: string;
  ts: number;
  [field: string]: unknown;
}

const known = new Set<string>(EVENT_TYPES);

/** Why a value with an unknown `type` is refused; the type is shortened, as it is user data. */
const unknownType = (type: string): string => `unknown event type ${JSON.stringify(type.slice(0, 24))}`;

/** The default decoder: our own event lines; an unknown `type` is refused with a reason naming it (a bad line). */
export const decodeMetricEvent: LineDecoder = (value) => {
  if (!isMetricEvent(value)) {
    const type = (value as { type?: unknown } | null)?.type;
    return typeof type === 'string' && !known.has(type) ? unknownType(type) : 'not an event';
  }
  return value.v > EVENT_FORMAT_VERSION ? `format version ${String(value.v)} is newer than ${EVENT_FORMAT_VERSION}` : value;
};

/**
 * Like {@link decodeMetricEvent}, but an object of an unknown `type` with a string `unit` and a valid `ts` (integer ms,
 * 0…MAX_TS_MS) passes through as it is, for readers that handle custom events themselves.
 */
export const decodeOpenEvent: LineDecoder<MetricEvent | ForeignEvent> = (value) => {
  const e = value as Partial<ForeignEvent> | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e) || typeof e.type !== 'string' || known.has(e.type)) {
    return decodeMetricEvent(value);
  }
  const tsOk = Number.isInteger(e.ts) && (e.ts as number) >= 0 && (e.ts as number) <= MAX_TS_MS;
  return typeof e.unit === 'string' && tsOk ? (e as ForeignEvent) : 'event without a string unit and a valid ts';
};
