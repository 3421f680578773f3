import { filter, type OperatorFunction } from 'rxjs';
import type { EventOf, EventType, MetricEvent } from '../events.js';

/** Keeps only events of the given types, narrowing the stream's type (redux-observable's `ofType`). */
export function ofType<K extends EventType>(...types: [K, ...K[]]): OperatorFunction<MetricEvent, EventOf<K>> {
  return filter((e: MetricEvent): e is EventOf<K> => (types as EventType[]).includes(e.type));
}
