import { Observable, type Observer, type OperatorFunction, type Subscriber, Subscription } from 'rxjs';

/** What a hand-written operator does with its source's notifications; `error`/`complete` default to forwarding. */
export interface OperatorHandlers<T> {
  /** Called for each source value; a throw becomes the downstream error. */
  next(value: T): void;
  /** Called when the source errors (default: pass the error on). */
  error?(error: unknown): void;
  /** Called when the source completes (default: complete downstream). */
  complete?(): void;
}

/**
 * The one anatomy of every hand-written operator, after rxjs 7's `operate` + `createOperatorSubscriber`: `init` runs
 * once per subscription with the downstream subscriber (add timers and other teardown to it) and returns the handlers.
 * The subscription to the source is linked to the downstream subscriber *before* the source is subscribed, so
 * `take(2)` downstream stops a synchronous source after two values; a throw from `init` or any handler becomes
 * `subscriber.error`, never rxjs's `onUnhandledError`.
 */
export function operate<T, R>(init: (subscriber: Subscriber<R>) => OperatorHandlers<T>): OperatorFunction<T, R> {
  // A throw from `init` reaches `subscriber.error` through the Observable constructor's own try/catch.
  return (source) => new Observable<R>((subscriber) => void subscribeLinked(source, subscriber, init(subscriber)));
}

/**
 * Subscribes to `source` with the anatomy of `operate`: the subscription is linked to `downstream` before `source` is
 * subscribed, and a throw from a handler becomes `downstream.error`. For an operator's other inputs besides its
 * source; returns the subscription, to end that input early.
 */
export function subscribeLinked<T>(source: Observable<T>, downstream: Subscriber<unknown>, handlers: OperatorHandlers<T>): Subscription {
  const observer = new SourceObserver(downstream, handlers);
  source.subscribe(observer);
  return observer;
}

/**
 * Calls `fn` and routes a throw to `subscriber.error`: for callbacks the operator registers itself (timer ticks,
 * stream events), which rxjs would otherwise report through `onUnhandledError`.
 */
export function guarded<A extends unknown[]>(subscriber: Subscriber<unknown>, fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (error) {
      subscriber.error(error);
    }
  };
}

/**
 * An observer that is also a Subscription: rxjs's `subscribe` uses such an object as the subscriber itself rather
 * than wrapping it, so closing it (here: by the downstream's teardown, to which the constructor links it) is seen by
 * a synchronous source between two values. A plain observer would be wrapped and returned only once the source is done.
 */
class SourceObserver<T> extends Subscription implements Observer<T> {
  private stopped = false;

  constructor(private readonly downstream: Subscriber<unknown>, private readonly handlers: OperatorHandlers<T>) {
    super();
    downstream.add(this);
  }

  next(value: T): void {
    if (this.stopped || this.closed) return;
    try {
      this.handlers.next(value);
    } catch (error) {
      this.downstream.error(error);
    }
  }

  error(error: unknown): void {
    this.end(() => (this.handlers.error ? this.handlers.error(error) : this.downstream.error(error)));
  }

  complete(): void {
    this.end(() => (this.handlers.complete ? this.handlers.complete() : this.downstream.complete()));
  }

  /** The source is done: run the handler once, then release the source (as rxjs's own subscribers do). */
  private end(handler: () => void): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      handler();
    } catch (error) {
      this.downstream.error(error);
    } finally {
      this.unsubscribe();
    }
  }
}
