import type { Writable } from 'node:stream';
import { Observable, concatMap, type OperatorFunction } from 'rxjs';
import { PipelineError } from '../errors.js';

/** Completes once `line` is accepted, waiting for 'drain' when the stream asks us to slow down. */
function writeLine(out: Writable, line: string): Observable<never> {
  return new Observable<never>((subscriber) => {
    if (out.write(line)) return subscriber.complete();
    const resume = () => subscriber.complete();
    out.once('drain', resume);
    return () => {
      out.off('drain', resume);
    };
  });
}

/**
 * Writes each value as one NDJSON line to `out` (stdout), waiting for 'drain' so no line is lost or buffered without
 * bound (the `wait` policy). Completes when the source does, and quietly when the reader leaves (EPIPE); any other
 * write error becomes PipelineError('E_SINK'). Never ends `out`: fd 1 belongs to the process.
 */
export function toNdjson<T>(out: Writable): OperatorFunction<T, never> {
  return (source) =>
    new Observable<never>((subscriber) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') subscriber.complete();
        else subscriber.error(new PipelineError('E_SINK', `cannot write to stdout: ${error.message}`, { cause: error }));
      };
      out.on('error', onError);
      const writes = source.pipe(concatMap((value) => writeLine(out, `${JSON.stringify(value)}\n`))).subscribe(subscriber);
      return () => {
        writes.unsubscribe();
        out.off('error', onError);
      };
    });
}
