import { PassThrough, Writable } from 'node:stream';
import { Subject, lastValueFrom, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import { toNdjson } from '../../src/sinks/to-ndjson.js';
import { sample } from '../../src/testing/index.js';
import { heldWritable } from '../helpers/held-writable.js';

/** A Writable that fails every write with `code` after accepting `accept` writes. */
function failingWritable(code: string, accept = 0): Writable & { written: string[] } {
  const written: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (written.length < accept) {
        written.push(chunk.toString());
        callback();
      } else callback(Object.assign(new Error(`write ${code}`), { code }));
    },
  });
  return Object.assign(w, { written });
}

describe('toNdjson', () => {
  it('writes one JSON line per event and completes with the source', async () => {
    const out = new PassThrough();
    const events = [sample('a', 1), sample('b', 2)];
    await lastValueFrom(of(...events).pipe(toNdjson(out)), { defaultValue: undefined });
    expect(out.read().toString()).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(out.writableEnded).toBe(false); // never ends fd 1
  });

  it('waits for drain before writing the next line', async () => {
    const { out, written, release } = heldWritable(4);
    const source = new Subject<{ n: number }>();
    let done = false;
    const finished = lastValueFrom(source.pipe(toNdjson(out)), { defaultValue: undefined }).then(() => {
      done = true;
    });
    source.next({ n: 1 });
    source.next({ n: 2 });
    source.complete();
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['{"n":1}\n']); // the second line waits in the sink, not in the stream
    expect(out.writableLength).toBe('{"n":1}\n'.length);
    expect(done).toBe(false);
    release(); // the reader catches up: 'drain'
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['{"n":1}\n', '{"n":2}\n']);
    release();
    await finished;
    expect(done).toBe(true);
  });

  it('completes quietly when the reader leaves (EPIPE) and stops the source', async () => {
    const out = failingWritable('EPIPE', 1);
    const source = new Subject<{ n: number }>();
    const finished = lastValueFrom(source.pipe(toNdjson(out)), { defaultValue: undefined });
    source.next({ n: 1 });
    source.next({ n: 2 });
    await expect(finished).resolves.toBeUndefined();
    expect(source.observed).toBe(false);
    expect(out.written).toEqual(['{"n":1}\n']);
  });

  it('fails with E_SINK on any other write error', async () => {
    const out = failingWritable('ENOSPC');
    const error = await lastValueFrom(of({ n: 1 }).pipe(toNdjson(out))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe('E_SINK');
    expect(((error as PipelineError).cause as { code: string }).code).toBe('ENOSPC');
  });

  it('passes a source error through and removes its error listener', async () => {
    const out = new PassThrough();
    const before = out.listenerCount('error');
    await expect(lastValueFrom(throwError(() => new Error('up')).pipe(toNdjson(out)))).rejects.toThrow('up');
    expect(out.listenerCount('error')).toBe(before);
  });
});
