import { PassThrough } from 'node:stream';
import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { toNdjson } from '../../src/sinks/to-ndjson.js';
import { verbatimSlot } from '../../src/formats/verbatim.js';
import { sample } from '../../src/testing/index.js';
import { heldWritable } from '../helpers/held-writable.js';

// The queueing, batching, EPIPE and error handling are writeLines' (write-lines.spec.ts); these check the NDJSON skin.
describe('toNdjson', () => {
  it('writes one JSON line per event and completes with the source', async () => {
    const out = new PassThrough();
    const events = [sample('a', 1), sample('b', 2)];
    await lastValueFrom(of(...events).pipe(toNdjson(out)), { defaultValue: undefined });
    expect(out.read().toString()).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(out.writableEnded).toBe(false); // never ends fd 1
  });

  it('writes the text of its verbatim slot for the slot\'s own event only, and serializes every other value', async () => {
    const out = new PassThrough();
    const [a, b] = [sample('a', 1), sample('b', 2)];
    const slot = { ...verbatimSlot(), event: a, text: 'the line a was read from' };
    await lastValueFrom(of(a, b, { ...a }).pipe(toNdjson(out, { verbatim: slot })), { defaultValue: undefined });
    expect(out.read().toString()).toBe(`the line a was read from\n${JSON.stringify(b)}\n${JSON.stringify(a)}\n`);
  });

  it('puts a value JSON cannot hold on the error channel', async () => {
    const out = new PassThrough();
    await expect(lastValueFrom(of({ n: 1n }).pipe(toNdjson(out)))).rejects.toThrow(/BigInt/);
  });

  it('emits the dropped events of its policy, and writes what it kept in order', async () => {
    const { out, written, release } = heldWritable(1);
    const events = new Subject<{ n: number }>();
    const dropped = lastValueFrom(events.pipe(toNdjson(out, { policy: 'drop', maxQueueBytes: 20, batchBytes: 1 }), toArray()));
    for (let n = 0; n < 5; n++) events.next({ n });
    events.complete();
    while (release()) await new Promise((r) => setImmediate(r));
    expect(await dropped).toEqual([expect.objectContaining({ type: 'dropped', source: 'stdout', count: 2, total: 2 })]);
    expect(written.join('')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });
});
