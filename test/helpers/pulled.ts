import { lastValueFrom, map, type OperatorFunction, range, Subject, take, takeUntil, tap, toArray } from 'rxjs';

/**
 * Pipes a synchronous 100-value source (`range(0, 100)` mapped by `toValue`) through `operator` and `take(n)`, and
 * counts how many values the source emitted: an operator that links its teardown before subscribing stops the source
 * after a few, one that subscribes first pulls all 100.
 */
export async function pulledBy<T, R>(
  toValue: (i: number) => T,
  operator: OperatorFunction<T, R>,
  n = 2,
): Promise<{ pulled: number; taken: R[] }> {
  let pulled = 0;
  const source = range(0, 100).pipe(
    tap(() => pulled++),
    map((i) => toValue(i)),
  );
  const taken = await lastValueFrom(source.pipe(operator, take(n), toArray()));
  return { pulled, taken };
}

/**
 * For operators whose output is asynchronous (sinks): counts how many values of a synchronous 100-value source were
 * pulled when the output is unsubscribed (`takeUntil`) as the `stopAfter`th value leaves the source.
 */
export async function pulledUntilStopped<T, R>(toValue: (i: number) => T, operator: OperatorFunction<T, R>, stopAfter = 2): Promise<number> {
  let pulled = 0;
  const stop = new Subject<void>();
  const source = range(0, 100).pipe(
    tap(() => {
      if (++pulled === stopAfter) stop.next();
    }),
    map((i) => toValue(i)),
  );
  await lastValueFrom(source.pipe(operator, takeUntil(stop), toArray()));
  return pulled;
}
