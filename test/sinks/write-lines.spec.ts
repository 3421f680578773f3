import { PassThrough, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { from, lastValueFrom, map, range, Subject, tap, throwError, toArray, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { DroppedEvent } from '../../src/events.js';
import { PipelineError } from '../../src/errors.js';
import { writeLines } from '../../src/sinks/write-lines.js';
import { sample } from '../../src/testing/index.js';
import { heldWritable } from '../helpers/held-writable.js';

/** A Writable recording each chunk it is handed (one per `write()` call). */
function recording(): Writable & { chunks: string[] } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk: Buffer, _enc, callback) { chunks.push(chunk.toString()); callback(); } });
  return Object.assign(w, { chunks });
}

const failing = (code: string) =>
  new Writable({ write(_chunk, _enc, callback) { callback(Object.assign(new Error(`write ${code}`), { code })); } });

const tick = () => new Promise((r) => setImmediate(r));

describe('writeLines', () => {
  it('joins lines into chunks of about batchBytes, in order, one write() per chunk', async () => {
    const out = recording();
    const lines = Array.from({ length: 10_000 }, (_, i) => `{"n":${i}}`);
    await lastValueFrom(from(lines).pipe(writeLines(out, { batchBytes: 16 * 1024 }), toArray()));
    expect(out.chunks.join('')).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(out.chunks.length).toBeLessThanOrEqual(Math.ceil(out.chunks.join('').length / (16 * 1024)) + 1);
    expect(out.chunks.length).toBeGreaterThan(1);
  });

  it('writes a partial chunk after flushMs on the scheduler, not before', () => {
    const scheduler = new VirtualTimeScheduler();
    const out = recording();
    const lines = new Subject<string>();
    lines.pipe(writeLines(out, { flushMs: 10, scheduler })).subscribe();
    lines.next('a');
    lines.next('b');
    scheduler.maxFrames = 9;
    scheduler.flush();
    expect(out.chunks).toEqual([]);
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    expect(out.chunks).toEqual(['a\nb\n']);
  });

  it('flushes the partial chunk at completion and completes once the stream has drained', async () => {
    const { out, written, release } = heldWritable(4);
    const lines = new Subject<string>();
    let done = false;
    const finished = lastValueFrom(lines.pipe(writeLines(out, { batchBytes: 4 })), { defaultValue: undefined }).then(() => { done = true; });
    lines.next('one');
    lines.next('two');
    lines.complete();
    await tick();
    expect(written).toEqual(['one\n']); // 'two' waits for 'drain' in the sink
    expect(done).toBe(false);
    release();
    await tick();
    expect(written).toEqual(['one\n', 'two\n']);
    release();
    await finished;
    expect(done).toBe(true);
    expect(out.writableEnded).toBe(false); // never ends fd 1
  });

  it('wait: asks the source to pause past highWaterBytes, and to resume once drained', async () => {
    const { out, release } = heldWritable(1);
    const calls: boolean[] = [];
    const lines = new Subject<string>();
    const finished = lastValueFrom(lines.pipe(writeLines(out, { batchBytes: 10, highWaterBytes: 100, onPressure: (p) => calls.push(p) })), { defaultValue: undefined });
    for (let i = 0; i < 30; i++) lines.next('123456789');
    expect(calls).toEqual([true]);
    lines.complete();
    while (release()) await tick();
    await finished;
    expect(calls).toEqual([true, false]);
  });

  it('drop: keeps at most maxQueueBytes while the reader is stuck, and counts the rest in dropped events', () => {
    const scheduler = new VirtualTimeScheduler();
    const { out, written } = heldWritable(1); // never released: a stopped reader
    const dropped: DroppedEvent[] = [];
    const lines = new Subject<string>();
    lines.pipe(writeLines(out, { policy: 'drop', maxQueueBytes: 1000, batchBytes: 100, scheduler, name: 'out' })).subscribe((e) => dropped.push(e));
    for (let i = 0; i < 500; i++) lines.next('123456789'); // 5,000 characters with newlines
    scheduler.flush();
    const kept = written.join('').length;
    expect(kept).toBeLessThanOrEqual(100); // the first chunk reached the stream; the rest is queued or dropped
    expect(dropped).toEqual([expect.objectContaining({ type: 'dropped', source: 'out', reason: 'queue-full', count: 390, total: 390 })]);
    for (let i = 0; i < 10; i++) lines.next('123456789');
    lines.complete();
    scheduler.flush();
    expect(dropped[1]).toMatchObject({ count: 10, total: 400 });
  });

  it('markGaps: writes the dropped event where the gap is, once the reader is back', async () => {
    const scheduler = new VirtualTimeScheduler();
    const { out, written, release } = heldWritable(1);
    const lines = new Subject<string>();
    lines.pipe(writeLines(out, { policy: 'drop', maxQueueBytes: 141, batchBytes: 1, scheduler, markGaps: true })).subscribe();
    const pad = 'x'.repeat(30);
    for (let n = 0; n < 8; n++) lines.next(`{"n":${n},"pad":"${pad}"}`); // 47 characters a line: n0 written, n1-n3 queued (141), n4-n7 dropped
    scheduler.flush(); // the report is due, but the queue has no room for it
    while (release()) await tick();
    lines.next(`{"n":8,"pad":"${pad}"}`);
    while (release()) await tick();
    const out$ = written.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { n?: number; type?: string; count?: number });
    expect(out$.map((e) => e.n ?? `${e.type}:${e.count}`)).toEqual([0, 1, 2, 3, 'dropped:4', 8]);
  });

  it('stays bounded with a stopped reader: 300 units every 100 ms for 40 s, with dropped events (issue 10)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const scheduler = new VirtualTimeScheduler();
    const { out } = heldWritable(16 * 1024);
    const events = new Subject<string>();
    const dropped: DroppedEvent[] = [];
    const sub = events.pipe(writeLines(out, { policy: 'drop', scheduler })).subscribe((e) => dropped.push(e));
    gc();
    const before = process.memoryUsage().heapUsed;
    let sent = 0;
    let characters = 0;
    let shortest = Infinity;
    for (let t = 0; t < 40_000; t += 100) {
      for (let u = 0; u < 300; u++) {
        const line = JSON.stringify(sample(`unit-${u}`, 1_795_165_200_000 + t, { cpuPercent: Math.random() * 100 }));
        characters += line.length + 1;
        shortest = Math.min(shortest, line.length + 1);
        events.next(line);
        sent++;
      }
      scheduler.maxFrames = t + 100;
      scheduler.flush();
    }
    gc();
    const grownBytes = process.memoryUsage().heapUsed - before;
    events.complete(); // reports the drops of the last second at once
    sub.unsubscribe();
    expect(characters).toBeGreaterThan(24 * 1024 * 1024); // what an unbounded queue would have held
    expect(grownBytes).toBeLessThan(8 * 1024 * 1024);
    expect(dropped.length).toBeGreaterThan(30); // about one a second
    const last = dropped[dropped.length - 1] as DroppedEvent;
    expect(last.total).toBe(dropped.reduce((s, e) => s + e.count, 0));
    // kept: the chunk handed to the stream (64 KiB) and the queue (1 MiB); every other line is counted
    expect(last.total).toBeGreaterThanOrEqual(sent - Math.ceil((1024 * 1024 + 64 * 1024) / shortest));
  });

  it('completes quietly when the reader leaves (EPIPE), and unsubscribes its source', async () => {
    const lines = new Subject<string>();
    const finished = lastValueFrom(lines.pipe(writeLines(failing('EPIPE'), { batchBytes: 1 })), { defaultValue: undefined });
    lines.next('a');
    await expect(finished).resolves.toBeUndefined();
    expect(lines.observed).toBe(false);
  });

  it('fails with E_SINK, naming the stream, on any other write error', async () => {
    const lines = new Subject<string>();
    const finished = lastValueFrom(lines.pipe(writeLines(failing('ENOSPC'), { batchBytes: 1, name: 'out.ndjson' })));
    lines.next('a');
    const error = await finished.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe('E_SINK');
    expect((error as PipelineError).message).toBe('cannot write to out.ndjson: write ENOSPC');
  });

  it('routes a throwing write to the error channel and stops a synchronous source at once', async () => {
    const out = new Writable({ write() { throw new Error('boom'); } });
    let pulled = 0;
    const result = lastValueFrom(range(0, 100_000).pipe(tap(() => pulled++), map(String), writeLines(out, { batchBytes: 1 })));
    await expect(result).rejects.toThrow('boom');
    expect(pulled).toBe(1);
  });

  it('routes a write that throws after a drain to the error channel, not to uncaughtException', async () => {
    let calls = 0;
    const out = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, callback) {
        calls++;
        setImmediate(callback); // the first write fills the stream; its callback brings 'drain'
      },
    });
    const realWrite = out.write.bind(out);
    out.write = ((chunk: string) => { if (calls > 0) throw new Error('second write'); return realWrite(chunk); }) as typeof out.write;
    const lines = new Subject<string>();
    const finished = lastValueFrom(lines.pipe(writeLines(out, { batchBytes: 1 })), { defaultValue: undefined });
    lines.next('a'); // written: the stream is now full
    lines.next('b'); // queued until 'drain', whose handler's write throws
    await expect(finished).rejects.toThrow('second write');
    expect(lines.observed).toBe(false);
  });

  it('passes a source error through and removes its listeners', async () => {
    const out = new PassThrough();
    const before = [out.listenerCount('error'), out.listenerCount('drain')];
    await expect(lastValueFrom(throwError(() => new Error('up')).pipe(writeLines(out)))).rejects.toThrow('up');
    expect([out.listenerCount('error'), out.listenerCount('drain')]).toEqual(before);
  });
});
