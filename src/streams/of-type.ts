import { filter, type OperatorFunction } from 'rxjs';

/**
 * Keeps only events of the given types, narrowing the stream's type (redux-observable's `ofType`). Works on any
 * stream of `{ type: string }` objects: procstream's `MetricEvent` union, a union that adds custom event types, or
 * events of your own.
 */
export function ofType<E extends { type: string }, K extends E['type']>(
  ...types: [K, ...K[]]
): OperatorFunction<E, Extract<E, { type: K }>> {
  const wanted = new Set<string>(types);
  return filter((e: E): e is Extract<E, { type: K }> => wanted.has(e.type));
}
